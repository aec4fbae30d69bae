#include "overseer/models/rank_group.hpp"

namespace overseer {

GroupVerdict agree(RankGroup& group, GroupVerdict mine, std::int64_t fingerprint) {
  // The largest fingerprint and the negated smallest, in one reduction with the verdicts.
  std::int64_t values[3] = {static_cast<std::int64_t>(mine), fingerprint, -fingerprint};
  group.max(values, 3);
  const auto verdict = static_cast<GroupVerdict>(values[0]);
  if (verdict == GroupVerdict::Failed) {
    if (mine == GroupVerdict::Failed) return verdict;
    throw GroupFailed("another rank of the trial's group failed");
  }
  if (values[1] != -values[2]) {
    throw GroupFailed("the weights of the trial's ranks differ (data-parallel training diverged)");
  }
  return verdict;
}

}  // namespace overseer
