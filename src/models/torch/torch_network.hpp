#pragma once

// Shared by the torch plug-in's files only: LibTorch headers cost ~20 s per file to compile, so
// they stay out of include/.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "overseer/models/model.hpp"

namespace overseer::torch_models {

// A network mapping a batch of cell features and drug features to one response per row.
class DrugResponseNet : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& cell, const torch::Tensor& drug) = 0;
};

// One torch model: how to check its architecture parameters, and how to build the network
// for the feature counts of the data.
struct NetworkSpec {
  std::function<void(const json& params)> check;
  std::function<std::shared_ptr<DrugResponseNet>(const json& params, std::int64_t cell_features,
                                                 std::int64_t drug_features)>
      build;
};

// Registers `name` as a model that trains the network with the shared training loop
// (optimizer, loss, epochs, early stopping, device, metrics, artifacts).
bool register_network(const std::string& name, NetworkSpec spec);

// The activation a network's `activation` parameter names (default relu).
torch::nn::AnyModule activation(const json& params);
void check_activation(const json& params);

// Linear -> activation -> dropout (when > 0) for each width in turn.
torch::nn::Sequential dense_stack(std::int64_t inputs, const std::vector<std::int64_t>& widths,
                                  const json& params, double dropout);

}  // namespace overseer::torch_models
