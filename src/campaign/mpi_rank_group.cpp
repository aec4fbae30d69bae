#include "overseer/campaign/mpi_rank_group.hpp"

#include <mpi.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace overseer {
namespace {

// A rank is in one group at a time, so one tag serves every creation.
constexpr int kCreateTag = 1;

class MpiRankGroup : public RankGroup {
 public:
  MpiRankGroup(MPI_Comm parent, const std::vector<int>& members) {
    MPI_Group all, group;
    MPI_Comm_group(parent, &all);
    MPI_Group_incl(all, static_cast<int>(members.size()), members.data(), &group);
    const int code = MPI_Comm_create_group(parent, group, kCreateTag, &comm_);
    MPI_Group_free(&group);
    MPI_Group_free(&all);
    if (code != MPI_SUCCESS || comm_ == MPI_COMM_NULL) {
      throw std::runtime_error("could not create the communicator of the trial's rank group");
    }
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }
  ~MpiRankGroup() override { MPI_Comm_free(&comm_); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void sum(float* values, std::size_t count) override {
    // MPI counts are ints: large models go in slices.
    constexpr std::size_t kSlice = std::size_t{1} << 30;
    for (std::size_t first = 0; first < count; first += kSlice) {
      MPI_Allreduce(MPI_IN_PLACE, values + first, static_cast<int>(std::min(kSlice, count - first)),
                    MPI_FLOAT, MPI_SUM, comm_);
    }
  }

  void max(std::int64_t* values, std::size_t count) override {
    MPI_Allreduce(MPI_IN_PLACE, values, static_cast<int>(count), MPI_INT64_T, MPI_MAX, comm_);
  }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
};

}  // namespace

MpiRankGroups::MpiRankGroups(MPI_Comm world) {
  MPI_Comm_dup(world, &parent_);
}

MpiRankGroups::~MpiRankGroups() {
  MPI_Comm_free(&parent_);
}

bool MpiRankGroups::supported() {
  int provided = MPI_THREAD_SINGLE;
  MPI_Query_thread(&provided);
  return provided >= MPI_THREAD_MULTIPLE;
}

std::unique_ptr<RankGroup> MpiRankGroups::create(const std::vector<int>& members) const {
  if (!supported()) {
    throw std::runtime_error(
        "model.ranks_per_trial > 1 needs an MPI with MPI_THREAD_MULTIPLE, which this one does "
        "not provide");
  }
  return std::make_unique<MpiRankGroup>(parent_, members);
}

}  // namespace overseer
