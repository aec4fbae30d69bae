// curve: a learning curve in closed form, for testing and measuring schedulers without training
// cost. After step t of `epochs` its loss is
//     target + (start - target) * exp(-rate * t)
// so the ranking of trials at any step, and at the end, is known exactly, and each step costs
// exactly `step_s` seconds of waiting. A slow `rate` with a low `target` makes a trial that
// looks bad early and wins late, which is what early stopping can get wrong. Its checkpoints
// hold the step it reached.
#include <cmath>
#include <stdexcept>
#include <thread>

#include "overseer/models/artifacts.hpp"
#include "overseer/models/checkpoints.hpp"
#include "overseer/models/model.hpp"

namespace overseer {
namespace {

struct Curve {
  double target, rate, start, step_s;
  std::int64_t epochs;

  explicit Curve(const json& p)
      : target(number_param(p, "target")),
        rate(number_param(p, "rate", 0.3, 1e-9, 1e9)),
        start(number_param(p, "start", target + 1, -1e300, 1e300)),
        step_s(number_param(p, "step_s", 0, 0, 3600)),
        epochs(int_param(p, "epochs", 10, 1, 100000000)) {}

  double loss(std::int64_t step) const {
    return target + (start - target) * std::exp(-rate * static_cast<double>(step));
  }
};

class CurveModel : public Model {
 public:
  void check(const json& params) const override { Curve{params}; }

  Metrics evaluate(const json& params, const RunContext& context) override {
    const Curve curve(params);
    // Its whole state is the step it reached.
    std::int64_t step = 0;
    if (!context.checkpoint.restore.empty()) {
      step =
          read_json_file(context.checkpoint.restore / "curve.json").at("step").get<std::int64_t>();
    }
    while (step < curve.epochs) {
      if (context.cancelled()) throw std::runtime_error("cancelled");
      if (curve.step_s > 0) {
        std::this_thread::sleep_for(std::chrono::duration<double>(curve.step_s));
      }
      ++step;
      const ProgressDecision decision = context.report(step, metrics_at(curve, step));
      checkpoint_if_due(context, step, decision, [&](const std::filesystem::path& dir) {
        write_json_file(dir / "curve.json", {{"step", step}});
      });
      if (decision != ProgressDecision::Continue) break;
    }
    return metrics_at(curve, step);
  }

 private:
  static Metrics metrics_at(const Curve& curve, std::int64_t step) {
    return {{"val_loss", curve.loss(step)}, {"epochs", static_cast<double>(step)}};
  }
};

const bool registered = ModelRegistry::instance().add(
    "curve",
    {{"val_loss", "epochs"}, [](const Campaign&) { return std::make_unique<CurveModel>(); }});

}  // namespace
}  // namespace overseer
