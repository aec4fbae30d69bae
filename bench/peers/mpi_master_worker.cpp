// The physical limits for bench/dispatch.sh, in plain MPI: a 200-byte ping-pong between ranks
// 0 and 1 (other ranks wait in a barrier), and a minimal master/worker loop.
// Usage: mpirun -np N mpi_master_worker pingpong|dispatch COUNT
// Prints microseconds per round trip (pingpong) or tasks/s (dispatch).
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

constexpr int kTask = 1;
constexpr int kStop = 2;

void pingpong(int rank, long count) {
  std::vector<char> buffer(200);
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  if (rank <= 1) {
    for (long i = 0; i < count; ++i) {
      if (rank == 0) {
        MPI_Send(buffer.data(), 200, MPI_BYTE, 1, kTask, MPI_COMM_WORLD);
        MPI_Recv(buffer.data(), 200, MPI_BYTE, 1, kTask, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      } else {
        MPI_Recv(buffer.data(), 200, MPI_BYTE, 0, kTask, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(buffer.data(), 200, MPI_BYTE, 0, kTask, MPI_COMM_WORLD);
      }
    }
  }
  const double elapsed = MPI_Wtime() - start;
  if (rank == 0) std::printf("%.3f\n", elapsed / static_cast<double>(count) * 1e6);
  MPI_Barrier(MPI_COMM_WORLD);
}

void dispatch(int rank, int size, long tasks) {
  std::vector<char> buffer(200);
  if (rank == 0) {
    MPI_Status status;
    const double start = MPI_Wtime();
    long sent = 0;
    for (int w = 1; w < size; ++w, ++sent) {
      MPI_Send(buffer.data(), 200, MPI_BYTE, w, kTask, MPI_COMM_WORLD);
    }
    for (long done = 0; done < tasks; ++done) {
      MPI_Recv(buffer.data(), 200, MPI_BYTE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
      if (sent < tasks) {
        MPI_Send(buffer.data(), 200, MPI_BYTE, status.MPI_SOURCE, kTask, MPI_COMM_WORLD);
        ++sent;
      }
    }
    const double elapsed = MPI_Wtime() - start;
    for (int w = 1; w < size; ++w) MPI_Send(buffer.data(), 200, MPI_BYTE, w, kStop, MPI_COMM_WORLD);
    std::printf("%.0f\n", static_cast<double>(tasks) / elapsed);
  } else {
    MPI_Status status;
    while (true) {
      MPI_Recv(buffer.data(), 200, MPI_BYTE, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
      if (status.MPI_TAG == kStop) break;
      MPI_Send(buffer.data(), 200, MPI_BYTE, 0, kTask, MPI_COMM_WORLD);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const long count = argc > 2 ? std::atol(argv[2]) : 20000;
  if (argc > 1 && std::strcmp(argv[1], "pingpong") == 0) {
    pingpong(rank, count);
  } else {
    dispatch(rank, size, count);
  }
  MPI_Finalize();
  return 0;
}
