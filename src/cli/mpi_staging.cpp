#include "overseer/cli/mpi_staging.hpp"

#include <algorithm>
#include <fstream>
#include <vector>

#include <spdlog/spdlog.h>

namespace overseer::cli {
namespace {

// Bounds the memory staging needs whatever the files' size.
constexpr std::uintmax_t kChunk = 64 << 20;

// Rank 0's list of files; empty (and logged) when it cannot read the entries.
json manifest(const sites::StagePlan& plan, bool& ok) {
  json files = json::array();
  try {
    for (const auto& f : sites::stage_files(plan)) {
      files.push_back({{"source", f.source.string()},
                       {"destination", f.destination.string()},
                       {"size", f.size}});
    }
  } catch (const std::filesystem::filesystem_error& e) {
    spdlog::error("staging: {}: {}", e.path1().string(), e.code().message());
    ok = false;
    files = json::array();
  }
  return files;
}

// One file over the leaders' communicator: rank 0 reads, every leader (rank 0 too) writes.
void transfer(const json& file, MPI_Comm leaders, bool reader, std::vector<char>& buffer,
              bool& ok) {
  const std::filesystem::path destination = file.at("destination").get<std::string>();
  const auto size = file.at("size").get<std::uintmax_t>();
  std::ifstream in;
  if (reader) in.open(file.at("source").get<std::string>(), std::ios::binary);
  std::error_code error;
  std::filesystem::create_directories(destination.parent_path(), error);
  std::ofstream out(destination, std::ios::binary | std::ios::trunc);
  if (error || !out) {
    spdlog::error("staging: cannot write {}", destination.string());
    ok = false;
  }
  for (std::uintmax_t done = 0; done < size;) {
    const auto count = static_cast<std::size_t>(std::min(kChunk, size - done));
    buffer.resize(count);
    if (reader && !in.read(buffer.data(), static_cast<std::streamsize>(count))) {
      spdlog::error("staging: cannot read {}", file.at("source").get<std::string>());
      ok = false;
    }
    // Every leader takes part in every broadcast, even after a failure, so none waits forever.
    MPI_Bcast(buffer.data(), static_cast<int>(count), MPI_BYTE, 0, leaders);
    out.write(buffer.data(), static_cast<std::streamsize>(count));
    done += count;
  }
  if (!out.flush() && ok) {
    spdlog::error("staging: cannot write {}", destination.string());
    ok = false;
  }
}

}  // namespace

bool stage_over_mpi(const sites::StagePlan& plan, const NodeRanks& ranks) {
  bool ok = true;
  if (ranks.leader()) {
    const bool reader = ranks.rank() == 0;
    json files = reader ? manifest(plan, ok) : json();
    broadcast_json(files, ranks.leaders());
    std::vector<char> buffer;
    for (const auto& file : files) transfer(file, ranks.leaders(), reader, buffer, ok);
    if (reader && ok) {
      spdlog::info("staged {} file(s) to {} on every node", files.size(), plan.dir.string());
    }
  }
  int failed = ok ? 0 : 1;
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, ranks.world());
  return failed == 0;
}

}  // namespace overseer::cli
