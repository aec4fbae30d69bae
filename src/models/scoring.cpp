#include "overseer/models/scoring.hpp"

#include <algorithm>
#include <map>

#include "overseer/core/study_metric.hpp"
#include "overseer/models/artifacts.hpp"
#include "overseer/models/metrics.hpp"

namespace overseer {
namespace {

// One training run scores every target study of a cross-study analysis at once.
Metrics per_study_metrics(const data::TrialData& data, const std::string& prefix,
                          const std::vector<std::size_t>& rows, const std::vector<float>& truth,
                          const std::vector<float>& predicted) {
  struct Pairs {
    std::vector<float> truth, predicted;
  };
  std::map<std::string, Pairs> by_study;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Pairs& p = by_study[data.study_name(rows[i])];
    p.truth.push_back(truth[i]);
    p.predicted.push_back(predicted[i]);
  }
  Metrics out;
  for (const auto& [study, p] : by_study) {
    for (const auto& [name, value] : regression_metrics(p.truth, p.predicted, prefix)) {
      out[study_metric_name(name, study)] = value;
    }
  }
  return out;
}

// The High Error Drug study's moved drugs and cell lines, scored on their own.
Metrics moved_metrics(const data::TrialData& data, const std::vector<std::size_t>& rows,
                      const std::vector<float>& truth, const std::vector<float>& predicted) {
  const auto& moved = data.split().moved;
  std::vector<float> t, p;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!std::binary_search(moved.begin(), moved.end(), rows[i])) continue;
    t.push_back(truth[i]);
    p.push_back(predicted[i]);
  }
  if (t.empty()) return {};
  return regression_metrics(t, p, "test_moved_");
}

}  // namespace

Metrics score_part(const data::TrialData& data, const std::string& part,
                   const std::vector<std::size_t>& rows, const std::vector<float>& truth,
                   const std::vector<float>& predicted, const std::filesystem::path& trial_dir) {
  const std::string prefix = part + "_";
  Metrics out = regression_metrics(truth, predicted, prefix);
  if (part == "test" && data.study_count() > 1) {
    out.merge(per_study_metrics(data, prefix, rows, truth, predicted));
  }
  if (part == "test" && !data.split().moved.empty())
    out.merge(moved_metrics(data, rows, truth, predicted));
  if (!trial_dir.empty()) write_predictions(trial_dir, part, data, rows, truth, predicted);
  return out;
}

}  // namespace overseer
