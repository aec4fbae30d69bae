#pragma once

#include <string>

namespace overseer::cli {

// `overseer export RUN_DIR`: rewrites a run's exports (results.csv, and cross_study.csv with
// cross_study_long.csv for a cross-study campaign) from its campaign.json and journal, as the
// master writes them; for a run that was killed before its last export, or after a change to
// the export format. Exit code 0, or 2 for a directory that holds no run.
int export_run(const std::string& run_dir);

}  // namespace overseer::cli
