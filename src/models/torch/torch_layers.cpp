#include "torch_network.hpp"

namespace overseer::torch_models {
namespace {

const std::vector<std::string> kActivations = {"relu", "tanh", "sigmoid",
                                               "elu",  "gelu", "leaky_relu"};

}  // namespace

void check_activation(const json& params) {
  choice_param(params, "activation", "relu", kActivations);
}

torch::nn::AnyModule activation(const json& params) {
  const std::string name = choice_param(params, "activation", "relu", kActivations);
  if (name == "tanh") return torch::nn::AnyModule(torch::nn::Tanh());
  if (name == "sigmoid") return torch::nn::AnyModule(torch::nn::Sigmoid());
  if (name == "elu") return torch::nn::AnyModule(torch::nn::ELU());
  if (name == "gelu") return torch::nn::AnyModule(torch::nn::GELU());
  if (name == "leaky_relu") return torch::nn::AnyModule(torch::nn::LeakyReLU());
  return torch::nn::AnyModule(torch::nn::ReLU());
}

torch::nn::Sequential dense_stack(std::int64_t inputs, const std::vector<std::int64_t>& widths,
                                  const json& params, double dropout) {
  torch::nn::Sequential stack;
  for (std::int64_t width : widths) {
    stack->push_back(torch::nn::Linear(inputs, width));
    stack->push_back(activation(params));
    if (dropout > 0) stack->push_back(torch::nn::Dropout(dropout));
    inputs = width;
  }
  return stack;
}

}  // namespace overseer::torch_models
