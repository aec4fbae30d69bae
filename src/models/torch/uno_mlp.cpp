// torch_mlp: CANDLE Uno's shape. A dense tower per input (cell features, drug features), their
// outputs concatenated, then dense layers down to one response.
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

std::int64_t output_width(std::int64_t inputs, const std::vector<std::int64_t>& widths) {
  return widths.empty() ? inputs : widths.back();
}

class UnoMlp : public DrugResponseNet {
 public:
  UnoMlp(const json& params, std::int64_t cell_features, std::int64_t drug_features) {
    const double dropout = number_param(params, "dropout", 0, 0, 0.99);
    const auto tower = tower_sizes(params);
    cell_tower_ = register_module("cell_tower", dense_stack(cell_features, tower, params, dropout));
    drug_tower_ = register_module("drug_tower", dense_stack(drug_features, tower, params, dropout));
    const std::int64_t joined =
        output_width(cell_features, tower) + output_width(drug_features, tower);
    const auto head = head_sizes(params);
    head_ = register_module("head", dense_stack(joined, head, params, dropout));
    out_ = register_module("out", torch::nn::Linear(output_width(joined, head), 1));
  }

  torch::Tensor forward(const torch::Tensor& cell, const torch::Tensor& drug) override {
    auto joined = torch::cat({cell_tower_->forward(cell), drug_tower_->forward(drug)}, 1);
    return out_->forward(head_->forward(joined)).squeeze(1);
  }

 private:
  torch::nn::Sequential cell_tower_{nullptr}, drug_tower_{nullptr}, head_{nullptr};
  torch::nn::Linear out_{nullptr};
};

const bool registered =
    register_network("torch_mlp", {[](const json& params) {
                                     tower_sizes(params);
                                     head_sizes(params);
                                     number_param(params, "dropout", 0, 0, 0.99);
                                     check_activation(params);
                                   },
                                   [](const json& params, std::int64_t cells, std::int64_t drugs) {
                                     return std::make_shared<UnoMlp>(params, cells, drugs);
                                   }});

}  // namespace
}  // namespace overseer::torch_models
