#pragma once

#include <filesystem>
#include <string>

#include "overseer/core/campaign.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// The files of one campaign run (see docs/campaign.md, "Run directory").
class RunDirectory {
 public:
  // Checks that `path` can hold this run without writing anything: a new run must not find a
  // journal there; a resumed one must find the same campaign (same identity hash) unless forced.
  static RunDirectory open(const std::filesystem::path& path, const Campaign& campaign, bool resume,
                           bool force);

  // Creates the directory and writes campaign.json.
  void initialize(const Campaign& campaign) const;

  const std::filesystem::path& path() const { return path_; }
  bool resuming() const { return resume_; }
  // The identity hash in campaign.json when the run was opened for resuming.
  const std::string& stored_hash() const { return stored_hash_; }
  std::filesystem::path campaign_file() const { return path_ / "campaign.json"; }
  std::filesystem::path journal_file() const { return path_ / "journal.jsonl"; }
  std::filesystem::path results_csv() const { return path_ / "results.csv"; }
  std::filesystem::path results_h5() const { return path_ / "results.h5"; }
  std::filesystem::path progress_csv() const { return path_ / "progress.csv"; }
  std::filesystem::path best_json() const { return path_ / "best.json"; }
  std::filesystem::path cross_study_csv() const { return path_ / "cross_study.csv"; }
  std::filesystem::path cross_study_long_csv() const { return path_ / "cross_study_long.csv"; }
  // IMPROVE's cross-study output files (store/improve_csa.hpp).
  std::filesystem::path improve_csa_dir() const { return path_ / "improve_csa"; }
  std::filesystem::path trial_dir(TrialId id) const;

 private:
  std::filesystem::path path_;
  bool resume_ = false;
  std::string stored_hash_;
};

// Writes through a temporary file and rename, so readers never see a half-written file.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace overseer
