// The training loop shared by the torch models, and their registration.
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>

#include "overseer/core/random.hpp"
#include "overseer/models/artifacts.hpp"
#include "overseer/models/checkpoints.hpp"
#include "overseer/models/metrics.hpp"
#include "overseer/models/model_data.hpp"
#include "overseer/models/response_weights.hpp"
#include "overseer/models/scoring.hpp"
#include "overseer/models/tournament_round.hpp"
#include "torch_network.hpp"

namespace overseer::torch_models {
namespace {

const std::vector<std::string> kOptimizers = {"adam", "adamax", "sgd", "rmsprop"};
constexpr const char* kIgnoresSecondDrug =
    "the data holds drug combinations (responses with a second drug), which {} would ignore; "
    "torch_mlp with architecture \"combo\" reads both drugs";
const std::vector<std::string> kLosses = {"mse", "mae", "huber", "alpha_weighted"};

// Training settings common to every torch model, read from the merged parameters.
struct TrainingSettings {
  std::int64_t epochs, batch_size, patience, threads;
  double learning_rate, momentum, weight_decay, loss_alpha;
  std::string optimizer, loss;
  Device device;

  explicit TrainingSettings(const json& p)
      : epochs(int_param(p, "epochs", 10, 1, 100000)),
        batch_size(int_param(p, "batch_size", 32, 1, 1 << 24)),
        patience(int_param(p, "patience", 0, 0, 100000)),
        threads(int_param(p, "threads", 0, 0, 4096)),
        learning_rate(number_param(p, "learning_rate", 1e-3, 0, 10)),
        momentum(number_param(p, "momentum", 0, 0, 1)),
        weight_decay(number_param(p, "weight_decay", 0, 0, 1)),
        loss_alpha(number_param(p, "loss_alpha", 0, 0, 1e6)),
        optimizer(choice_param(p, "optimizer", "adam", kOptimizers)),
        loss(choice_param(p, "loss", "mse", kLosses)),
        device(device_param(p)) {
    save_model_param(p);
  }
};

// ROCm builds of LibTorch present AMD GPUs as "cuda" devices, so rocm maps there too. `bound`
// is the worker's device from its site binding, which `auto` follows.
torch::Device resolve_device(const Device& requested, const std::string& bound) {
  if (requested.kind == Device::Cpu) return torch::kCPU;
  const bool gpu = torch::cuda::is_available();
  if (requested.kind == Device::Auto) {
    const Device chosen = bound_device(requested, bound);
    const bool use_gpu = gpu && chosen.kind != Device::Cpu;
    static std::once_flag logged;
    std::call_once(logged, [gpu, use_gpu, &bound] {
      spdlog::info("device auto: {}", use_gpu ? "using the GPU (bound: " + bound + ")"
                                      : gpu   ? "the site binds this worker to " + bound
                                              : "no GPU visible to LibTorch, using CPU");
    });
    if (!use_gpu) return torch::kCPU;
    const bool indexed = chosen.kind != Device::Auto &&
                         static_cast<std::size_t>(chosen.index) < torch::cuda::device_count();
    return indexed ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(chosen.index))
                   : torch::Device(torch::kCUDA);
  }
  if (!gpu) {
    throw std::runtime_error("device \"" + requested.text +
                             "\" was asked for, but this LibTorch has no usable GPU (a CPU-only "
                             "build, or no device visible); build against a CUDA or ROCm LibTorch "
                             "with -DTorch_DIR, or use device cpu");
  }
  const auto visible = static_cast<int>(torch::cuda::device_count());
  if (requested.index >= visible) {
    throw std::runtime_error("device \"" + requested.text +
                             "\" does not exist: " + std::to_string(visible) + " GPU(s) visible");
  }
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(requested.index));
}

// LibTorch's CPU allocator returns each step's activations to glibc (hundreds of MB a step for
// the CNN), which hands blocks this large back to the kernel and faults them in again on the
// next step: keeping freed memory in the heap trains the CNN ~1.8x faster. glibc still maps
// memory directly for threads other than the main one (trials with a task timeout).
void keep_freed_memory() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  });
}

// LibTorch draws initial weights from one generator per process, which the worker threads of
// `overseer run --workers N` share: seeding it and building the network under one lock gives a
// trial the weights of its seed whatever the other threads do.
std::mutex initial_weights_mutex;

