#pragma once

#include <string>
#include <vector>

#include "overseer/core/trial.hpp"
#include "overseer/store/journal_records.hpp"

namespace overseer {

// tree.csv of a dag campaign: one row per node, in the order the search proposed them, then
// the nodes it skipped under a failed parent. Columns: node, parents (their node ids, joined by
// spaces), stage (the root's is 0, a child's one more than its deepest parent's), held_out (the
// node's held_out_subsets), trial, status, value, and one metric_NAME column per metric any
// finished node reported. `search_events` are the journal's search records (kind "skipped":
// node and because, the failed parent).
std::string dag_tree_csv(const std::vector<CreatedRecord>& created,
                         const std::vector<TrialRecord>& finished,
                         const std::vector<json>& search_events);

}  // namespace overseer
