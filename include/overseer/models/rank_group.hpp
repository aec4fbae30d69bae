#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace overseer {

// What the members decide at a sync point: the largest verdict of any member wins, so one
// member's stop (or failure) ends the training of all of them at the same step.
enum class GroupVerdict : std::int64_t {
  Continue = 0,
  Finish = 1,
  Stop = 2,
  Pause = 3,
  Failed = 4
};

// The ranks that train one trial together (model.ranks_per_trial > 1): every member runs the
// same model on its own share of each minibatch and the members' gradients are summed. Member 0
// leads: it alone reports progress, writes checkpoints and sends the result. Members make the
// same calls in the same order; the implementation behind it is MPI (campaign/mpi_rank_group).
class RankGroup {
 public:
  virtual ~RankGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Sums `values` over the members, in place. Nothing between the `agree` before it and this
  // call may throw, or one member would agree while the others sum.
  virtual void sum(float* values, std::size_t count) = 0;
  // The elementwise maximum over the members, in place.
  virtual void max(std::int64_t* values, std::size_t count) = 0;

  // Whether this member has told the others that it failed: it must not wait on them again.
  bool said_failed() const { return said_failed_; }

 private:
  friend GroupVerdict agree(RankGroup&, GroupVerdict, std::int64_t);
  friend GroupVerdict agree_sharing(RankGroup&, GroupVerdict, std::string&);
  bool said_failed_ = false;
};

// Whether this rank speaks for the trial (reports, writes, sends the result): always without a
// group, else member 0.
inline bool leads(const RankGroup* group) {
  return group == nullptr || group->rank() == 0;
}

// Thrown on every member when another one failed, or when the members' weights differ.
class GroupFailed : public std::runtime_error {
 public:
  explicit GroupFailed(const std::string& what) : std::runtime_error(what) {}
};

// Every member's verdict, and `fingerprint` (of its weights; 0 to skip) compared across them:
// throws GroupFailed when another member failed or when the fingerprints differ.
GroupVerdict agree(RankGroup& group, GroupVerdict mine, std::int64_t fingerprint = 0);

// agree() without a fingerprint, that also hands the leader's `text` (a path of at most
// kSharedTextLength bytes; the others pass "") to every member, in the same one reduction. A
// leader whose text is longer fails the group.
constexpr std::size_t kSharedTextLength = 4096;
GroupVerdict agree_sharing(RankGroup& group, GroupVerdict mine, std::string& text);

// Runs `body` on one member. A member whose body throws (anything but GroupFailed) says so at
// the sync point the others wait at next, so that none of them waits forever for it, and then
// rethrows; the trial fails as a whole. The others must be waiting at an `agree` (or reach one
// next): a body may throw only before its last sync point, or by way of an agree of Failed.
template <class Body>
auto run_as_member(RankGroup* group, Body&& body) -> decltype(body()) {
  if (group == nullptr) return body();
  try {
    return body();
  } catch (const GroupFailed&) {
    throw;
  } catch (...) {
    if (!group->said_failed()) agree(*group, GroupVerdict::Failed);
    throw;
  }
}

}  // namespace overseer
