// cmp: the model comparison of the IMPROVE/CANDLE CMP study. One trial trains two submodels on
// (nearly) the same hyperparameters and returns how much a metric of theirs differs, so that a
// search minimizing it finds where the two models differ most. docs/compare.md is the manual.
#include <algorithm>
#include <array>
#include <future>

#include "overseer/core/error.hpp"
#include "overseer/core/random.hpp"
#include "overseer/models/artifacts.hpp"
#include "overseer/models/cmp_difference.hpp"
#include "overseer/models/cmp_routing.hpp"
#include "overseer/models/model.hpp"

namespace overseer {
namespace {

enum class Concurrency { Auto, Concurrent, Sequential };

// One of the two compared models, with a campaign of its own: models read their data from
// their campaign and keep a reference to it, so it lives as long as the model.
struct Submodel {
  int index = 0;
  std::string label;  // "submodel 0 (xgboost)", for messages
  std::string pointer;
  Campaign campaign;
  const ModelEntry* entry = nullptr;
  std::unique_ptr<Model> model;

  json params(const json& trial) const {
    return merge_params(campaign.model.params, route_cmp_params(trial, index).params);
  }
  std::filesystem::path run_dir(const RunContext& context) const {
    if (context.run_dir.empty()) return {};
    return context.run_dir / ("m" + std::to_string(index));
  }
};

// What one submodel's evaluation produced.
struct Outcome {
  Metrics metrics;
  std::string error;  // empty when it succeeded
  double start = 0, end = 0;
};

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool names_a_gpu(const json& params) {
  if (!params.contains("device")) return false;
  const Device device = device_param(params);
  return device.kind == Device::Cuda || device.kind == Device::Rocm;
}

class CmpModel : public Model {
 public:
  explicit CmpModel(const Campaign& campaign) {
    const JsonView data(campaign.model.data, campaign.file.string(),
                        json::json_pointer(campaign.model.data_pointer));
    if (data.value().is_null()) {
      data.fail("the cmp model needs {\"models\": [two submodels], ...}; see docs/compare.md");
    }
    data.only_keys({"models", "metric", "difference", "concurrency"});
    metric_ = data.string_or("metric", "val_loss");
    if (auto v = data.find("difference")) {
      try {
        difference_ = parse_cmp_difference(v->string());
      } catch (const std::invalid_argument& e) {
        v->fail(e.what());
      }
    }
    if (auto v = data.find("concurrency")) {
      const std::string mode = v->string();
      if (mode == "concurrent") {
        concurrency_ = Concurrency::Concurrent;
      } else if (mode == "sequential") {
        concurrency_ = Concurrency::Sequential;
      } else if (mode != "auto") {
        v->fail("concurrency must be auto, concurrent or sequential, not \"" + mode + "\"");
      }
    }
    const JsonView models = data.at("models");
    const auto elements = models.elements();
    if (elements.size() != 2) {
      models.fail("the cmp model compares two submodels, found " + std::to_string(elements.size()));
    }
    for (int i = 0; i < 2; ++i) {
      submodels_[i] = make_submodel(campaign, elements[static_cast<std::size_t>(i)], i);
    }
  }

  void check(const json& params) const override {
    for (const auto& s : submodels_) {
      const RoutedParams routed = route_cmp_params(params, s->index);
      try {
        s->model->check(merge_params(s->campaign.model.params, routed.params));
      } catch (const ParameterError& e) {
        const std::string message = s->label + ": " + e.what();
        if (auto origin = routed.origin.find(e.parameter()); origin != routed.origin.end()) {
          throw ParameterError(origin->second, message);
        }
        if (s->campaign.model.params.contains(e.parameter())) {
          throw InputError(s->campaign.file.string(), s->pointer + "/params/" + e.parameter(),
                           message);
        }
        throw ParameterError("cmp_" + std::to_string(s->index) + "_" + e.parameter(), message);
      }
    }
  }

  Metrics evaluate(const json& params, const RunContext& context) override {
    const std::array<json, 2> sub_params = {submodels_[0]->params(params),
                                            submodels_[1]->params(params)};
    std::array<Outcome, 2> outcomes;
    if (concurrent(sub_params, context)) {
      auto second = std::async(std::launch::async, [&] {
        outcomes[1] = run_submodel(*submodels_[1], sub_params[1], context);
      });
      outcomes[0] = run_submodel(*submodels_[0], sub_params[0], context);
      second.get();
    } else {
      outcomes[0] = run_submodel(*submodels_[0], sub_params[0], context);
      // A failed first submodel fails the trial: the second one's training would be wasted.
      if (outcomes[0].error.empty()) {
        outcomes[1] = run_submodel(*submodels_[1], sub_params[1], context);
      }
    }

    std::string errors;
    for (const auto& s : submodels_) {
      const Outcome& o = outcomes[static_cast<std::size_t>(s->index)];
      if (o.error.empty()) continue;
      errors += (errors.empty() ? "" : "; ") + s->label + " failed: " + o.error;
    }
    if (!errors.empty()) throw std::runtime_error(errors);

    Metrics out;
    std::array<double, 2> compared{};
    for (const auto& s : submodels_) {
      const Outcome& o = outcomes[static_cast<std::size_t>(s->index)];
      const std::string prefix = "m" + std::to_string(s->index) + "_";
      auto it = o.metrics.find(metric_);
      if (it == o.metrics.end()) {
        throw std::runtime_error(s->label + " did not report metric \"" + metric_ + "\"");
      }
      compared[static_cast<std::size_t>(s->index)] = it->second;
      for (const auto& [name, value] : o.metrics) out[prefix + name] = value;
      out[prefix + "time_s"] = o.end - o.start;
    }
    out["difference"] = cmp_difference(difference_, compared[0], compared[1]);
    return out;
  }

