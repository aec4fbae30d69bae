#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "overseer/data/dataset.hpp"

namespace overseer::data {

enum class Scaling {
  None,
  Standard,  // (x - mean) / sd; constant columns become 0
  MinMax,    // (x - min) / (max - min); constant columns become 0
};

// The table rows that response rows `pairs` refer to through `index_column` (a Responses::cell
// or ::drug), each once, ascending: what scaling is fitted on.
std::vector<std::uint32_t> referenced_rows(const std::vector<std::uint32_t>& index_column,
                                           const std::vector<std::size_t>& pairs);

// A copy of `table` with every column scaled by statistics of the rows `fit_rows` only, so
// nothing about validation or test rows leaks into training.
FeatureTable scaled_copy(const FeatureTable& table, const std::vector<std::uint32_t>& fit_rows,
                         Scaling scaling);

}  // namespace overseer::data
