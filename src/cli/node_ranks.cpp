#include "overseer/cli/node_ranks.hpp"

#include <cstdint>
#include <string>

namespace overseer::cli {

NodeRanks::NodeRanks(MPI_Comm world) : world_(world) {
  MPI_Comm_rank(world, &rank_);
  MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node_);
  MPI_Comm_rank(node_, &local_rank_);
  MPI_Comm_size(node_, &local_size_);
  MPI_Comm_split(world, local_rank_ == 0 ? 0 : MPI_UNDEFINED, rank_, &leaders_);
}

NodeRanks::~NodeRanks() {
  if (leaders_ != MPI_COMM_NULL) MPI_Comm_free(&leaders_);
  if (node_ != MPI_COMM_NULL) MPI_Comm_free(&node_);
}

void broadcast_json(json& value, MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  std::string text = rank == 0 ? value.dump() : std::string();
  auto size = static_cast<std::int64_t>(text.size());
  MPI_Bcast(&size, 1, MPI_INT64_T, 0, comm);
  text.resize(static_cast<std::size_t>(size));
  MPI_Bcast(text.data(), static_cast<int>(size), MPI_CHAR, 0, comm);
  if (rank != 0) value = json::parse(text);
}

}  // namespace overseer::cli
