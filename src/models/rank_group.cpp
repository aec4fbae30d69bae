#include "overseer/models/rank_group.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace overseer {

namespace {

// After a reduction: throws GroupFailed when another member failed.
GroupVerdict failed_or(GroupVerdict agreed, GroupVerdict mine, bool& said_failed) {
  if (agreed == GroupVerdict::Failed) {
    said_failed = true;  // whoever failed, no member waits on the others again
    if (mine == GroupVerdict::Failed) return agreed;
    throw GroupFailed("another rank of the trial's group failed");
  }
  return agreed;
}

}  // namespace

GroupVerdict agree_sharing(RankGroup& group, GroupVerdict mine, std::string& text) {
  const bool fits = text.size() <= kSharedTextLength;
  if (!fits) mine = GroupVerdict::Failed;
  // Each byte as 1 + its value, so that the members' zeros leave the leader's bytes.
  std::vector<std::int64_t> values(1 + kSharedTextLength, 0);
  values[0] = static_cast<std::int64_t>(mine);
  for (std::size_t i = 0; fits && i < text.size(); ++i) {
    values[1 + i] = 1 + static_cast<unsigned char>(text[i]);
  }
  group.max(values.data(), values.size());
  const GroupVerdict verdict =
      failed_or(static_cast<GroupVerdict>(values[0]), mine, group.said_failed_);
  if (!fits)
    throw std::length_error("a path longer than " + std::to_string(kSharedTextLength) +
                            " bytes cannot be shared with the trial's group: " + text);
  text.clear();
  for (std::size_t i = 1; i < values.size() && values[i] > 0; ++i) {
    text.push_back(static_cast<char>(values[i] - 1));
  }
  return verdict;
}

GroupVerdict agree(RankGroup& group, GroupVerdict mine, std::int64_t fingerprint) {
  // The largest fingerprint and the negated smallest, in one reduction with the verdicts (the
  // smallest int64 has no negation: it stands for its neighbour).
  fingerprint = std::max(fingerprint, std::numeric_limits<std::int64_t>::min() + 1);
  std::int64_t values[3] = {static_cast<std::int64_t>(mine), fingerprint, -fingerprint};
  group.max(values, 3);
  const GroupVerdict verdict =
      failed_or(static_cast<GroupVerdict>(values[0]), mine, group.said_failed_);
  if (verdict == GroupVerdict::Failed) return verdict;
  if (values[1] != -values[2]) {
    throw GroupFailed("the weights of the trial's ranks differ (data-parallel training diverged)");
  }
  return verdict;
}

}  // namespace overseer
