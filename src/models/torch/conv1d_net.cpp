// torch_cnn: 1D convolutions over the joined feature vector (cell features then drug
// features, one channel), as in the CNN of the UNNT comparison study, then dense layers.
#include <stdexcept>

#include "torch_network.hpp"

namespace overseer::torch_models {
namespace {

struct ConvShape {
  std::vector<std::int64_t> filters;
  std::int64_t kernel, stride, pool;
  std::vector<std::int64_t> dense;
  double dropout;
};

ConvShape conv_shape(const json& params) {
  return {sizes_param(params, "conv_filters", {32, 32}, "conv_layers", 2),
          int_param(params, "conv_kernel", 20, 1, 4096),
          int_param(params, "conv_stride", 1, 1, 4096),
          int_param(params, "pool", 10, 1, 4096),
          sizes_param(params, "dense", {200, 20}, "dense_layers", 2),
          dropout_param(params)};
}

class Conv1dNet : public DrugResponseNet {
 public:
  Conv1dNet(const json& params, std::int64_t cell_features, std::int64_t drug_features) {
    const ConvShape shape = conv_shape(params);
    std::int64_t channels = 1;
    std::int64_t length = cell_features + drug_features;
    for (std::int64_t filters : shape.filters) {
      convs_->push_back(torch::nn::Conv1d(
          torch::nn::Conv1dOptions(channels, filters, shape.kernel).stride(shape.stride)));
      convs_->push_back(activation(params));
      length = (length - shape.kernel) / shape.stride + 1;
      if (shape.pool > 1) {
        convs_->push_back(torch::nn::MaxPool1d(shape.pool));
        length /= shape.pool;
      }
      if (length < 1) {
        throw ParameterError("conv_kernel",
                             "the convolutions and pooling shrink the " +
                                 std::to_string(cell_features + drug_features) +
                                 " features to nothing; use a smaller conv_kernel, conv_stride, "
                                 "pool or fewer conv_filters");
      }
      channels = filters;
    }
    dense_ = dense_stack(channels * length, shape.dense, params, shape.dropout);
    dense_->push_back(
        torch::nn::Linear(shape.dense.empty() ? channels * length : shape.dense.back(), 1));
    register_module("convs", convs_);
    register_module("dense", dense_);
  }

  torch::Tensor forward(const Features& features) override {
    auto x = convs_->forward(torch::cat({features.cell, features.drug}, 1).unsqueeze(1));
    return dense_->forward(x.flatten(1)).squeeze(1);
  }

 private:
  torch::nn::Sequential convs_, dense_{nullptr};
};

const bool registered =
    register_network("torch_cnn", {[](const json& params) {
                                     conv_shape(params);
                                     check_activation(params);
                                   },
                                   [](const json& params, std::int64_t cells, std::int64_t drugs) {
                                     return std::make_shared<Conv1dNet>(params, cells, drugs);
                                   }});

}  // namespace
}  // namespace overseer::torch_models