 private:
  std::unique_ptr<Submodel> make_submodel(const Campaign& campaign, const JsonView& spec,
                                          int index) const {
    auto s = std::make_unique<Submodel>();
    s->index = index;
    s->pointer = spec.pointer();
    spec.only_keys({"name", "params", "data"});
    s->campaign = campaign;
    s->campaign.model.name = spec.at("name").string();
    s->campaign.model.params = json::object();
    if (auto p = spec.find("params")) {
      p->require_object();
      s->campaign.model.params = p->value();
    }
    s->campaign.model.data = spec.has("data") ? spec.at("data").value() : json();
    s->campaign.model.data_pointer = s->pointer + "/data";
    s->campaign.objective.metric = metric_;
    s->label = "submodel " + std::to_string(index) + " (" + s->campaign.model.name + ")";
    s->entry = &find_model(s->campaign.model.name, spec.file(), s->pointer + "/name");
    const auto& reported = s->entry->metrics;
    if (std::find(reported.begin(), reported.end(), metric_) == reported.end()) {
      throw InputError(
          spec.file(), campaign.model.data_pointer + "/metric",
          s->label + " does not report \"" + metric_ + "\"; it reports: " + joined(reported));
    }
    s->model = s->entry->create(s->campaign);
    return s;
  }

  // Two trainings at once only where they do not compete for one device: a worker that holds
  // two, or parameters that put the submodels on different GPUs.
  bool concurrent(const std::array<json, 2>& sub_params, const RunContext& context) const {
    if (concurrency_ != Concurrency::Auto) return concurrency_ == Concurrency::Concurrent;
    if (context.devices.size() >= 2) return true;
    if (!names_a_gpu(sub_params[0]) || !names_a_gpu(sub_params[1])) return false;
    const Device d0 = device_param(sub_params[0]);
    const Device d1 = device_param(sub_params[1]);
    return d0.kind != d1.kind || d0.index != d1.index;
  }

  Outcome run_submodel(const Submodel& s, const json& params, const RunContext& context) const {
    RunContext sub = context;
    sub.seed = mix_seed(context.seed, static_cast<std::uint64_t>(s.index));
    sub.run_dir = s.run_dir(context);
    if (context.devices.size() >= 2) {
      sub.device = context.devices[static_cast<std::size_t>(s.index)];
      sub.devices = {sub.device};
    }
    Outcome o;
    o.start = unix_time_now();
    try {
      if (!sub.run_dir.empty()) {
        std::filesystem::create_directories(sub.run_dir);
        write_json_file(sub.run_dir / "params.json", params);
      }
      o.metrics = s.model->evaluate(params, sub);
    } catch (const std::exception& e) {
      o.error = e.what();
    } catch (...) {
      o.error = "unknown exception";
    }
    o.end = unix_time_now();
    if (!sub.run_dir.empty()) keep_artifacts(s, sub, o);
    return o;
  }

  // The submodel's own result.json, and its checkpoint moved to the trial's checkpoint
  // directory, where the master prunes checkpoints of trials that are not the best.
  static void keep_artifacts(const Submodel& s, const RunContext& sub, const Outcome& o) {
    json result = {{"model", s.campaign.model.name},
                   {"status", o.error.empty() ? "ok" : "failed"},
                   {"start", o.start},
                   {"end", o.end},
                   {"seed", sub.seed},
                   {"device", sub.device}};
    json metrics = json::object();
    for (const auto& [name, value] : o.metrics) metrics[name] = metric_to_json(value);
    result["metrics"] = metrics;
    if (!o.error.empty()) result["message"] = o.error;
    write_json_file(sub.run_dir / "result.json", result);
    const auto checkpoint = checkpoint_dir(sub.run_dir);
    if (std::filesystem::exists(checkpoint)) {
      const auto target = checkpoint_dir(sub.run_dir.parent_path()) / sub.run_dir.filename();
      std::filesystem::create_directories(target.parent_path());
      std::filesystem::rename(checkpoint, target);
    }
  }

  std::string metric_ = "val_loss";
  CmpDifference difference_ = CmpDifference::Relative;
  Concurrency concurrency_ = Concurrency::Auto;
  std::array<std::unique_ptr<Submodel>, 2> submodels_;
};

const bool registered = ModelRegistry::instance().add(
    "cmp", {{"difference"}, [](const Campaign& campaign) -> std::unique_ptr<Model> {
              return std::make_unique<CmpModel>(campaign);
            }});

}  // namespace
}  // namespace overseer
