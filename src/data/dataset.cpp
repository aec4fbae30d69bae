#include "overseer/data/dataset.hpp"

#include <algorithm>

namespace overseer::data {

std::size_t FeatureTable::nonzeros() const {
  return values.size() - static_cast<std::size_t>(std::count(values.begin(), values.end(), 0.0f));
}

std::unordered_map<std::string, std::uint32_t> FeatureTable::row_index() const {
  std::unordered_map<std::string, std::uint32_t> index;
  for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], static_cast<std::uint32_t>(i));
  return index;
}

void FeatureTable::mark_binary() {
  binary =
      std::all_of(values.begin(), values.end(), [](float v) { return v == 0.0f || v == 1.0f; });
}

void Responses::reserve(std::size_t n) {
  cell.reserve(n);
  drug.reserve(n);
  y.reserve(n);
  study.reserve(n);
}

void Responses::push_back(std::uint32_t cell_index, std::uint32_t drug_index, float value,
                          std::uint16_t study_index, OriginalPart part,
                          std::uint32_t second_drug_index) {
  cell.push_back(cell_index);
  drug.push_back(drug_index);
  y.push_back(value);
  study.push_back(study_index);
  if (part != kNoPart || !original_part.empty()) {
    original_part.resize(y.size() - 1, kNoPart);
    original_part.push_back(part);
  }
  if (second_drug_index != kNoSecondDrug || !drug2.empty()) {
    drug2.resize(y.size() - 1, kNoSecondDrug);
    drug2.push_back(second_drug_index);
  }
}

}  // namespace overseer::data