// LibTorch 1.13 has no Adamax; this is the update PyTorch's torch.optim.Adamax makes (Adam
// with the infinity norm), on the same defaults.
class Adamax {
 public:
  Adamax(std::vector<torch::Tensor> parameters, double lr, double weight_decay)
      : parameters_(std::move(parameters)), lr_(lr), weight_decay_(weight_decay) {
    for (const auto& p : parameters_) {
      mean_.push_back(torch::zeros_like(p));
      norm_.push_back(torch::zeros_like(p));
    }
  }

  void save(torch::serialize::OutputArchive& archive) const {
    archive.write("steps", torch::tensor(steps_));
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      archive.write("mean." + std::to_string(i), mean_[i]);
      archive.write("norm." + std::to_string(i), norm_[i]);
    }
  }

  void load(torch::serialize::InputArchive& archive) {
    torch::Tensor steps;
    archive.read("steps", steps);
    steps_ = steps.item<std::int64_t>();
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      archive.read("mean." + std::to_string(i), mean_[i]);
      archive.read("norm." + std::to_string(i), norm_[i]);
    }
  }

  void step() {
    torch::NoGradGuard no_grad;
    ++steps_;
    const double step_size = lr_ / (1 - std::pow(kBeta1, static_cast<double>(steps_)));
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      auto& p = parameters_[i];
      if (!p.grad().defined()) continue;
      auto grad = weight_decay_ > 0 ? p.grad() + weight_decay_ * p : p.grad();
      mean_[i].mul_(kBeta1).add_(grad, 1 - kBeta1);
      norm_[i] = torch::maximum(norm_[i] * kBeta2, grad.abs() + kEps);
      p.addcdiv_(mean_[i], norm_[i], -step_size);
    }
  }

 private:
  static constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;
  std::vector<torch::Tensor> parameters_, mean_, norm_;
  double lr_, weight_decay_;
  std::int64_t steps_ = 0;
};

// Whichever optimizer was asked for: a step after the gradients are computed, and its state in
// and out of a checkpoint.
struct Stepper {
  std::function<void()> step;
  std::function<void(torch::serialize::OutputArchive&)> save;
  std::function<void(torch::serialize::InputArchive&)> load;
};

Stepper make_stepper(const TrainingSettings& s, std::vector<torch::Tensor> parameters) {
  if (s.optimizer == "adamax") {
    auto adamax = std::make_shared<Adamax>(std::move(parameters), s.learning_rate, s.weight_decay);
    return {[adamax] { adamax->step(); },
            [adamax](torch::serialize::OutputArchive& a) { adamax->save(a); },
            [adamax](torch::serialize::InputArchive& a) { adamax->load(a); }};
  }
  std::shared_ptr<torch::optim::Optimizer> optimizer;
  if (s.optimizer == "sgd") {
    optimizer =
        std::make_shared<torch::optim::SGD>(parameters, torch::optim::SGDOptions(s.learning_rate)
                                                            .momentum(s.momentum)
                                                            .weight_decay(s.weight_decay));
  } else if (s.optimizer == "rmsprop") {
    optimizer = std::make_shared<torch::optim::RMSprop>(
        parameters, torch::optim::RMSpropOptions(s.learning_rate)
                        .momentum(s.momentum)
                        .weight_decay(s.weight_decay));
  } else {
    optimizer = std::make_shared<torch::optim::Adam>(
        parameters, torch::optim::AdamOptions(s.learning_rate).weight_decay(s.weight_decay));
  }
  // A checkpoint's optimizer state holds its options too; the trial's own win, since a pbt
  // exploit continues another trial's state with hyperparameters of its own.
  return {[optimizer] { optimizer->step(); },
          [optimizer](torch::serialize::OutputArchive& a) { optimizer->save(a); },
          [optimizer, s](torch::serialize::InputArchive& a) {
            optimizer->load(a);
            for (auto& group : optimizer->param_groups()) {
              auto& options = group.options();
              options.set_lr(s.learning_rate);
              if (auto* sgd = dynamic_cast<torch::optim::SGDOptions*>(&options)) {
                sgd->momentum(s.momentum).weight_decay(s.weight_decay);
              } else if (auto* rmsprop = dynamic_cast<torch::optim::RMSpropOptions*>(&options)) {
                rmsprop->momentum(s.momentum).weight_decay(s.weight_decay);
              } else if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&options)) {
                adam->weight_decay(s.weight_decay);
              }
            }
          }};
}

std::vector<std::shared_ptr<SeededDropoutImpl>> dropouts(torch::nn::Module& net) {
  std::vector<std::shared_ptr<SeededDropoutImpl>> found;
  for (const auto& module : net.modules(/*include_self=*/false)) {
    if (auto d = std::dynamic_pointer_cast<SeededDropoutImpl>(module)) found.push_back(d);
  }
  return found;
}

