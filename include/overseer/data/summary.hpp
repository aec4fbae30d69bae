#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "overseer/data/dataset.hpp"

namespace overseer::data {

struct TableSummary {
  std::size_t rows = 0;
  std::size_t features = 0;
  double density = 0;  // fraction of non-zero values
  bool binary = false;
};

// What `overseer data info` prints.
struct DatasetSummary {
  TableSummary cells;
  TableSummary drugs;
  std::size_t pairs = 0;
  std::size_t combinations = 0;  // responses to two drugs (a second drug index)
  std::vector<std::pair<std::string, std::size_t>> studies;  // name, response rows
  double y_mean = 0, y_sd = 0, y_min = 0, y_max = 0;
  std::size_t duplicated_keys = 0;  // (cell, drug[s], study) keys with more than one row
  std::size_t duplicate_rows = 0;   // rows beyond the first of their key
  bool has_original_parts = false;
  std::array<std::size_t, 3> original_parts{};                 // train, val, test rows
  std::vector<std::pair<std::string, std::size_t>> row_lists;  // name, rows
  std::string provenance;

  nlohmann::json to_json() const;
  std::string to_text() const;
};

DatasetSummary summarize(const Dataset& dataset);

}  // namespace overseer::data
