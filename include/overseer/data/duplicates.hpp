#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "overseer/data/dataset.hpp"

namespace overseer::data {

// Response rows grouped by their (cell, drug, study) key, groups numbered in the order of their
// first row. NCI-60 has such duplicates: different compounds with the same SMILES.
struct KeyGroups {
  std::vector<std::uint32_t> group_of_row;
  std::vector<std::size_t> first_row;  // per group
  std::vector<std::uint32_t> size;     // per group

  std::size_t groups() const { return first_row.size(); }
  std::size_t duplicated_keys() const;  // groups with more than one row
};

KeyGroups group_by_key(const Responses& responses);

// One row per key with the mean response; cell, drug, study and original part come from the
// key's first row, so a key whose rows span NCI-60's train and test files lands where its first
// row was.
Responses average_duplicates(const Responses& responses, const KeyGroups& groups);

}  // namespace overseer::data
