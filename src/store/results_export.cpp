#include "overseer/store/results_export.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <set>
#include <sstream>

#include "overseer/core/csv.hpp"

namespace overseer {
namespace {}  // namespace

std::string param_text(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

ResultColumns result_columns(const SearchSpace& space, const std::vector<TrialRecord>& trials) {
  ResultColumns columns;
  for (const auto& p : space.parameters()) columns.params.push_back(p.name);
  std::set<std::string> extra_params;
  std::set<std::string> metrics;
  for (const auto& t : trials) {
    for (const auto& item : t.params.items()) {
      if (!space.find(item.key())) extra_params.insert(item.key());
    }
    for (const auto& [name, value] : t.result.metrics) metrics.insert(name);
    columns.labelled = columns.labelled || !t.label.empty();
  }
  columns.params.insert(columns.params.end(), extra_params.begin(), extra_params.end());
  columns.metrics.assign(metrics.begin(), metrics.end());
  return columns;
}

std::vector<const TrialRecord*> sorted_by_id(const std::vector<TrialRecord>& trials) {
  std::vector<const TrialRecord*> sorted;
  sorted.reserve(trials.size());
  for (const auto& t : trials) sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->id < b->id; });
  return sorted;
}

std::string iso8601(double unix_seconds) {
  const auto whole = static_cast<std::time_t>(std::floor(unix_seconds));
  const int millis =
      static_cast<int>(std::lround((unix_seconds - std::floor(unix_seconds)) * 1000));
  std::tm tm{};
  gmtime_r(&whole, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%03dZ", buffer, std::min(millis, 999));
  return out;
}

std::string results_csv(const SearchSpace& space, const std::vector<TrialRecord>& trials) {
  const ResultColumns columns = result_columns(space, trials);
  const auto& params = columns.params;
  const auto& metrics = columns.metrics;
  const bool labelled = columns.labelled;

  std::ostringstream out;
  out << "trial_id";
  if (labelled) out << ",label";
  out << ",status,value";
  for (const auto& p : params) out << ',' << csv_field("param_" + p);
  for (const auto& m : metrics) out << ',' << csv_field("metric_" + m);
  out << ",attempts,step,rank,host,devices,start,end,duration_s,message\n";

  for (const TrialRecord* t : sorted_by_id(trials)) {
    const TrialResult& r = t->result;
    out << t->id;
    if (labelled) out << ',' << csv_field(t->label);
    out << ',' << to_string(r.status) << ',' << csv_number(r.value);
    for (const auto& p : params) {
      out << ',' << csv_field(t->params.contains(p) ? param_text(t->params[p]) : "");
    }
    for (const auto& m : metrics) {
      auto it = r.metrics.find(m);
      out << ',' << (it == r.metrics.end() ? "" : csv_number(it->second));
    }
    out << ',' << t->attempts << ',' << (r.step >= 0 ? std::to_string(r.step) : "") << ',' << r.rank
        << ',' << csv_field(r.host) << ',' << csv_field(r.devices) << ',' << iso8601(r.start) << ','
        << iso8601(r.end) << ',' << csv_number(r.end - r.start) << ',' << csv_field(r.message)
        << '\n';
  }
  return out.str();
}

ProgressRows progress_rows(const std::vector<ProgressRecord>& progress) {
  ProgressRows out;
  for (const auto& p : progress) {
    for (const auto& entry : p.metrics) out.metrics.insert(entry.first);
    out.rows.push_back(&p);
  }
  std::stable_sort(
      out.rows.begin(), out.rows.end(),
      [](const ProgressRecord* a, const ProgressRecord* b) { return a->trial < b->trial; });
  return out;
}

std::string progress_csv(const std::vector<ProgressRecord>& progress) {
  const ProgressRows table = progress_rows(progress);
  std::ostringstream out;
  out << "trial_id,attempt,step,time";
  for (const auto& m : table.metrics) out << ',' << csv_field("metric_" + m);
  out << '\n';
  for (const ProgressRecord* p : table.rows) {
    out << p->trial << ',' << p->attempt << ',' << p->step << ',' << iso8601(p->time);
    for (const auto& m : table.metrics) {
      auto it = p->metrics.find(m);
      out << ',' << (it == p->metrics.end() ? "" : csv_number(it->second));
    }
    out << '\n';
  }
  return out.str();
}

json best_json(const TrialRecord& best) {
  json out = {{"trial_id", best.id},
              {"value", metric_to_json(best.result.value)},
              {"params", best.params},
              {"metrics", to_json(best.result)["metrics"]}};
  if (!best.label.empty()) out["label"] = best.label;
  return out;
}

}  // namespace overseer
