#include "overseer/store/cross_study.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "overseer/core/csv.hpp"
#include "overseer/core/study_metric.hpp"

namespace overseer {
namespace {

const std::string kTestPrefix = "test_";

std::string source_label(const json& sources) {
  if (sources.is_string()) return sources.get<std::string>();
  std::string label;
  for (const auto& s : sources) {
    label += (label.empty() ? "" : "+") + (s.is_string() ? s.get<std::string>() : s.dump());
  }
  return label;
}

struct Accumulator {
  std::vector<double> values;

  CrossStudyCell cell() const {
    CrossStudyCell c;
    c.count = values.size();
    double sum = 0;
    for (double v : values) sum += v;
    c.mean = sum / static_cast<double>(c.count);
    double squares = 0;
    for (double v : values) squares += (v - c.mean) * (v - c.mean);
    c.sd = c.count > 1 ? std::sqrt(squares / static_cast<double>(c.count - 1))
                       : std::numeric_limits<double>::quiet_NaN();
    return c;
  }
};

}  // namespace

const CrossStudyCell* CrossStudyTable::find(const std::string& source, const std::string& target,
                                            const std::string& metric) const {
  for (const auto& c : cells) {
    if (c.source == source && c.target == target && c.metric == metric) return &c;
  }
  return nullptr;
}

std::string training_source(const Campaign& campaign, const json& trial_params) {
  for (const json* holder : {&trial_params, &campaign.model.params, &campaign.model.data}) {
    if (holder->is_object() && holder->contains("train_sources")) {
      return source_label(holder->at("train_sources"));
    }
  }
  // {"improve": STUDY, ...}, short for an IMPROVE split with train_sources STUDY.
  const json& data = campaign.model.data;
  if (data.is_object() && data.contains("split") && data.at("split").is_object() &&
      data.at("split").contains("improve")) {
    return source_label(data.at("split").at("improve"));
  }
  return "*";
}

CrossStudyTable cross_study_table(const Campaign& campaign,
                                  const std::vector<TrialRecord>& trials) {
  std::map<std::tuple<std::string, std::string, std::string>, Accumulator> by_cell;
  std::set<std::string> sources, targets, metrics;
  for (const auto& t : trials) {
    if (t.result.status != TrialStatus::Ok) continue;
    const std::string source = training_source(campaign, t.params);
    for (const auto& [name, value] : t.result.metrics) {
      const auto scored = parse_study_metric(name);
      if (!scored || scored->metric.rfind(kTestPrefix, 0) != 0 || !std::isfinite(value)) continue;
      const std::string metric = scored->metric.substr(kTestPrefix.size());
      by_cell[{source, scored->study, metric}].values.push_back(value);
      sources.insert(source);
      targets.insert(scored->study);
      metrics.insert(metric);
    }
  }
  CrossStudyTable table;
  table.sources.assign(sources.begin(), sources.end());
  table.targets.assign(targets.begin(), targets.end());
  table.metrics.assign(metrics.begin(), metrics.end());
  for (const auto& [key, accumulator] : by_cell) {
    CrossStudyCell cell = accumulator.cell();
    std::tie(cell.source, cell.target, cell.metric) = key;
    table.cells.push_back(std::move(cell));
  }
  return table;
}

std::string cross_study_matrix_csv(const CrossStudyTable& table, const std::string& metric) {
  std::ostringstream out;
  out << "train_source";
  for (const auto& target : table.targets) out << ',' << csv_field(target);
  out << '\n';
  for (const auto& source : table.sources) {
    out << csv_field(source);
    for (const auto& target : table.targets) {
      const CrossStudyCell* cell = table.find(source, target, metric);
      out << ',' << (cell ? csv_number(cell->mean) : "");
    }
    out << '\n';
  }
  return out.str();
}

std::string cross_study_long_csv(const CrossStudyTable& table) {
  std::ostringstream out;
  out << "train_source,test_study,metric,count,mean,sd\n";
  for (const auto& c : table.cells) {
    out << csv_field(c.source) << ',' << csv_field(c.target) << ',' << csv_field(c.metric) << ','
        << c.count << ',' << csv_number(c.mean) << ',' << csv_number(c.sd) << '\n';
  }
  return out.str();
}

}  // namespace overseer