// Where an epoch loop stands, beyond the network and the optimizer: what a checkpoint must hold
// for the rest of the training to be what it would have been.
struct LoopState {
  std::int64_t epochs_run = 0, stale = 0;
  double best_val = std::numeric_limits<double>::infinity();
  double train_loss = 0, train_seconds = 0;
  std::size_t samples = 0;
  std::vector<torch::Tensor> best_state;  // for early stopping; empty without patience
};

void save_training(const std::filesystem::path& dir, torch::nn::Module& net, const Stepper& stepper,
                   const LoopState& loop) {
  torch::serialize::OutputArchive archive, network, optimizer;
  net.save(network);
  archive.write("network", network);
  stepper.save(optimizer);
  archive.write("optimizer", optimizer);
  const auto drops = dropouts(net);
  for (std::size_t i = 0; i < drops.size(); ++i) {
    archive.write("dropout." + std::to_string(i), drops[i]->generator_state());
  }
  for (std::size_t i = 0; i < loop.best_state.size(); ++i) {
    archive.write("best." + std::to_string(i), loop.best_state[i]);
  }
  archive.save_to((dir / "training.pt").string());
  write_json_file(dir / "loop.json", {{"epochs_run", loop.epochs_run},
                                      {"stale", loop.stale},
                                      {"best_val", loop.best_val},
                                      {"best_tensors", loop.best_state.size()},
                                      {"train_loss", loop.train_loss},
                                      {"train_seconds", loop.train_seconds},
                                      {"samples", loop.samples}});
}

// The network's weights from a training archive, and the optimizer's state when `stepper`.
void load_weights(torch::serialize::InputArchive& archive, torch::nn::Module& net,
                  const Stepper* stepper) {
  torch::serialize::InputArchive network;
  archive.read("network", network);
  net.load(network);
  if (stepper != nullptr) {
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    stepper->load(optimizer);
  }
}

// An ltfb partner's weights and optimizer state, from its snapshot (save_training), in place of
// the trial's own; the trial keeps its own hyperparameters, dropout masks and loop state.
void adopt_training(const std::filesystem::path& dir, torch::nn::Module& net,
                    const Stepper& stepper, torch::Device device) {
  torch::serialize::InputArchive archive;
  archive.load_from((dir / "training.pt").string(), device);
  load_weights(archive, net, &stepper);
}

LoopState load_training(const std::filesystem::path& dir, torch::nn::Module& net,
                        const Stepper& stepper, torch::Device device) {
  const json saved = read_json_file(dir / "loop.json");
  LoopState loop;
  loop.epochs_run = saved.at("epochs_run").get<std::int64_t>();
  loop.stale = saved.at("stale").get<std::int64_t>();
  loop.best_val = saved.at("best_val").is_number() ? saved.at("best_val").get<double>()
                                                   : std::numeric_limits<double>::infinity();
  loop.train_loss = saved.at("train_loss").get<double>();
  loop.train_seconds = saved.at("train_seconds").get<double>();
  loop.samples = saved.at("samples").get<std::size_t>();
  torch::serialize::InputArchive archive;
  archive.load_from((dir / "training.pt").string(), device);
  load_weights(archive, net, &stepper);
  const auto drops = dropouts(net);
  for (std::size_t i = 0; i < drops.size(); ++i) {
    torch::Tensor state;
    archive.read("dropout." + std::to_string(i), state);
    drops[i]->set_generator_state(state.to(torch::kCPU));
  }
  for (std::size_t i = 0; i < saved.at("best_tensors").get<std::size_t>(); ++i) {
    torch::Tensor t;
    archive.read("best." + std::to_string(i), t);
    loop.best_state.push_back(t);
  }
  return loop;
}

torch::Tensor loss_of(const std::string& loss, const torch::Tensor& predicted,
                      const torch::Tensor& truth) {
  if (loss == "mae") return torch::l1_loss(predicted, truth);
  if (loss == "huber") return torch::huber_loss(predicted, truth);
  return torch::mse_loss(predicted, truth);
}

// Gathers minibatches of response rows from the unmerged tables into reusable host buffers
// and moves them to the device: dense features, or each table's non-zero entries for a
// network with sparse input.
class BatchLoader {
 public:
  BatchLoader(const data::TrialData& data, const std::vector<float>& labels, bool sparse,
              torch::Device device)
      : view_(data.view()), labels_(labels), sparse_(sparse), device_(device) {}

  struct Batch {
    Features x;
    torch::Tensor y;
  };

