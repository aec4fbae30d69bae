#include "overseer/data/duplicates.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace overseer::data {

std::size_t KeyGroups::duplicated_keys() const {
  return static_cast<std::size_t>(
      std::count_if(size.begin(), size.end(), [](std::uint32_t n) { return n > 1; }));
}

KeyGroups group_by_key(const Responses& r) {
  const std::size_t n = r.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto key = [&r](std::size_t i) { return std::make_tuple(r.cell[i], r.drug[i], r.study[i]); };
  // Stable, so each run of equal keys starts at the key's first row.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return key(a) < key(b); });

  std::vector<std::size_t> run_start;  // positions in `order`
  for (std::size_t p = 0; p < n; ++p) {
    if (p == 0 || key(order[p]) != key(order[p - 1])) run_start.push_back(p);
  }
  std::vector<std::size_t> runs(run_start.size());
  std::iota(runs.begin(), runs.end(), 0);
  std::sort(runs.begin(), runs.end(), [&](std::size_t a, std::size_t b) {
    return order[run_start[a]] < order[run_start[b]];
  });

  KeyGroups g;
  g.group_of_row.resize(n);
  g.first_row.reserve(runs.size());
  g.size.reserve(runs.size());
  for (std::size_t group = 0; group < runs.size(); ++group) {
    const std::size_t begin = run_start[runs[group]];
    const std::size_t end = runs[group] + 1 < run_start.size() ? run_start[runs[group] + 1] : n;
    g.first_row.push_back(order[begin]);
    g.size.push_back(static_cast<std::uint32_t>(end - begin));
    for (std::size_t p = begin; p < end; ++p) {
      g.group_of_row[order[p]] = static_cast<std::uint32_t>(group);
    }
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
        r.original_part.empty() ? kNoPart : static_cast<OriginalPart>(r.original_part[first]));
  }
  return out;
}

}  // namespace overseer::data
