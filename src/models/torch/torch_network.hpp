#pragma once

// Shared by the torch plug-in's files only: LibTorch headers cost ~20 s per file to compile, so
// they stay out of include/.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "overseer/models/model.hpp"

namespace overseer::torch_models {

// One table's features for a minibatch as compressed sparse rows: the non-zero values, their
// columns, and where each row starts (rows + 1 offsets), as torch::embedding_bag takes them.
// The rows are the distinct cells (or drugs) of the batch, each once, and `of_sample` holds
// each sample's row among them: a batch of 256 NCI-60 pairs has at most 55 distinct cells.
struct SparseRows {
  torch::Tensor columns, offsets, values, of_sample;
};

// A minibatch's features: dense [rows x width] tensors, or the non-zero entries only for a
// network that asks for sparse input. On drug-combination data, `second_drug` holds each row's
// second drug (zeros for a drug alone) and `has_second_drug` [rows x 1] is 1 where there is one.
struct Features {
  torch::Tensor cell, drug;
  SparseRows cell_sparse, drug_sparse;
  torch::Tensor second_drug, has_second_drug;
};

// A network mapping a batch of cell features and drug features to one response per row.
class DrugResponseNet : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const Features& features) = 0;
  // Whether forward reads Features' sparse rows rather than the dense tensors.
  virtual bool sparse_input() const { return false; }
  // Whether forward reads the second drug of combinations; a network that does not is refused
  // data that has them.
  virtual bool reads_second_drug() const { return false; }
};

// A linear layer whose input is sparse rows: the same function as torch::nn::Linear (and the
// same initialization), at a cost proportional to the non-zero inputs of the distinct rows
// rather than to the width and the batch. Mutations and fingerprints are 2-7% non-zero.
// Returns one output row per sample.
class SparseLinearImpl : public torch::nn::Module {
 public:
  SparseLinearImpl(std::int64_t inputs, std::int64_t outputs);
  torch::Tensor forward(const SparseRows& rows);

 private:
  torch::Tensor weight_;  // [inputs x outputs]: one row per input column, as embedding_bag reads
  torch::Tensor bias_;
};
TORCH_MODULE(SparseLinear);

// Dropout as torch::nn::Dropout does it, but on CPU with masks from a generator of its own,
// seeded when the network is built under the trial's seed. LibTorch's generator is shared by
// the worker threads of `overseer run --workers N`; masks drawn from it would depend on what
// the other threads draw. On a GPU the device's own generator draws them.
class SeededDropoutImpl : public torch::nn::Module {
 public:
  explicit SeededDropoutImpl(double p);
  torch::Tensor forward(const torch::Tensor& x);
  // The generator's state, which a checkpoint keeps so a continued trial draws the masks the
  // uninterrupted one would.
  torch::Tensor generator_state() const;
  void set_generator_state(const torch::Tensor& state);
  // Starts the masks afresh from `seed` (each member of a rank group draws its own).
  void reseed(std::uint64_t seed);

 private:
  double p_;
  torch::Generator generator_;
};
TORCH_MODULE(SeededDropout);

// One torch model: how to check its architecture parameters, how to build the network for the
// feature counts of the data, and whether the network it builds for `params` reads the second
// drug of combinations (unset: never).
struct NetworkSpec {
  std::function<void(const json& params)> check;
  std::function<std::shared_ptr<DrugResponseNet>(const json& params, std::int64_t cell_features,
                                                 std::int64_t drug_features)>
      build;
  std::function<bool(const json& params)> reads_second_drug = nullptr;
};

// Registers `name` as a model that trains the network with the shared training loop
// (optimizer, loss, epochs, early stopping, device, metrics, artifacts).
bool register_network(const std::string& name, NetworkSpec spec);

// The activation a network's `activation` parameter names (default relu).
torch::nn::AnyModule activation(const json& params);
void check_activation(const json& params);
// `dropout` after each dense layer, 0 .. 0.99 (default 0).
double dropout_param(const json& params);

// Linear -> activation -> dropout (when > 0) for each width in turn, appended to `stack`.
void append_dense(torch::nn::Sequential& stack, std::int64_t inputs,
                  const std::vector<std::int64_t>& widths, const json& params, double dropout);
torch::nn::Sequential dense_stack(std::int64_t inputs, const std::vector<std::int64_t>& widths,
                                  const json& params, double dropout);
// The activation and dropout that follow a layer.
void append_activation(torch::nn::Sequential& stack, const json& params, double dropout);

}  // namespace overseer::torch_models