  Batch load(const std::size_t* rows, std::size_t n) {
    Batch batch;
    y_.resize(n);
    for (std::size_t i = 0; i < n; ++i) y_[i] = labels_[rows[i]];
    const auto count = static_cast<std::int64_t>(n);
    // from_blob shares the buffers; they are refilled only after the batch has been used.
    batch.y = torch::from_blob(y_.data(), {count}).to(device_);
    if (sparse_) {
      batch.x.cell_sparse =
          distinct_rows(rows, n, view_.cells(), &data::JoinedView::cell_of, cell_sparse_);
      batch.x.drug_sparse =
          distinct_rows(rows, n, view_.drugs(), &data::JoinedView::drug_of, drug_sparse_);
      return batch;
    }
    cell_.resize(n * view_.cell_width());
    drug_.resize(n * view_.drug_width());
    view_.gather(rows, n, cell_.data(), drug_.data(), nullptr);
    batch.x.cell =
        torch::from_blob(cell_.data(), {count, static_cast<std::int64_t>(view_.cell_width())})
            .to(device_);
    batch.x.drug =
        torch::from_blob(drug_.data(), {count, static_cast<std::int64_t>(view_.drug_width())})
            .to(device_);
    if (view_.second_drug_width() > 0) {
      second_drug_.resize(n * view_.drug_width());
      has_second_drug_.resize(n);
      view_.gather_second_drug(rows, n, second_drug_.data());
      for (std::size_t i = 0; i < n; ++i) {
        has_second_drug_[i] = view_.second_drug_of(rows[i]) == data::kNoSecondDrug ? 0.0f : 1.0f;
      }
      batch.x.second_drug = torch::from_blob(second_drug_.data(),
                                             {count, static_cast<std::int64_t>(view_.drug_width())})
                                .to(device_);
      batch.x.has_second_drug = torch::from_blob(has_second_drug_.data(), {count, 1}).to(device_);
    }
    return batch;
  }

 private:
  struct SparseBuffers {
    std::vector<std::int64_t> columns, offsets, of_sample;
    std::vector<float> values;
    std::vector<std::int64_t> slot;  // per table row: its row in this batch, or -1
  };

  // The non-zero entries of each table row the batch joins, once per distinct row in order of
  // first use, and each sample's row among them.
  SparseRows distinct_rows(const std::size_t* rows, std::size_t n, const data::FeatureTable& table,
                           std::uint32_t (data::JoinedView::*row_of)(std::size_t) const,
                           SparseBuffers& out) {
    out.slot.assign(table.rows(), -1);
    out.columns.clear();
    out.values.clear();
    out.offsets.assign(1, 0);
    out.of_sample.resize(n);
    std::int64_t distinct = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const std::uint32_t t = (view_.*row_of)(rows[k]);
      if (out.slot[t] < 0) {
        out.slot[t] = distinct++;
        const float* features = table.row(t);
        for (std::size_t j = 0; j < table.cols(); ++j) {
          if (features[j] == 0.0f) continue;
          out.columns.push_back(static_cast<std::int64_t>(j));
          out.values.push_back(features[j]);
        }
        out.offsets.push_back(static_cast<std::int64_t>(out.columns.size()));
      }
      out.of_sample[k] = out.slot[t];
    }
    const auto tensor = [this](auto& v, torch::Dtype type) {
      return torch::from_blob(v.data(), {static_cast<std::int64_t>(v.size())}, type).to(device_);
    };
    return {tensor(out.columns, torch::kInt64), tensor(out.offsets, torch::kInt64),
            tensor(out.values, torch::kFloat32), tensor(out.of_sample, torch::kInt64)};
  }

  data::JoinedView view_;
  const std::vector<float>& labels_;
  bool sparse_;
  torch::Device device_;
  std::vector<float> cell_, drug_, second_drug_, has_second_drug_, y_;
  SparseBuffers cell_sparse_, drug_sparse_;
};

// Predictions for `rows`, in their order; the labels scored against are the clean ones.
std::vector<float> predict(DrugResponseNet& net, const data::TrialData& data,
                           const std::vector<std::size_t>& rows, torch::Device device,
                           std::size_t rows_per_batch) {
  torch::NoGradGuard no_grad;
  net.eval();
  BatchLoader loader(data, data.clean_labels(), net.sparse_input(), device);
  std::vector<float> predicted;
  predicted.reserve(rows.size());
  for (std::size_t start = 0; start < rows.size(); start += rows_per_batch) {
    const std::size_t n = std::min(rows_per_batch, rows.size() - start);
    auto batch = loader.load(rows.data() + start, n);
    auto out = net.forward(batch.x).to(torch::kCPU).contiguous();
    predicted.insert(predicted.end(), out.data_ptr<float>(), out.data_ptr<float>() + n);
  }
  net.train();
  return predicted;
}

