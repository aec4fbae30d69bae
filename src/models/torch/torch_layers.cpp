#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <limits>

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

double dropout_param(const json& params) {
  return number_param(params, "dropout", 0, 0, 0.99);
}

void append_activation(torch::nn::Sequential& stack, const json& params, double dropout) {
  stack->push_back(activation(params));
  if (dropout > 0) stack->push_back(SeededDropout(dropout));
}

void append_dense(torch::nn::Sequential& stack, std::int64_t inputs,
                  const std::vector<std::int64_t>& widths, const json& params, double dropout) {
  for (std::int64_t width : widths) {
    stack->push_back(torch::nn::Linear(inputs, width));
    append_activation(stack, params, dropout);
    inputs = width;
  }
}

torch::nn::Sequential dense_stack(std::int64_t inputs, const std::vector<std::int64_t>& widths,
                                  const json& params, double dropout) {
  torch::nn::Sequential stack;
  append_dense(stack, inputs, widths, params, dropout);
  return stack;
}

SeededDropoutImpl::SeededDropoutImpl(double p)
    : p_(p),
      generator_(at::make_generator<at::CPUGeneratorImpl>(
          torch::randint(std::numeric_limits<std::int64_t>::max(), {1}, torch::kLong)
              .item<std::int64_t>())) {}

torch::Tensor SeededDropoutImpl::forward(const torch::Tensor& x) {
  if (!is_training()) return x;
  if (!x.is_cpu()) return torch::dropout(x, p_, true);
  const double keep = 1 - p_;
  return x * torch::empty_like(x).bernoulli_(keep, generator_).div_(keep);
}

torch::Tensor SeededDropoutImpl::generator_state() const {
  return generator_.get_state();
}

void SeededDropoutImpl::set_generator_state(const torch::Tensor& state) {
  generator_.set_state(state);
}

void SeededDropoutImpl::reseed(std::uint64_t seed) {
  generator_.set_current_seed(seed);
}

SparseLinearImpl::SparseLinearImpl(std::int64_t inputs, std::int64_t outputs) {
  // Drawn exactly as torch::nn::Linear draws its weight and bias, in the same shape and order,
  // so that with the same seed a network starts identical with sparse or dense input.
  auto weight = torch::empty({outputs, inputs});
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  const double bound = 1 / std::sqrt(static_cast<double>(inputs));
  weight_ = register_parameter("weight", weight.t().contiguous());
  bias_ = register_parameter("bias", torch::empty({outputs}).uniform_(-bound, bound));
}

torch::Tensor SparseLinearImpl::forward(const SparseRows& rows) {
  constexpr std::int64_t kSum = 0;
  auto summed = torch::embedding_bag(weight_, rows.columns, rows.offsets,
                                     /*scale_grad_by_freq=*/false, kSum, /*sparse=*/false,
                                     rows.values, /*include_last_offset=*/true);
  return (std::get<0>(summed) + bias_).index_select(0, rows.of_sample);
}

}  // namespace overseer::torch_models
