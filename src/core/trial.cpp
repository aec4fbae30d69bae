#include "overseer/core/trial.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <limits>

namespace overseer {

std::string to_string(TrialStatus status) {
  switch (status) {
    case TrialStatus::Ok:
      return "ok";
    case TrialStatus::Failed:
      return "failed";
    case TrialStatus::NaN:
      return "nan";
    case TrialStatus::Timeout:
      return "timeout";
    case TrialStatus::Stopped:
      return "stopped";
  }
  return "failed";
}

std::optional<TrialStatus> parse_trial_status(const std::string& text) {
  for (auto s : {TrialStatus::Ok, TrialStatus::Failed, TrialStatus::NaN, TrialStatus::Timeout,
                 TrialStatus::Stopped}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

json metric_to_json(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}

double metric_from_json(const json& value) {
  return value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

json to_json(const TrialResult& r) {
  // Assigned member by member: an initializer list deep-copies every value and costs several
  // times more, which shows on the master's per-trial path.
  json out = json::object();
  json& metrics = out["metrics"] = json::object();
  for (const auto& [name, value] : r.metrics) metrics[name] = metric_to_json(value);
  out["status"] = to_string(r.status);
  out["value"] = metric_to_json(r.value);
  out["message"] = r.message;
  out["start"] = r.start;
  out["end"] = r.end;
  out["rank"] = r.rank;
  out["host"] = r.host;
  if (!r.devices.empty()) out["devices"] = r.devices;
  if (r.step >= 0) out["step"] = r.step;
  return out;
}

std::string host_name() {
  char buffer[256] = {};
  ::gethostname(buffer, sizeof buffer - 1);
  return buffer;
}

double unix_time_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace overseer
