#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "overseer/core/json_view.hpp"

namespace overseer {

using TrialId = std::int64_t;

// Stopped: ended early by a scheduler's decision (or a drain), with the value it had reached.
enum class TrialStatus { Ok, Failed, NaN, Timeout, Stopped };

std::string to_string(TrialStatus status);
std::optional<TrialStatus> parse_trial_status(const std::string& text);

// What one attempt at a trial produced. `value` is the objective metric (NaN when absent).
struct TrialResult {
  TrialStatus status = TrialStatus::Failed;
  double value = 0;
  std::map<std::string, double> metrics;
  std::string message;
  double start = 0;  // seconds since the Unix epoch
  double end = 0;
  int rank = -1;
  std::string host;
  std::string devices;     // the worker's GPUs as its site's visible-device variable names them
  std::int64_t step = -1;  // the last step the model reported progress for; -1: none
};

// A finished trial as the searcher and the exports see it.
struct TrialRecord {
  TrialId id = 0;
  std::string label;  // user-given id (UPF), may be empty
  json params;
  int attempts = 0;
  TrialResult result;
};

// JSON numbers cannot hold NaN or infinities; they are written as null and read back as NaN.
json metric_to_json(double value);
double metric_from_json(const json& value);

double unix_time_now();
// This machine's host name, as results and the journal record it.
std::string host_name();

// status, value, metrics, message, start, end, rank, host, and devices and step when known
json to_json(const TrialResult& result);

}  // namespace overseer
