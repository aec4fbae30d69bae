#pragma once

#include <string>
#include <vector>

#include "overseer/models/model.hpp"

namespace overseer {

// Names of the regression metrics `regression_metrics` reports, in the order of its output.
const std::vector<std::string>& regression_metric_names();

// mse, rmse, mae, r2, pearson and spearman of predictions against true values. Every metric is
// NaN when a prediction is not finite, so a diverged model is reported as such (trial status
// "nan") instead of as a number. r2, pearson and spearman are NaN for constant true values.
// `prefix` goes in front of each name ("val_", "test_").
Metrics regression_metrics(const std::vector<float>& truth, const std::vector<float>& predicted,
                           const std::string& prefix = "");

}  // namespace overseer
