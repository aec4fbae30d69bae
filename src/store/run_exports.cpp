#include "overseer/store/run_exports.hpp"

#include "overseer/store/cross_study.hpp"
#include "overseer/store/dag_tree.hpp"
#include "overseer/store/improve_csa.hpp"
#include "overseer/store/learning_curve.hpp"
#include "overseer/store/results_export.hpp"

namespace overseer {

void write_run_exports(const RunDirectory& run, const Campaign& campaign,
                       const std::vector<TrialRecord>& finished,
                       const std::vector<ProgressRecord>& progress,
                       const std::vector<CreatedRecord>& created,
                       const std::vector<json>& search_events) {
  write_file_atomically(run.results_csv(), results_csv(campaign.space, finished));
  if (!progress.empty()) write_file_atomically(run.progress_csv(), progress_csv(progress));
  if (campaign.search.algorithm == "dag") {
    write_file_atomically(run.path() / "tree.csv", dag_tree_csv(created, finished, search_events));
  }
  if (is_learning_curve(campaign)) {
    write_file_atomically(run.path() / "learning_curve.csv", learning_curve_csv(finished));
  }
  const CrossStudyTable table = cross_study_table(campaign, finished);
  if (table.empty()) return;
  write_file_atomically(run.cross_study_csv(), cross_study_matrix_csv(table, kCrossStudyMetric));
  write_file_atomically(run.cross_study_long_csv(), cross_study_long_csv(table));
  std::filesystem::create_directories(run.improve_csa_dir());
  for (const auto& [name, content] : improve_csa_files(campaign, finished)) {
    write_file_atomically(run.improve_csa_dir() / name, content);
  }
}

}  // namespace overseer
