#pragma once

#include <mpi.h>

#include <memory>
#include <vector>

#include "overseer/models/rank_group.hpp"

namespace overseer {

// Makes the communicators of trials' rank groups. Every rank of `world` constructs one at the
// same point (it duplicates `world`, a collective): a group is created over the duplicate,
// because MPI_Comm_create_group talks over its parent with the tag it is given, and the
// balancer, probing `world` for any tag, would take those messages for its own.
class MpiRankGroups {
 public:
  explicit MpiRankGroups(MPI_Comm world);
  ~MpiRankGroups();
  MpiRankGroups(const MpiRankGroups&) = delete;
  MpiRankGroups& operator=(const MpiRankGroups&) = delete;

  // The group of world ranks `members` (the leader first), with a communicator of its own.
  // Collective over the members only: each of them calls it when handed the trial, and it
  // returns once all have. Throws when this MPI lacks MPI_THREAD_MULTIPLE, which groups need
  // (the trial reduces from the thread it trains on while the worker's thread polls).
  std::unique_ptr<RankGroup> create(const std::vector<int>& members) const;
  // Whether this MPI runs with MPI_THREAD_MULTIPLE.
  static bool supported();

 private:
  MPI_Comm parent_ = MPI_COMM_NULL;
};

}  // namespace overseer