std::vector<float> labels_of(const std::vector<float>& labels,
                             const std::vector<std::size_t>& rows) {
  std::vector<float> out(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) out[i] = labels[rows[i]];
  return out;
}

// State of the network with the best validation loss so far, for early stopping.
std::vector<torch::Tensor> snapshot(torch::nn::Module& net) {
  std::vector<torch::Tensor> copy;
  for (const auto& t : net.parameters()) copy.push_back(t.detach().clone());
  for (const auto& t : net.buffers()) copy.push_back(t.detach().clone());
  return copy;
}

void restore(torch::nn::Module& net, const std::vector<torch::Tensor>& copy) {
  torch::NoGradGuard no_grad;
  std::size_t i = 0;
  for (auto& t : net.parameters()) t.copy_(copy[i++]);
  for (auto& t : net.buffers()) t.copy_(copy[i++]);
}

// Data parallel training over a rank group (model.ranks_per_trial): each member computes the
// gradient of its own share of every minibatch, scaled by that share, and the sum over the
// members is the gradient of the whole minibatch, so that every member takes the step a single
// rank would and the weights stay identical.

// This member's rows of a minibatch of `n`: [first, last).
std::pair<std::size_t, std::size_t> share_of(std::size_t n, const RankGroup* group) {
  if (group == nullptr) return {0, n};
  const auto k = static_cast<std::size_t>(group->size());
  const auto r = static_cast<std::size_t>(group->rank());
  return {n * r / k, n * (r + 1) / k};
}

// A member's scaled gradients in one host buffer, and `loss` (its share of the minibatch's loss
// times the share's size) after them: what the members sum. Built before the members agree to
// sum, since building it may fail (memory) and nothing may fail between the two.
torch::Tensor flat_gradients(torch::nn::Module& net, double loss) {
  std::vector<torch::Tensor> parts;
  for (auto& p : net.parameters()) {
    // A member whose share was empty has computed no gradient yet.
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    parts.push_back(p.grad().reshape({-1}).to(torch::kCPU));
  }
  parts.push_back(torch::full({1}, loss, torch::kFloat32));
  return torch::cat(parts).contiguous();
}

// Puts the summed gradients back; returns the summed loss.
double take_gradients(torch::nn::Module& net, const torch::Tensor& flat) {
  std::int64_t offset = 0;
  for (auto& p : net.parameters()) {
    p.mutable_grad().copy_(flat.narrow(0, offset, p.numel()).view_as(p));
    offset += p.numel();
  }
  return flat[offset].item<double>();
}

// A checksum of every weight's bits: each tensor's bit patterns weighted by odd position
// factors (so that one flipped bit, or two weights trading places, changes it), summed modulo
// 2^64, and the tensors' sums mixed in order.
std::int64_t weights_fingerprint(torch::nn::Module& net) {
  std::uint64_t h = 0;
  for (const auto& p : net.parameters()) {
    const auto bits = p.detach().to(torch::kCPU).contiguous().view(torch::kInt32).reshape({-1});
    const auto odd = torch::arange(1, 2 * bits.numel() + 1, 2, torch::kInt64);
    const auto sum = (bits.to(torch::kInt64) * odd).sum().item<std::int64_t>();
    h = mix_seed(h, static_cast<std::uint64_t>(sum));
  }
  return static_cast<std::int64_t>(h);
}

GroupVerdict verdict_of(ProgressDecision decision) {
  switch (decision) {
    case ProgressDecision::Stop:
      return GroupVerdict::Stop;
    case ProgressDecision::Pause:
      return GroupVerdict::Pause;
    case ProgressDecision::Continue:
    case ProgressDecision::Tournament:  // played by report_step, which never returns it
      break;
  }
  return GroupVerdict::Continue;
}

class TorchModel : public Model {
 public:
  TorchModel(const Campaign& campaign, NetworkSpec spec)
      : campaign_(campaign), spec_(std::move(spec)) {}

  void check(const json& params) const override {
    TrainingSettings settings(params);
    spec_.check(params);
    check_model_data(campaign_, params);
    const bool pairs = spec_.reads_second_drug && spec_.reads_second_drug(params);
    if (!pairs && model_data_has_combinations(campaign_, params)) {
      // A network that can read both drugs is refused at the parameter that chose otherwise;
      // one that never can, at the data.
      if (spec_.reads_second_drug) {
        throw ParameterError("architecture", fmt::format(kIgnoresSecondDrug, "this network"));
      }
      fail_at_model_data(campaign_, fmt::format(kIgnoresSecondDrug, campaign_.model.name));
    }
  }

