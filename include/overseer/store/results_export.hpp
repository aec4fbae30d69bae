#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "overseer/core/search_space.hpp"
#include "overseer/core/trial.hpp"
#include "overseer/store/journal_records.hpp"

namespace overseer {

// The columns that results.csv and results.h5 share: hyperparameters in space order, then any
// other tuple members (UPF) alphabetically; metrics alphabetically; a label column only when
// some trial has a label.
struct ResultColumns {
  std::vector<std::string> params;
  std::vector<std::string> metrics;
  bool labelled = false;
};
ResultColumns result_columns(const SearchSpace& space, const std::vector<TrialRecord>& trials);

std::vector<const TrialRecord*> sorted_by_id(const std::vector<TrialRecord>& trials);

// A tuple member as results.csv writes it: strings bare, other values as JSON, null as "".
std::string param_text(const json& value);

// results.csv: one row per finished trial, ordered by trial id. Hyperparameters become
// `param_NAME` columns (space order, then any other tuple members), metrics `metric_NAME`;
// `step` is the last step the trial reported progress for (empty when it reported none).
std::string results_csv(const SearchSpace& space, const std::vector<TrialRecord>& trials);

// progress.csv: one row per progress report (trial_id, attempt, step, time, then `metric_NAME`
// columns for every metric any report had), the rows of each trial together in report order.
std::string progress_csv(const std::vector<ProgressRecord>& progress);

// The progress records in the exports' order, by trial and then as reported (the rows of one
// learning curve together), and the names of every metric among them, sorted.
struct ProgressRows {
  std::vector<const ProgressRecord*> rows;
  std::set<std::string> metrics;
};
ProgressRows progress_rows(const std::vector<ProgressRecord>& progress);

// best.json: the best successful trial.
json best_json(const TrialRecord& best);

// Seconds since the epoch as ISO 8601 UTC with milliseconds.
std::string iso8601(double unix_seconds);

}  // namespace overseer
