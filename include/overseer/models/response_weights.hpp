#pragma once

#include <vector>

namespace overseer {

// The High Error Drug study's training weights (loss "alpha_weighted", docs/models.md): the
// rare low responses (low AUC or ln IC50: the sensitive, promising pairs) count more. For
// training labels y_1..y_n, w_i = 1 + alpha * (1 - r_i / (n - 1)), where r_i is y_i's rank
// among them (0 for the lowest; tied labels share their mean rank): the lowest label weighs
// 1 + alpha, the highest 1, and alpha 0 weighs every row alike.
std::vector<float> low_response_weights(const std::vector<float>& labels, double alpha);

}  // namespace overseer
