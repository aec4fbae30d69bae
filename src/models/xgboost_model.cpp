// xgboost: gradient-boosted trees through XGBoost's C API, fed the joined features of each
// split as sparse rows gathered from the unmerged tables (never a dense merged copy).
#include <cmath>

#include "overseer/data/trial_data.hpp"
#include "overseer/models/metrics.hpp"
#include "overseer/models/model.hpp"
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

struct XgbSettings {
  std::int64_t rounds, max_depth, threads;
  std::string tree_method;

  explicit XgbSettings(const json& p)
      : rounds(int_param(p, "n_estimators", 100, 1, 1000000)),
        max_depth(int_param(p, "max_depth", 6, 0, 64)),
        threads(int_param(p, "nthread", 0, 0, 4096)),
        tree_method(choice_param(p, "tree_method", "hist", kTreeMethods)) {
    for (const auto& s : kNumberSettings) number_param(p, s.name, s.fallback, s.lower, s.upper);
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

  void check(const json& params) const override { XgbSettings settings(params); }

  Metrics evaluate(const json& params, const RunContext& context) override {
    const XgbSettings s(params);
    const auto options = data::parse_data_options(
        JsonView(campaign_.model.data, campaign_.file.string(), json::json_pointer("/model/data")),
        campaign_.base_dir, params);
    const data::TrialData d = data::load_trial_data(options, context.seed);

    data::CsrRows csr;
    std::vector<float> y;
    gather_split(d, d.split().train, d.labels(), csr, y);
    const xgb::Matrix train(csr, y);
    struct Scored {
      const char* prefix;
      const std::vector<std::size_t>* rows;
      std::unique_ptr<xgb::Matrix> matrix;
      std::vector<float> y;
    };
    std::vector<Scored> scored;
    for (auto [prefix, rows] : {std::pair{"val_", &d.split().val}, {"test_", &d.split().test}}) {
      if (rows->empty()) continue;
      Scored entry{prefix, rows, nullptr, {}};
      gather_split(d, *rows, d.clean_labels(), csr, entry.y);
      entry.matrix = std::make_unique<xgb::Matrix>(csr, entry.y);
      scored.push_back(std::move(entry));
    }

    xgb::Booster booster({&train});
    booster.set("objective", "reg:squarederror");
    booster.set("max_depth", std::to_string(s.max_depth));
    booster.set("tree_method", s.tree_method);
    booster.set("seed", std::to_string(context.seed % 2147483647));
    if (s.threads > 0) booster.set("nthread", std::to_string(s.threads));
    for (const auto& n : kNumberSettings) {
      booster.set(n.name, json(number_param(params, n.name, n.fallback, n.lower, n.upper)).dump());
    }
    for (std::int64_t round = 0; round < s.rounds; ++round) {
      if (context.cancelled()) throw std::runtime_error("cancelled");
      booster.update(static_cast<int>(round), train);
    }

    Metrics out;
    for (const auto& entry : scored) {
      out.merge(regression_metrics(entry.y, booster.predict(*entry.matrix), entry.prefix));
    }
    out["val_loss"] = out.at("val_mse");
    const auto fitted = booster.predict(train);
    out["train_loss"] = regression_metrics(y, fitted).at("mse");
    if (params.value("save_model", "none") == "all" && !context.run_dir.empty()) {
      booster.save((context.run_dir / "model.json").string());
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
