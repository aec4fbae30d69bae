#include "overseer/data/trial_data.hpp"

#include "overseer/data/data_cache.hpp"

namespace overseer::data {

TrialData::TrialData(std::shared_ptr<const PreparedData> prepared, double noise, NoiseBasis basis,
                     std::uint64_t seed)
    : prepared_(std::move(prepared)), labels_(prepared_->responses->y) {
  noise_sigma_ = data::noise_sigma(labels_, prepared_->split.train, noise, basis);
  add_label_noise(labels_, prepared_->split.train, noise_sigma_, seed);
}

JoinedView TrialData::view() const {
  return JoinedView(*prepared_->cells, *prepared_->drugs, *prepared_->responses, labels_);
}

const std::string& TrialData::cell_id(std::size_t row) const {
  return prepared_->cells->ids[prepared_->responses->cell[row]];
}

const std::string& TrialData::drug_id(std::size_t row) const {
  return prepared_->drugs->ids[prepared_->responses->drug[row]];
}

std::string TrialData::second_drug_id(std::size_t row) const {
  const std::uint32_t second = prepared_->responses->second_drug(row);
  return second == kNoSecondDrug ? std::string() : prepared_->drugs->ids[second];
}

bool TrialData::has_combinations() const {
  return prepared_->responses->has_pairs();
}

const std::string& TrialData::study_name(std::size_t row) const {
  return prepared_->dataset->studies[prepared_->responses->study[row]];
}

TrialData load_trial_data(const DataOptions& options, std::uint64_t trial_seed) {
  return TrialData(DataCache::process().prepared(options), options.noise, options.noise_basis,
                   options.noise_seed.value_or(trial_seed));
}

}  // namespace overseer::data
