#include "overseer/data/duplicates.hpp"

#include <algorithm>
#include <tuple>

namespace overseer::data {

std::size_t KeyGroups::duplicated_keys() const {
  return static_cast<std::size_t>(
      std::count_if(size.begin(), size.end(), [](std::uint32_t n) { return n > 1; }));
}

KeyGroups group_by_key(const Responses& r) {
  // A combination is the same measurement in either order of its drugs; a drug alone pairs
  // with kNoSecondDrug, above every drug.
  struct Entry {
    std::uint32_t cell, drug, other;
    std::uint16_t study;
    std::size_t row;
    auto key() const { return std::tie(cell, drug, other, study); }
  };
  const std::size_t n = r.size();
  std::vector<Entry> entries(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t second = r.second_drug(i);
    entries[i] = {r.cell[i], std::min(r.drug[i], second), std::max(r.drug[i], second), r.study[i],
                  i};
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.cell, a.drug, a.other, a.study, a.row) <
           std::tie(b.cell, b.drug, b.other, b.study, b.row);
  });
  constexpr std::uint32_t kUnnumbered = UINT32_MAX;
  std::vector<std::uint32_t> run_of_row(n);
  std::uint32_t runs = 0;
  for (std::size_t p = 0; p < n; ++p) {
    if (p > 0 && entries[p].key() != entries[p - 1].key()) ++runs;
    run_of_row[entries[p].row] = runs;
  }
  entries = {};

  // Groups are numbered in the order of their first row.
  KeyGroups g;
  std::vector<std::uint32_t> group_of_run(n > 0 ? runs + 1 : 0, kUnnumbered);
  g.group_of_row.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t& group = group_of_run[run_of_row[i]];
    if (group == kUnnumbered) {
      group = static_cast<std::uint32_t>(g.first_row.size());
      g.first_row.push_back(i);
      g.size.push_back(0);
    }
    g.group_of_row[i] = group;
    ++g.size[group];
  }
  return g;
}

Responses average_duplicates(const Responses& r, const KeyGroups& groups) {
  std::vector<double> sums(groups.groups(), 0.0);
  for (std::size_t i = 0; i < r.size(); ++i) sums[groups.group_of_row[i]] += r.y[i];
  Responses out;
  out.reserve(groups.groups());
  for (std::size_t g = 0; g < groups.groups(); ++g) {
    const std::size_t first = groups.first_row[g];
    out.push_back(
        r.cell[first], r.drug[first], static_cast<float>(sums[g] / groups.size[g]), r.study[first],
        r.original_part.empty() ? kNoPart : static_cast<OriginalPart>(r.original_part[first]),
        r.second_drug(first));
  }
  return out;
}

}  // namespace overseer::data
