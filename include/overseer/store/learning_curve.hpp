#pragma once

#include <optional>
#include <string>
#include <vector>

#include "overseer/core/campaign.hpp"
#include "overseer/core/trial.hpp"

namespace overseer {

// Whether the campaign is a learning curve (a dag search with the learning_curve generator).
bool is_learning_curve(const Campaign& campaign);

// learning_curve.csv: one row per finished trial, by size then repeat: size (its train_size),
// repeat (its train_size_seed), trial, status, value and one metric_NAME column per metric.
std::string learning_curve_csv(const std::vector<TrialRecord>& finished);

// value ~ a * size^b, fitted by least squares to log(value) against log(size) over the
// successful trials with a positive value; none with fewer than two distinct sizes.
struct PowerLaw {
  double a = 0, b = 0;
  double operator()(double size) const;
};
std::optional<PowerLaw> fit_power_law(const std::vector<TrialRecord>& finished);

}  // namespace overseer
