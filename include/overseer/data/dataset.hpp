#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace overseer::data {

// Features of one kind of entity (cell lines or drugs): one row per id, one column per
// feature, stored row-major so a row is one contiguous span.
struct FeatureTable {
  std::vector<std::string> ids;
  std::vector<std::string> columns;
  std::vector<float> values;  // ids.size() x columns.size()
  // Every value is 0 or 1 (mutations, fingerprints): such tables are fed as sparse rows.
  bool binary = false;

  std::size_t rows() const { return ids.size(); }
  std::size_t cols() const { return columns.size(); }
  const float* row(std::size_t i) const { return values.data() + i * columns.size(); }
  float* row(std::size_t i) { return values.data() + i * columns.size(); }
  std::size_t nonzeros() const;
  // Row of each id; with repeated ids, the first.
  std::unordered_map<std::string, std::uint32_t> row_index() const;
  // Recomputes `binary` from the values.
  void mark_binary();
};

// Which part of a dataset's own split a response row came from (NCI-60's train/val/test
// files); kNoPart when the source had no split.
enum OriginalPart : std::int8_t { kNoPart = -1, kTrainPart = 0, kValPart = 1, kTestPart = 2 };

// The second drug of a response that measured one drug alone.
inline constexpr std::uint32_t kNoSecondDrug = 0xffffffffu;

// Measured responses, one row per (cell, drug, study) measurement, or (cell, drug, second drug,
// study) for a drug combination, as parallel columns that index into the feature tables and the
// study names.
struct Responses {
  std::vector<std::uint32_t> cell;
  std::vector<std::uint32_t> drug;
  std::vector<float> y;
  std::vector<std::uint16_t> study;
  std::vector<std::int8_t> original_part;  // empty, or one OriginalPart per row
  // Empty when no row is a combination; else one per row, a drug row or kNoSecondDrug.
  std::vector<std::uint32_t> drug2;

  std::size_t size() const { return y.size(); }
  bool has_pairs() const { return !drug2.empty(); }
  std::uint32_t second_drug(std::size_t row) const {
    return drug2.empty() ? kNoSecondDrug : drug2[row];
  }
  void reserve(std::size_t n);
  void push_back(std::uint32_t cell_index, std::uint32_t drug_index, float value,
                 std::uint16_t study_index, OriginalPart part = kNoPart,
                 std::uint32_t second_drug_index = kNoSecondDrug);
};

// A drug-response dataset kept as three tables, never merged: the join of a response row with
// its cell and drug rows is gathered on demand (overseer/data/joined_view.hpp).
struct Dataset {
  FeatureTable cells;
  FeatureTable drugs;
  Responses responses;
  std::vector<std::string> studies;
  std::string provenance;  // free text: where the data came from and how it was converted
  // Named lists of response rows that came with the data (IMPROVE's split files, such as
  // "CCLE_split_0_train"), each ascending, which a campaign's split can name.
  std::map<std::string, std::vector<std::uint32_t>> row_lists;
};

}  // namespace overseer::data
