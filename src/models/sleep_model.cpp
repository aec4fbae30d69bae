// A model that only waits, for measuring dispatch and exercising failure handling: it can be
// told to throw, return NaN or hang (ignoring cancellation, like a model stuck in native code).
#include <cmath>
#include <limits>
#include <thread>

#include "overseer/models/model.hpp"

namespace overseer {
namespace {

enum class FailMode { None, Throw, NaN, Hang };

FailMode fail_mode(const json& params) {
  auto it = params.find("fail");
  if (it == params.end()) return FailMode::None;
  if (!it->is_string()) throw ParameterError("fail", "parameter \"fail\" must be a string");
  const auto mode = it->get<std::string>();
  if (mode == "none") return FailMode::None;
  if (mode == "throw") return FailMode::Throw;
  if (mode == "nan") return FailMode::NaN;
  if (mode == "hang") return FailMode::Hang;
  throw ParameterError("fail",
                       "parameter \"fail\" must be none, throw, nan or hang, not \"" + mode + "\"");
}

class SleepModel : public Model {
 public:
  void check(const json& params) const override {
    if (number_param(params, "duration") < 0) {
      throw ParameterError("duration", "parameter \"duration\" must not be negative");
    }
    if (params.contains("value")) number_param(params, "value");
    if (params.contains("fail_attempts")) number_param(params, "fail_attempts");
    fail_mode(params);
  }

  Metrics evaluate(const json& params, const RunContext& context) override {
    check(params);
    const double duration = number_param(params, "duration");
    // fail_attempts = k fails only the first k attempts, so retries can succeed.
    const double fail_attempts = params.contains("fail_attempts")
                                     ? number_param(params, "fail_attempts")
                                     : std::numeric_limits<double>::infinity();
    const FailMode mode = context.attempt <= fail_attempts ? fail_mode(params) : FailMode::None;

    const auto start = std::chrono::steady_clock::now();
    const auto until = start + std::chrono::duration<double>(duration);
    for (auto now = start; now < until || mode == FailMode::Hang;
         now = std::chrono::steady_clock::now()) {
      if (mode != FailMode::Hang && context.cancelled()) throw std::runtime_error("cancelled");
      // Cancellation is noticed within 5 ms; a 1 ms trial still takes 1 ms.
      const auto left = until - now;
      std::this_thread::sleep_for(mode == FailMode::Hang || left > std::chrono::milliseconds(5)
                                      ? std::chrono::milliseconds(5)
                                      : left);
    }
    if (mode == FailMode::Throw) throw std::runtime_error("sleep model told to fail");
    const double slept =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double value = mode == FailMode::NaN      ? std::numeric_limits<double>::quiet_NaN()
                         : params.contains("value") ? number_param(params, "value")
                                                    : duration;
    return {{"value", value}, {"slept_s", slept}};
  }
};

const bool registered = ModelRegistry::instance().add(
    "sleep",
    {{"value", "slept_s"}, [](const Campaign&) { return std::make_unique<SleepModel>(); }});

}  // namespace
}  // namespace overseer
