// Journal append cost per fsync policy, side by side: `always` (fdatasync per record) against
// group commit every 100 ms, for a typical result record.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>

#include "overseer/store/journal.hpp"

namespace {

using namespace overseer;

void append_records(benchmark::State& state, FsyncPolicy policy) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("overseer-journal-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const json record = {{"event", "result"},
                       {"trial", 4711},
                       {"attempt", 1},
                       {"status", "ok"},
                       {"value", 0.3141},
                       {"metrics", {{"val_loss", 0.3141}}},
                       {"message", ""},
                       {"start", 1.7e9},
                       {"end", 1.7e9 + 31.4},
                       {"rank", 17},
                       {"host", "x3005c0s13b0n0"},
                       {"final", true}};
  {
    Journal journal(dir / "journal.jsonl", policy, std::chrono::milliseconds(100));
    for (auto _ : state) journal.append(record);
    journal.sync();
  }
  std::filesystem::remove_all(dir);
}

void BM_JournalFsyncAlways(benchmark::State& state) {
  append_records(state, FsyncPolicy::Always);
}
void BM_JournalGroupCommit(benchmark::State& state) {
  append_records(state, FsyncPolicy::Group);
}

BENCHMARK(BM_JournalFsyncAlways)->UseRealTime();
BENCHMARK(BM_JournalGroupCommit)->UseRealTime();

}  // namespace