  Metrics evaluate(const json& params, const RunContext& context) override {
    spec_.check(params);
    const TrainingSettings s(params);
    Training t;
    run_as_member(context.group.get(), [&] { train(params, s, context, t); });
    // The leader scores for the group: the members' weights are the same.
    if (!leads(context.group.get())) return {};
    const auto& split = t.data->split();
    auto& net = *t.net;
    Metrics out;
    for (auto [part, rows] : {std::pair{"val", &split.val}, {"test", &split.test}}) {
      if (rows->empty()) continue;
      const auto truth = labels_of(t.data->clean_labels(), *rows);
      const auto predicted = predict(net, *t.data, *rows, t.device, t.eval_batch);
      out.merge(score_part(*t.data, part, *rows, truth, predicted, context.run_dir));
    }
    out["val_loss"] = out.at("val_mse");
    out["train_loss"] = t.loop.train_loss;
    out["epochs"] = static_cast<double>(t.loop.epochs_run);
    out["samples_per_s"] =
        t.loop.train_seconds > 0 ? static_cast<double>(t.loop.samples) / t.loop.train_seconds : 0;
    if (save_model_param(params) != SaveModel::None && !context.run_dir.empty()) {
      torch::serialize::OutputArchive archive;
      net.to(torch::kCPU);
      net.save(archive);
      std::filesystem::create_directories(checkpoint_dir(context.run_dir));
      archive.save_to((checkpoint_dir(context.run_dir) / "model.pt").string());
    }
    return out;
  }

 private:
  // What training leaves for scoring.
  struct Training {
    std::optional<data::TrialData> data;
    std::shared_ptr<DrugResponseNet> net;
    torch::Device device = torch::kCPU;
    std::size_t eval_batch = 0;
    LoopState loop;
  };

