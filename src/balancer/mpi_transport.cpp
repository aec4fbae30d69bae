#include "overseer/balancer/mpi_transport.hpp"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace overseer {

MpiTransport::MpiTransport(MPI_Comm comm) : comm_(comm) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  MPI_Comm node;
  MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  int ranks_on_node = 1;
  MPI_Comm_size(node, &ranks_on_node);
  MPI_Comm_free(&node);
  oversubscribed_ = static_cast<unsigned>(ranks_on_node) > std::thread::hardware_concurrency();
}

MpiTransport::~MpiTransport() {
  for (auto& p : pending_) MPI_Wait(&p.request, MPI_STATUS_IGNORE);
}

void MpiTransport::complete_sends() {
  for (auto it = pending_.begin(); it != pending_.end();) {
    int done = 0;
    MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
    it = done ? pending_.erase(it) : std::next(it);
  }
}

void MpiTransport::send(int destination, int tag, Payload payload) {
  complete_sends();
  pending_.push_back(PendingSend{std::move(payload), MPI_REQUEST_NULL});
  auto& p = pending_.back();
  MPI_Isend(p.buffer.data(), static_cast<int>(p.buffer.size()), MPI_BYTE, destination, tag, comm_,
            &p.request);
}

std::optional<Message> MpiTransport::receive(std::chrono::microseconds timeout) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  // While messages flow, the next one usually follows within microseconds, but a rank that
  // sleeps pays a wake-up of 50 us or more per message: poll hard for up to 5 ms. A quiet
  // rank polls only briefly before it sleeps.
  const auto spin = start - last_message_ < std::chrono::milliseconds(50)
                        ? std::chrono::microseconds(5000)
                        : std::chrono::microseconds(50);
  const auto deadline = start + timeout;
  auto pause = std::chrono::microseconds(20);
  while (true) {
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &flag, &status);
    if (flag) {
      int count = 0;
      MPI_Get_count(&status, MPI_BYTE, &count);
      Message message{status.MPI_SOURCE, status.MPI_TAG, Payload(static_cast<std::size_t>(count))};
      MPI_Recv(message.payload.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, comm_,
               MPI_STATUS_IGNORE);
      complete_sends();
      last_message_ = clock::now();
      return message;
    }
    const auto now = clock::now();
    if (now >= deadline) return std::nullopt;
    if (now - start < spin) {
      if (oversubscribed_) sched_yield();
      continue;
    }
    std::this_thread::sleep_for(std::min<clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::microseconds(1000));
  }
}

}  // namespace overseer
