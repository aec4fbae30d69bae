#include "overseer/store/improve_csa.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>
#include <tuple>

#include "overseer/core/csv.hpp"
#include "overseer/core/study_metric.hpp"
#include "overseer/store/cross_study.hpp"

namespace overseer {
namespace {

const std::string kTestPrefix = "test_";

// Overseer's metric names as improvelib spells them.
std::string improve_metric(const std::string& metric) {
  if (metric == "pearson") return "pcc";
  if (metric == "spearman") return "scc";
  return metric;
}

struct Score {
  std::string metric;
  std::string source;
  std::string target;
  std::int64_t split = 0;
  double value = 0;
};

struct MeanAndSd {
  double mean = std::numeric_limits<double>::quiet_NaN();
  double sd = std::numeric_limits<double>::quiet_NaN();  // n - 1, as pandas' std
};

MeanAndSd mean_and_sd(const std::vector<double>& values) {
  MeanAndSd out;
  if (values.empty()) return out;
  double sum = 0;
  for (double v : values) sum += v;
  out.mean = sum / static_cast<double>(values.size());
  if (values.size() < 2) return out;
  double squares = 0;
  for (double v : values) squares += (v - out.mean) * (v - out.mean);
  out.sd = std::sqrt(squares / static_cast<double>(values.size() - 1));
  return out;
}

std::string table_csv(const std::set<std::string>& sources, const std::set<std::string>& targets,
                      const std::map<std::pair<std::string, std::string>, MeanAndSd>& cells,
                      bool sd) {
  std::ostringstream out;
  out << "src";
  for (const auto& target : targets) out << ',' << csv_field(target);
  out << '\n';
  for (const auto& source : sources) {
    out << csv_field(source);
    for (const auto& target : targets) {
      const auto cell = cells.find({source, target});
      out << ','
          << (cell == cells.end() ? "" : csv_number(sd ? cell->second.sd : cell->second.mean));
    }
    out << '\n';
  }
  return out.str();
}

}  // namespace

std::int64_t split_number(const Campaign& campaign, const json& trial_params) {
  for (const json* holder : {&trial_params, &campaign.model.params, &campaign.model.data}) {
    if (holder->is_object() && holder->contains("split_seed") &&
        holder->at("split_seed").is_number_integer()) {
      return holder->at("split_seed").get<std::int64_t>();
    }
  }
  const json& data = campaign.model.data;
  if (data.is_object() && data.contains("split") && data.at("split").is_object()) {
    const json& split = data.at("split");
    if (split.contains("k") && split.at("k").is_number_integer())
      return split.at("k").get<std::int64_t>();
  }
  return 0;
}

std::map<std::string, std::string> improve_csa_files(const Campaign& campaign,
                                                     const std::vector<TrialRecord>& trials) {
  std::vector<Score> scores;
  for (const auto& t : trials) {
    if (t.result.status != TrialStatus::Ok) continue;
    const std::string source = training_source(campaign, t.params);
    const std::int64_t split = split_number(campaign, t.params);
    for (const auto& [name, value] : t.result.metrics) {
      const auto scored = parse_study_metric(name);
      if (!scored || scored->metric.rfind(kTestPrefix, 0) != 0 || !std::isfinite(value)) continue;
      scores.push_back({improve_metric(scored->metric.substr(kTestPrefix.size())), source,
                        scored->study, split, value});
    }
  }
  std::map<std::string, std::string> files;
  if (scores.empty()) return files;
  std::sort(scores.begin(), scores.end(), [](const Score& a, const Score& b) {
    return std::tie(a.source, a.target, a.metric, a.split) <
           std::tie(b.source, b.target, b.metric, b.split);
  });

  // An IMPROVE-curated model is known by its own name, not by the improve model that ran it.
  const json& data = campaign.model.data;
  const bool named =
      data.is_object() && data.contains("model_name") && data.at("model_name").is_string();
  const std::string model =
      csv_field(named ? data.at("model_name").get<std::string>() : campaign.model.name);
  std::ostringstream all;
  all << "met,split,value,src,trg,model\n";
  std::set<std::string> metrics, sources, targets;
  std::map<std::string, std::map<std::pair<std::string, std::string>, std::vector<double>>> cells;
  std::map<std::string, std::array<std::vector<double>, 2>> pooled;  // within, cross
  for (const auto& s : scores) {
    all << csv_field(s.metric) << ',' << s.split << ',' << csv_number(s.value) << ','
        << csv_field(s.source) << ',' << csv_field(s.target) << ',' << model << '\n';
    metrics.insert(s.metric);
    sources.insert(s.source);
    targets.insert(s.target);
    cells[s.metric][{s.source, s.target}].push_back(s.value);
    pooled[s.metric][s.source == s.target ? 0 : 1].push_back(s.value);
  }
  files["all_scores.csv"] = all.str();

  for (const auto& metric : metrics) {
    std::map<std::pair<std::string, std::string>, MeanAndSd> summary;
    for (const auto& [cell, values] : cells[metric]) summary[cell] = mean_and_sd(values);
    files[metric + "_mean_csa_table.csv"] = table_csv(sources, targets, summary, false);
    files[metric + "_std_csa_table.csv"] = table_csv(sources, targets, summary, true);
  }

  std::ostringstream densed;
  densed << "met,mean,std,summary,model\n";
  for (const auto& [metric, groups] : pooled) {
    for (std::size_t g = 0; g < 2; ++g) {
      if (groups[g].empty()) continue;
      const MeanAndSd m = mean_and_sd(groups[g]);
      densed << csv_field(metric) << ',' << csv_number(m.mean) << ',' << csv_number(m.sd) << ','
             << (g == 0 ? "within" : "cross") << ',' << model << '\n';
    }
  }
  files["densed_csa_table.csv"] = densed.str();
  return files;
}

}  // namespace overseer