  // Trains on one rank, or as one member of the trial's rank group, whose sync points are the
  // `agree` before each summed gradient and at the end of each epoch.
  void train(const json& params, const TrainingSettings& s, const RunContext& context,
             Training& t) const {
    RankGroup* group = context.group.get();
    t.data.emplace(load_model_data(campaign_, params, context.seed));
    const data::TrialData& data = *t.data;
    const auto& split = data.split();
    if (split.train.empty()) throw std::runtime_error("the training split is empty");
    if (split.val.empty()) throw std::runtime_error("the validation split is empty");
    keep_freed_memory();
    // The campaign's `threads` wins over the site's default for the worker.
    const auto threads = s.threads > 0 ? s.threads : context.threads;
    if (threads > 0) torch::set_num_threads(static_cast<int>(threads));
    t.device = resolve_device(s.device, context.device);
    const torch::Device device = t.device;
    const auto view = data.view();
    t.net = build_network(params, view, context.seed);
    auto& net = t.net;
    if (view.second_drug_width() > 0 && !net->reads_second_drug()) {
      throw std::runtime_error(kIgnoresSecondDrug);
    }
    net->to(device);
    net->train();
    const Stepper stepper = make_stepper(s, net->parameters());

    BatchLoader loader(data, data.labels(), net->sparse_input(), device);
    // An ltfb trainer trains on its shard and holds its tournament rows out of it.
    auto order = split.train;
    std::vector<std::size_t> tournament_rows;
    if (context.tournament) {
      auto shard = context.tournament->shard(split.train);
      if (shard.train.empty() || shard.tournament.empty()) {
        throw std::runtime_error("ltfb: trainer " + std::to_string(context.tournament->trainer) +
                                 "'s shard of " + std::to_string(split.train.size()) +
                                 " training rows leaves " + std::to_string(shard.train.size()) +
                                 " to train on and " + std::to_string(shard.tournament.size()) +
                                 " for its tournament; use fewer trainers or more data");
      }
      order = std::move(shard.train);
      tournament_rows = std::move(shard.tournament);
    }
    const auto tournament_truth = labels_of(data.labels(), tournament_rows);
    // loss alpha_weighted: each training row's weight, from its label's rank among them.
    std::vector<float> row_weight, batch_weight;
    if (s.loss == "alpha_weighted") {
      const auto weights = low_response_weights(labels_of(data.labels(), order), s.loss_alpha);
      row_weight.assign(data.labels().size(), 0.0f);
      for (std::size_t i = 0; i < order.size(); ++i) row_weight[order[i]] = weights[i];
    }
    Rng rng(context.seed);
    const auto batch = static_cast<std::size_t>(s.batch_size);
    // At least 256 rows, and no more than training uses beyond that: a CNN's activations
    // take ~4 MB a row.
    t.eval_batch = std::max<std::size_t>(batch, 256);
    const auto val_truth = labels_of(data.clean_labels(), split.val);
    LoopState& loop = t.loop;
    if (!context.checkpoint.restore.empty()) {
      loop = load_training(context.checkpoint.restore, *net, stepper, device);
    } else if (!context.warm_start.empty()) {
      // Another trial's final weights, trained on with this trial's own optimizer and data.
      torch::serialize::InputArchive archive;
      archive.load_from((context.warm_start / "training.pt").string(), device);
      load_weights(archive, *net, nullptr);
      if (context.reporting()) {
        const double start =
            regression_metrics(val_truth, predict(*net, data, split.val, device, t.eval_batch))
                .at("mse");
        context.report(0, {{"val_loss", start}, {"epochs", 0.0}});
      }
    }
    // The order of the training rows after each finished epoch, drawn again: cheaper to redo
    // than to keep in a checkpoint.
    for (std::int64_t epoch = 0; epoch < loop.epochs_run; ++epoch) shuffle(order, rng);
    for (std::int64_t epoch = loop.epochs_run; epoch < s.epochs; ++epoch) {
      shuffle(order, rng);
      if (group != nullptr) {
        // Masks of their own for each member's rows, drawn again from the epoch on a resume.
        for (const auto& d : dropouts(*net)) {
          d->reseed(mix_seed(mix_seed(context.seed, static_cast<std::uint64_t>(group->rank())),
                             static_cast<std::uint64_t>(epoch)));
        }
      }
      const auto start = std::chrono::steady_clock::now();
      double loss_sum = 0;
      for (std::size_t first = 0; first < order.size(); first += batch) {
        if (context.cancelled()) throw std::runtime_error("cancelled");
        const std::size_t n = std::min(batch, order.size() - first);
        const auto [lo, hi] = share_of(n, group);
        net->zero_grad();
        double loss_part = 0;
        if (hi > lo && row_weight.empty()) {
          auto b = loader.load(order.data() + first + lo, hi - lo);
          auto loss = loss_of(s.loss, net->forward(b.x), b.y);
          const double share = static_cast<double>(hi - lo) / static_cast<double>(n);
          (group != nullptr ? loss * share : loss).backward();
          loss_part = loss.item<double>() * static_cast<double>(hi - lo);
        } else if (hi > lo) {
          // The member's part of the minibatch's weighted mean squared error: the members'
          // parts sum to it.
          auto b = loader.load(order.data() + first + lo, hi - lo);
          double total = 0;
          for (std::size_t i = first; i < first + n; ++i) total += row_weight[order[i]];
          batch_weight.resize(hi - lo);
          for (std::size_t i = lo; i < hi; ++i) batch_weight[i - lo] = row_weight[order[first + i]];
          const auto w = torch::from_blob(batch_weight.data(), {static_cast<std::int64_t>(hi - lo)})
                             .to(device);
          auto loss = (w * (net->forward(b.x) - b.y).square()).sum() / total;
          loss.backward();
          loss_part = loss.item<double>() * static_cast<double>(n);
        }
        if (group != nullptr) {
          auto flat = flat_gradients(*net, loss_part);
          agree(*group, GroupVerdict::Continue);
          group->sum(flat.data_ptr<float>(), static_cast<std::size_t>(flat.numel()));
          loss_part = take_gradients(*net, flat);
        }
        stepper.step();
        loss_sum += loss_part;
      }
      loop.train_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      loop.samples += order.size();
      loop.train_loss = loss_sum / static_cast<double>(order.size());
      ++loop.epochs_run;
      if (!std::isfinite(loop.train_loss)) break;  // diverged: the metrics below say nan
      std::optional<double> val;
      bool patience_over = false;
      StepAnswer answer;
      // In a group, a failure from here on is told at the next sync point every member reaches
      // (the tournament's at a step with one, else the epoch's), so that all of them make the
      // same collective calls.
      std::exception_ptr failure;
      try {
        if (s.patience > 0 || context.reporting()) {
          val = regression_metrics(val_truth, predict(*net, data, split.val, device, t.eval_batch))
                    .at("mse");
        }
        if (s.patience > 0) {
          if (*val < loop.best_val) {
            loop.best_val = *val;
            loop.best_state = snapshot(*net);
            loop.stale = 0;
          } else {
            patience_over = ++loop.stale >= s.patience;
          }
        }
        if (val && context.reporting()) {
          const Metrics progress = {{"val_loss", *val},
                                    {"train_loss", loop.train_loss},
                                    {"epochs", static_cast<double>(loop.epochs_run)}};
          const auto tournament_loss = [&](DrugResponseNet& scored) {
            return regression_metrics(tournament_truth,
                                      predict(scored, data, tournament_rows, device, t.eval_batch))
                .at("mse");
          };
          const TournamentHooks hooks{
              [&](const std::filesystem::path& dir) { save_training(dir, *net, stepper, loop); },
              [&] { return tournament_loss(*net); },
              [&](const std::filesystem::path& snapshot) {
                const auto partner = build_network(params, view, context.seed);
                partner->to(device);
                torch::serialize::InputArchive archive;
                archive.load_from((snapshot / "training.pt").string(), device);
                load_weights(archive, *partner, nullptr);
                return tournament_loss(*partner);
              },
              [&](const std::filesystem::path& snapshot) {
                adopt_training(snapshot, *net, stepper, device);
              }};
          answer = report_step(context, loop.epochs_run, progress, hooks);
        }
      } catch (...) {
        if (group == nullptr) throw;
        failure = std::current_exception();
      }
      if (group != nullptr && context.tournament && context.tournament->due(loop.epochs_run)) {
        // The members take the partner's state that won on the leader's tournament rows.
        std::string adopted = answer.adopted ? answer.partner.string() : std::string();
        agree_sharing(*group, failure ? GroupVerdict::Failed : GroupVerdict::Continue, adopted);
        if (failure) std::rethrow_exception(failure);
        if (!leads(group) && !adopted.empty()) adopt_training(adopted, *net, stepper, device);
      }
      const ProgressDecision decision = answer.decision;
      GroupVerdict verdict = std::max(
          verdict_of(decision), patience_over ? GroupVerdict::Finish : GroupVerdict::Continue);
      // Saved before the members agree: after a breaking verdict the others are gone, and a
      // leader whose save failed must say so while they still listen.
      try {
        if (!failure && !answer.unplayed) {
          checkpoint_if_due(
              context, loop.epochs_run, decision,
              [&](const std::filesystem::path& dir) { save_training(dir, *net, stepper, loop); });
        }
      } catch (...) {
        if (group == nullptr) throw;
        failure = std::current_exception();
      }
      if (group != nullptr) {
        verdict =
            agree(*group, failure ? GroupVerdict::Failed : verdict, weights_fingerprint(*net));
      }
      if (failure) std::rethrow_exception(failure);
      if (verdict != GroupVerdict::Continue) break;
    }
    if (!loop.best_state.empty()) restore(*net, loop.best_state);
    // The weights it ends with, early stopping's best among them, for the trials that start
    // from them.
    try {
      checkpoint_at_end(context, loop.epochs_run, [&](const std::filesystem::path& dir) {
        save_training(dir, *net, stepper, loop);
      });
    } catch (const std::exception& e) {
      if (group == nullptr) throw;
      // The members are past their last sync point: the leader fails the trial on its own.
      throw GroupFailed(std::string("saving the final checkpoint: ") + e.what());
    }
  }

