#include "overseer/data/scaling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace overseer::data {

std::vector<std::uint32_t> referenced_rows(const std::vector<std::uint32_t>& index_column,
                                           const std::vector<std::size_t>& pairs) {
  std::vector<std::uint32_t> rows;
  rows.reserve(pairs.size());
  for (std::size_t r : pairs) rows.push_back(index_column[r]);
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

FeatureTable scaled_copy(const FeatureTable& table, const std::vector<std::uint32_t>& fit_rows,
                         Scaling scaling) {
  FeatureTable out = table;
  if (scaling == Scaling::None || fit_rows.empty()) return out;
  const std::size_t cols = table.cols();
  std::vector<double> shift(cols), scale(cols, 1.0);
  if (scaling == Scaling::Standard) {
    std::vector<double> sum(cols, 0.0), sum_sq(cols, 0.0);
    for (auto i : fit_rows) {
      const float* row = table.row(i);
      for (std::size_t j = 0; j < cols; ++j) sum[j] += row[j];
    }
    for (std::size_t j = 0; j < cols; ++j) shift[j] = sum[j] / fit_rows.size();
    for (auto i : fit_rows) {
      const float* row = table.row(i);
      for (std::size_t j = 0; j < cols; ++j) sum_sq[j] += (row[j] - shift[j]) * (row[j] - shift[j]);
    }
    for (std::size_t j = 0; j < cols; ++j) {
      const double sd = std::sqrt(sum_sq[j] / fit_rows.size());
      if (sd > 0) scale[j] = sd;
    }
  } else {
    std::vector<double> low(cols, std::numeric_limits<double>::infinity());
    std::vector<double> high(cols, -std::numeric_limits<double>::infinity());
    for (auto i : fit_rows) {
      const float* row = table.row(i);
      for (std::size_t j = 0; j < cols; ++j) {
        low[j] = std::min<double>(low[j], row[j]);
        high[j] = std::max<double>(high[j], row[j]);
      }
    }
    for (std::size_t j = 0; j < cols; ++j) {
      shift[j] = low[j];
      if (high[j] > low[j]) scale[j] = high[j] - low[j];
    }
  }
  for (std::size_t i = 0; i < out.rows(); ++i) {
    float* row = out.row(i);
    for (std::size_t j = 0; j < cols; ++j) {
      row[j] = static_cast<float>((row[j] - shift[j]) / scale[j]);
    }
  }
  out.mark_binary();
  return out;
}

}  // namespace overseer::data
