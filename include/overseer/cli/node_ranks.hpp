#pragma once

#include <mpi.h>

#include "overseer/core/json_view.hpp"

namespace overseer::cli {

// A rank's place among the ranks of its node (MPI_Comm_split_type shared memory), and a
// communicator of one leader per node (each node's lowest world rank; world rank 0 leads its
// node and is rank 0 among the leaders).
class NodeRanks {
 public:
  explicit NodeRanks(MPI_Comm world);
  ~NodeRanks();
  NodeRanks(const NodeRanks&) = delete;
  NodeRanks& operator=(const NodeRanks&) = delete;

  MPI_Comm world() const { return world_; }
  int rank() const { return rank_; }
  int local_rank() const { return local_rank_; }
  int local_size() const { return local_size_; }
  bool leader() const { return leaders_ != MPI_COMM_NULL; }
  MPI_Comm leaders() const { return leaders_; }

 private:
  MPI_Comm world_;
  MPI_Comm node_ = MPI_COMM_NULL;
  MPI_Comm leaders_ = MPI_COMM_NULL;
  int rank_ = 0;
  int local_rank_ = 0;
  int local_size_ = 1;
};

// Sends rank 0's `value` of `comm` to every rank of it.
void broadcast_json(json& value, MPI_Comm comm);

}  // namespace overseer::cli
