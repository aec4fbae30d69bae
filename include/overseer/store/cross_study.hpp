#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// One cell of a cross-study table: `metric` ("r2") of the models trained on `source`, tested
// on the rows of study `target`, over the successful trials with a finite value (typically
// one per split seed).
struct CrossStudyCell {
  std::string source;
  std::string target;
  std::string metric;
  std::size_t count = 0;
  double mean = 0;
  double sd = 0;  // sample standard deviation (n - 1); NaN for a single value
};

// IMPROVE's cross-study table of a campaign: rows are training sources, columns the studies
// scored as test_METRIC@STUDY (see core/study_metric.hpp), cells the mean over the trials of
// each source. Sources, targets and metrics are sorted; only cells with a value are held.
struct CrossStudyTable {
  std::vector<std::string> sources;
  std::vector<std::string> targets;
  std::vector<std::string> metrics;
  std::vector<CrossStudyCell> cells;

  bool empty() const { return cells.empty(); }
  // nullptr for a cell without a value.
  const CrossStudyCell* find(const std::string& source, const std::string& target,
                             const std::string& metric) const;
};

// A trial's training source: its train_sources (a trial parameter, else the campaign's
// model.params, else model.data, else the study of an IMPROVE split object), names joined
// with '+'; "*" (every study) without one.
std::string training_source(const Campaign& campaign, const json& trial_params);

CrossStudyTable cross_study_table(const Campaign& campaign, const std::vector<TrialRecord>& trials);

// cross_study.csv: the N x N matrix of one metric's means, a row per training source (first
// column `train_source`) and a column per target study; an empty field for a missing cell.
std::string cross_study_matrix_csv(const CrossStudyTable& table, const std::string& metric);

// cross_study_long.csv: train_source,test_study,metric,count,mean,sd, one row per cell.
std::string cross_study_long_csv(const CrossStudyTable& table);

}  // namespace overseer
