#include "overseer/models/rank_group.hpp"

#include <algorithm>
#include <limits>

namespace overseer {

GroupVerdict agree(RankGroup& group, GroupVerdict mine, std::int64_t fingerprint) {
  // The largest fingerprint and the negated smallest, in one reduction with the verdicts (the
  // smallest int64 has no negation: it stands for its neighbour).
  fingerprint = std::max(fingerprint, std::numeric_limits<std::int64_t>::min() + 1);
  std::int64_t values[3] = {static_cast<std::int64_t>(mine), fingerprint, -fingerprint};
  group.max(values, 3);
  const auto verdict = static_cast<GroupVerdict>(values[0]);
  if (verdict == GroupVerdict::Failed) {
    group.said_failed_ = true;  // whoever failed, no member waits on the others again
    if (mine == GroupVerdict::Failed) return verdict;
    throw GroupFailed("another rank of the trial's group failed");
  }
  if (values[1] != -values[2]) {
    throw GroupFailed("the weights of the trial's ranks differ (data-parallel training diverged)");
  }
  return verdict;
}

}  // namespace overseer
