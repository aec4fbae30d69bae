// xgboost: gradient-boosted trees through XGBoost's C API, fed the joined features of each
// split as sparse rows gathered from the unmerged tables (never a dense merged copy).
#include <cmath>
#include <filesystem>
#include <mutex>
#include <optional>

#include <spdlog/spdlog.h>

#include "overseer/data/trial_data.hpp"
#include "overseer/models/artifacts.hpp"
#include "overseer/models/checkpoints.hpp"
#include "overseer/models/metrics.hpp"
#include "overseer/models/model.hpp"
#include "overseer/models/model_data.hpp"
#include "overseer/models/response_weights.hpp"
#include "overseer/models/scoring.hpp"
#include "xgboost_booster.hpp"

namespace overseer {
namespace {

// Booster parameters passed through as XGBoost spells them, with their ranges.
struct NumberSetting {
  const char* name;
  double fallback, lower, upper;
};
const NumberSetting kNumberSettings[] = {
    {"eta", 0.3, 0, 1},
    {"subsample", 1, 1e-6, 1},
    {"colsample_bytree", 1, 1e-6, 1},
    {"min_child_weight", 1, 0, 1e9},
    {"lambda", 1, 0, 1e9},
    {"alpha", 0, 0, 1e9},
    {"gamma", 0, 0, 1e9},
};
const std::vector<std::string> kTreeMethods = {"hist", "approx", "exact", "gpu_hist"};
const std::vector<std::string> kLosses = {"mse", "alpha_weighted"};

struct XgbSettings {
  std::int64_t rounds, max_depth, threads, report_every;
  std::string tree_method, loss;
  double loss_alpha;
  Device device;

  explicit XgbSettings(const json& p)
      : rounds(int_param(p, "n_estimators", 100, 1, 1000000)),
        max_depth(int_param(p, "max_depth", 6, 0, 64)),
        threads(int_param(p, "nthread", 0, 0, 4096)),
        report_every(int_param(p, "report_every", 10, 1, 1000000)),
        tree_method(choice_param(p, "tree_method", "hist", kTreeMethods)),
        loss(choice_param(p, "loss", "mse", kLosses)),
        loss_alpha(number_param(p, "loss_alpha", 0, 0, 1e6)),
        device(device_param(p)) {
    for (const auto& s : kNumberSettings) number_param(p, s.name, s.fallback, s.lower, s.upper);
    save_model_param(p);
    if (device.kind == Device::Cpu && tree_method == "gpu_hist") {
      throw ParameterError("tree_method", "tree_method gpu_hist runs on a GPU, but device is cpu");
    }
  }

  // Where the booster trains: the device asked for, or under `auto` the worker's device from
  // its site binding (`bound`) when this XGBoost can use a GPU.
  std::optional<Device> gpu(const std::string& bound) const {
    if (device.kind != Device::Auto || tree_method == "gpu_hist") {
      return on_gpu(device) ? std::optional<Device>(device) : std::nullopt;
    }
    const Device chosen = bound_device(device, bound);
    if (chosen.kind == Device::Cpu) return std::nullopt;
    return on_gpu(device) ? std::optional<Device>(chosen) : std::nullopt;
  }

  bool on_gpu(const Device& d) const {
    if (d.kind == Device::Cuda || d.kind == Device::Rocm || tree_method == "gpu_hist") {
      if (!xgb::built_with_gpu()) {
        throw std::runtime_error(
            (d.kind == Device::Auto ? "tree_method gpu_hist" : "device \"" + d.text + "\"") +
            " was asked for, but this XGBoost (" + xgb::version() +
            ") was built without GPU support (Debian's is CPU-only); use a site XGBoost built "
            "with CUDA, or device cpu");
      }
      return true;
    }
    if (d.kind == Device::Cpu) return false;
    static std::once_flag logged;
    const bool gpu = xgb::built_with_gpu();
    std::call_once(logged, [gpu] {
      spdlog::info("device auto: {}", gpu ? "XGBoost on the GPU (gpu_hist)"
                                          : "this XGBoost has no GPU support, using CPU");
    });
    return gpu;
  }
};

void gather_split(const data::TrialData& d, const std::vector<std::size_t>& rows,
                  const std::vector<float>& labels, data::CsrRows& csr, std::vector<float>& y) {
  // The caller picks the labels: noisy ones to train on, clean ones to score against.
  d.view().gather_csr(rows.data(), rows.size(), csr, nullptr);
  y.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) y[i] = labels[rows[i]];
}

class XgboostModel : public Model {
 public:
  explicit XgboostModel(const Campaign& campaign) : campaign_(campaign) {}

