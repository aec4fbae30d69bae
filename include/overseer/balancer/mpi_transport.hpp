#pragma once

#include <mpi.h>
#include <chrono>
#include <list>

#include "overseer/balancer/transport.hpp"

namespace overseer {

// Transport over an MPI communicator. Sends are non-blocking and keep their buffers until MPI
// reports completion. Receives first poll hard (yielding the core between probes when the
// node's ranks outnumber its cores): up to 5 ms while messages flow, 50 us when the rank has
// been quiet; then they poll with a growing sleep so idle ranks leave the cores to the ranks
// that compute.
class MpiTransport : public Transport {
 public:
  explicit MpiTransport(MPI_Comm comm);
  ~MpiTransport() override;
  MpiTransport(const MpiTransport&) = delete;
  MpiTransport& operator=(const MpiTransport&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void send(int destination, int tag, Payload payload) override;
  std::optional<Message> receive(std::chrono::microseconds timeout) override;

 private:
  struct PendingSend {
    Payload buffer;
    MPI_Request request;
  };
  void complete_sends();

  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
  bool oversubscribed_ = false;
  std::chrono::steady_clock::time_point last_message_;
  std::list<PendingSend> pending_;
};

}  // namespace overseer
