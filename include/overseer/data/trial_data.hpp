#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "overseer/data/data_options.hpp"
#include "overseer/data/joined_view.hpp"
#include "overseer/data/prepared_data.hpp"

namespace overseer::data {

// What one trial trains and evaluates on: the shared prepared data plus the trial's own
// labels, which carry Gaussian noise on the training rows only. Creating one costs a copy of
// the labels, so a noise level can be a searched hyperparameter.
class TrialData {
 public:
  TrialData(std::shared_ptr<const PreparedData> prepared, double noise, NoiseBasis basis,
            std::uint64_t seed);

  const Split& split() const { return prepared_->split; }
  // Features and labels() of any response rows; see JoinedView.
  JoinedView view() const;
  const std::vector<float>& labels() const { return labels_; }
  // Without the noise: what validation and test metrics compare against.
  const std::vector<float>& clean_labels() const { return prepared_->responses->y; }
  double noise_sigma() const { return noise_sigma_; }

  const std::string& cell_id(std::size_t row) const;
  const std::string& drug_id(std::size_t row) const;
  // The second drug of a combination; empty for a drug alone.
  std::string second_drug_id(std::size_t row) const;
  bool has_combinations() const;
  const std::string& study_name(std::size_t row) const;
  std::size_t study_count() const { return prepared_->dataset->studies.size(); }
  const PreparedData& prepared() const { return *prepared_; }

 private:
  std::shared_ptr<const PreparedData> prepared_;
  std::vector<float> labels_;
  double noise_sigma_ = 0;
};

// The usual way in: prepared data from DataCache::process(), noise seeded by
// options.noise_seed or else by `trial_seed`.
TrialData load_trial_data(const DataOptions& options, std::uint64_t trial_seed);

}  // namespace overseer::data