  void check(const json& params) const override {
    XgbSettings settings(params);
    check_model_data(campaign_, params);
  }

  Metrics evaluate(const json& params, const RunContext& context) override {
    const XgbSettings s(params);
    const std::optional<Device> gpu = s.gpu(context.device);
    const data::TrialData d = load_model_data(campaign_, params, context.seed);

    data::CsrRows csr;
    std::vector<float> y;
    gather_split(d, d.split().train, d.labels(), csr, y);
    xgb::Matrix train(csr, y);
    if (s.loss == "alpha_weighted") train.set_weights(low_response_weights(y, s.loss_alpha));
    struct Scored {
      std::string part;
      const std::vector<std::size_t>* rows;
      std::unique_ptr<xgb::Matrix> matrix;
      std::vector<float> y;
    };
    std::vector<Scored> scored;
    for (auto [part, rows] : {std::pair{"val", &d.split().val}, {"test", &d.split().test}}) {
      if (rows->empty()) continue;
      Scored entry{part, rows, nullptr, {}};
      gather_split(d, *rows, d.clean_labels(), csr, entry.y);
      entry.matrix = std::make_unique<xgb::Matrix>(csr, entry.y);
      scored.push_back(std::move(entry));
    }

    xgb::Booster booster({&train});
    booster.set("objective", "reg:squarederror");
    booster.set("max_depth", std::to_string(s.max_depth));
    if (gpu) {
      booster.set("tree_method", "gpu_hist");
      booster.set("gpu_id", std::to_string(gpu->index));
    } else {
      booster.set("tree_method", s.tree_method);
    }
    booster.set("seed", std::to_string(context.seed % 2147483647));
    // The campaign's `nthread` wins over the site's default for the worker.
    const auto threads = s.threads > 0 ? s.threads : context.threads;
    if (threads > 0) booster.set("nthread", std::to_string(threads));
    for (const auto& n : kNumberSettings) {
      booster.set(n.name, json(number_param(params, n.name, n.fallback, n.lower, n.upper)).dump());
    }
    std::int64_t first_round = 0;
    if (const auto& restore = context.checkpoint.restore; !restore.empty()) {
      booster.load((restore / "booster.ubj").string());
      first_round = read_json_file(restore / "rounds.json").at("rounds").get<std::int64_t>();
    }
    const Scored* val = scored.empty() || scored.front().part != "val" ? nullptr : &scored.front();
    for (std::int64_t round = first_round; round < s.rounds; ++round) {
      if (context.cancelled()) throw std::runtime_error("cancelled");
      booster.update(static_cast<int>(round), train);
      const std::int64_t done = round + 1;
      const bool reports =
          val != nullptr && context.reporting() && (done % s.report_every == 0 || done == s.rounds);
      ProgressDecision decision = ProgressDecision::Continue;
      if (reports) {
        const double mse = regression_metrics(val->y, booster.predict(*val->matrix)).at("mse");
        decision =
            context.report(done, {{"val_loss", mse}, {"n_estimators", static_cast<double>(done)}});
      }
      checkpoint_if_due(context, done, decision, [&](const std::filesystem::path& dir) {
        booster.save((dir / "booster.ubj").string());
        write_json_file(dir / "rounds.json", {{"rounds", done}});
      });
      if (decision != ProgressDecision::Continue) break;
    }

    Metrics out;
    for (const auto& entry : scored) {
      const auto predicted = booster.predict(*entry.matrix);
      out.merge(score_part(d, entry.part, *entry.rows, entry.y, predicted, context.run_dir));
    }
    out["val_loss"] = out.at("val_mse");
    const auto fitted = booster.predict(train);
    out["train_loss"] = regression_metrics(y, fitted).at("mse");
    if (save_model_param(params) != SaveModel::None && !context.run_dir.empty()) {
      std::filesystem::create_directories(checkpoint_dir(context.run_dir));
      booster.save((checkpoint_dir(context.run_dir) / "model.json").string());
    }
    return out;
  }

 private:
  const Campaign& campaign_;
};

std::vector<std::string> xgboost_metrics() {
  std::vector<std::string> names = {"val_loss"};
  for (const char* prefix : {"val_", "test_"}) {
    for (const auto& m : regression_metric_names()) names.push_back(prefix + m);
  }
  names.push_back("train_loss");
  return names;
}

const bool registered = ModelRegistry::instance().add(
    "xgboost", {xgboost_metrics(), [](const Campaign& campaign) -> std::unique_ptr<Model> {
                  return std::make_unique<XgboostModel>(campaign);
                }});

}  // namespace
}  // namespace overseer