  std::shared_ptr<DrugResponseNet> build_network(const json& params, const data::JoinedView& view,
                                                 std::uint64_t seed) const {
    const std::lock_guard<std::mutex> lock(initial_weights_mutex);
    torch::manual_seed(seed);
    return spec_.build(params, static_cast<std::int64_t>(view.cell_width()),
                       static_cast<std::int64_t>(view.drug_width()));
  }

  const Campaign& campaign_;
  NetworkSpec spec_;
};

std::vector<std::string> torch_metrics() {
  std::vector<std::string> names = {"val_loss"};
  for (const char* prefix : {"val_", "test_"}) {
    for (const auto& m : regression_metric_names()) names.push_back(prefix + m);
  }
  for (const char* extra : {"train_loss", "epochs", "samples_per_s"}) names.push_back(extra);
  return names;
}

}  // namespace

bool register_network(const std::string& name, NetworkSpec spec) {
  ModelEntry entry{torch_metrics(), [spec](const Campaign& campaign) -> std::unique_ptr<Model> {
                     return std::make_unique<TorchModel>(campaign, spec);
                   }};
  entry.data_parallel = true;
  entry.tournaments = true;
  entry.warm_starts = true;
  return ModelRegistry::instance().add(name, std::move(entry));
}

}  // namespace overseer::torch_models
