// torch_mlp: CANDLE Uno's shape. A dense tower per input (cell features, drug features), their
// outputs concatenated, then dense layers down to one response. Its `combo` architecture is the
// Combo model's for drug pairs: one drug tower applied to both drugs of a combination.
#include "torch_network.hpp"

namespace overseer::torch_models {
namespace {

const std::vector<std::int64_t> kUnoWidths = {1000, 1000, 1000};

std::vector<std::int64_t> tower_sizes(const json& params) {
  return sizes_param(params, "dense_feature_layers", kUnoWidths, "feature_layers", 3);
}

std::vector<std::int64_t> head_sizes(const json& params) {
  return sizes_param(params, "dense", kUnoWidths, "dense_layers", 3);
}

const std::vector<std::string> kArchitectures = {"uno", "combo"};

bool combo_param(const json& params) {
  return choice_param(params, "architecture", "uno", kArchitectures) == "combo";
}

// Opt-in: the towers' first layers read only the non-zero features.
bool sparse_input_param(const json& params) {
  const bool sparse = bool_param(params, "sparse_input", false);
  if (sparse && combo_param(params)) {
    throw ParameterError("sparse_input", "sparse_input does not apply to architecture combo");
  }
  if (sparse && tower_sizes(params).empty()) {
    throw ParameterError("sparse_input",
                         "sparse_input needs at least one dense_feature_layers "
                         "layer to read the sparse features");
  }
  return sparse;
}

std::int64_t output_width(std::int64_t inputs, const std::vector<std::int64_t>& widths) {
  return widths.empty() ? inputs : widths.back();
}

// One input's tower. With sparse input its first layer reads the table's non-zero entries.
class Tower {
 public:
  Tower(torch::nn::Module& owner, const std::string& name, std::int64_t features,
        const json& params, bool sparse) {
    const auto widths = tower_sizes(params);
    const double dropout = dropout_param(params);
    if (sparse) {
      first_ = owner.register_module(name + "_sparse", SparseLinear(features, widths.front()));
      append_activation(rest_, params, dropout);
      append_dense(rest_, widths.front(), {widths.begin() + 1, widths.end()}, params, dropout);
    } else {
      append_dense(rest_, features, widths, params, dropout);
    }
    owner.register_module(name, rest_);
  }

  torch::Tensor forward(const torch::Tensor& dense, const SparseRows& sparse) {
    return first_ ? rest_->forward(first_->forward(sparse)) : rest_->forward(dense);
  }

 private:
  SparseLinear first_{nullptr};
  torch::nn::Sequential rest_;
};

class UnoMlp : public DrugResponseNet {
 public:
  UnoMlp(const json& params, std::int64_t cell_features, std::int64_t drug_features)
      : sparse_(sparse_input_param(params)),
        combo_(combo_param(params)),
        cell_(*this, "cell_tower", cell_features, params, sparse_),
        drug_(*this, "drug_tower", drug_features, params, sparse_) {
    const auto tower = tower_sizes(params);
    // A combination joins the sum and the elementwise product of its drugs' tower outputs:
    // either order of the drugs gives the same input to the head, and the product lets it
    // model how the two interact.
    const std::int64_t joined =
        output_width(cell_features, tower) + (combo_ ? 2 : 1) * output_width(drug_features, tower);
    const auto head = head_sizes(params);
    head_ = register_module("head", dense_stack(joined, head, params, dropout_param(params)));
    out_ = register_module("out", torch::nn::Linear(output_width(joined, head), 1));
  }

  torch::Tensor forward(const Features& x) override {
    auto cell = cell_.forward(x.cell, x.cell_sparse);
    auto drug = drug_.forward(x.drug, x.drug_sparse);
    if (!combo_) return out_->forward(head_->forward(torch::cat({cell, drug}, 1))).squeeze(1);
    // A drug alone (or data without combinations) has no second drug: its part is zero.
    torch::Tensor second = torch::zeros_like(drug);
    if (x.second_drug.defined()) {
      second = drug_.forward(x.second_drug, {}) * x.has_second_drug;
    }
    auto joined = torch::cat({cell, drug + second, drug * second}, 1);
    return out_->forward(head_->forward(joined)).squeeze(1);
  }

  bool sparse_input() const override { return sparse_; }
  bool reads_second_drug() const override { return combo_; }

 private:
  bool sparse_;
  bool combo_;
  Tower cell_, drug_;
  torch::nn::Sequential head_{nullptr};
  torch::nn::Linear out_{nullptr};
};

void check_uno(const json& params) {
  combo_param(params);
  sparse_input_param(params);
  head_sizes(params);
  dropout_param(params);
  check_activation(params);
}

const bool registered =
    register_network("torch_mlp", {check_uno,
                                   [](const json& params, std::int64_t cells, std::int64_t drugs) {
                                     return std::make_shared<UnoMlp>(params, cells, drugs);
                                   },
                                   combo_param});

}  // namespace
}  // namespace overseer::torch_models
