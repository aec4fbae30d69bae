// curve: a learning curve in closed form, for testing and measuring schedulers without training
// cost. After step t of `epochs` its loss is
//     target + (start - target) * exp(-rate * t)
// so the ranking of trials at any step, and at the end, is known exactly, and each step costs
// exactly `step_s` seconds of waiting. A slow `rate` with a low `target` makes a trial that
// looks bad early and wins late, which is what early stopping can get wrong. Its checkpoints
// hold the step it reached and the point its curve goes through: in an ltfb tournament (scored
// by the loss itself) a loser takes the winner's loss at the step and goes on from there at its
// own rate towards its own target.
#include <cmath>
#include <stdexcept>
#include <thread>

#include "overseer/models/artifacts.hpp"
#include "overseer/models/checkpoints.hpp"
#include "overseer/models/model.hpp"
#include "overseer/models/tournament_round.hpp"

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
};

class CurveModel : public Model {
 public:
  void check(const json& params) const override { Curve{params}; }

  Metrics evaluate(const json& params, const RunContext& context) override {
    const Curve curve(params);
    // Its whole state: the step reached, and a point of its curve.
    State state{0, 0, curve.start};
    if (!context.checkpoint.restore.empty()) {
      state = read_state(context.checkpoint.restore, curve);
    } else if (!context.warm_start.empty()) {
      // From the loss another trial ended with, on this trial's own curve.
      state.anchor_value = snapshot_loss(context.warm_start);
      context.report(0, metrics_at(curve, state));
    }
    const auto save = [&](const std::filesystem::path& dir) {
      write_json_file(dir / "curve.json", {{"step", state.step},
                                           {"anchor_step", state.anchor_step},
                                           {"anchor_value", state.anchor_value},
                                           {"loss", state.loss(curve)}});
    };
    const TournamentHooks hooks{save, [&] { return state.loss(curve); }, snapshot_loss,
                                [&](const std::filesystem::path& snapshot) {
                                  state.anchor_value = snapshot_loss(snapshot);
                                  state.anchor_step = state.step;
                                }};
    while (state.step < curve.epochs) {
      if (context.cancelled()) throw std::runtime_error("cancelled");
      if (curve.step_s > 0) {
        std::this_thread::sleep_for(std::chrono::duration<double>(curve.step_s));
      }
      ++state.step;
      const StepAnswer answer = report_step(context, state.step, metrics_at(curve, state), hooks);
      if (!answer.unplayed) checkpoint_if_due(context, state.step, answer.decision, save);
      if (answer.decision != ProgressDecision::Continue) break;
    }
    checkpoint_at_end(context, state.step, save);
    return metrics_at(curve, state);
  }

 private:
  struct State {
    std::int64_t step, anchor_step;
    double anchor_value;

    double loss(const Curve& curve) const {
      return curve.target + (anchor_value - curve.target) *
                                std::exp(-curve.rate * static_cast<double>(step - anchor_step));
    }
  };

  // Another trial's loss in its checkpoint or snapshot: it comes from that trial's own curve.
  static double snapshot_loss(const std::filesystem::path& dir) {
    return read_json_file(dir / "curve.json").at("loss").get<double>();
  }

  // A checkpoint or snapshot; one saved before tournaments existed holds only the step.
  static State read_state(const std::filesystem::path& dir, const Curve& curve) {
    const json saved = read_json_file(dir / "curve.json");
    return State{saved.at("step").get<std::int64_t>(), saved.value("anchor_step", std::int64_t{0}),
                 saved.value("anchor_value", curve.start)};
  }

  static Metrics metrics_at(const Curve& curve, const State& state) {
    return {{"val_loss", state.loss(curve)}, {"epochs", static_cast<double>(state.step)}};
  }
};

ModelEntry curve_entry() {
  ModelEntry entry{{"val_loss", "epochs"},
                   [](const Campaign&) { return std::make_unique<CurveModel>(); }};
  entry.tournaments = true;
  entry.warm_starts = true;
  return entry;
}

const bool registered = ModelRegistry::instance().add("curve", curve_entry());

}  // namespace
}  // namespace overseer
