// The preprocessing cache: one maker per key, whoever asks at the same moment, and nothing
// half-made left behind.
#include "overseer/models/preprocess_cache.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "process.hpp"

using namespace overseer;
using overseer::test::read_text;
using overseer::test::ScratchDir;
using overseer::test::write_text;
namespace fs = std::filesystem;

namespace {

// A maker that takes a while, so that the other callers arrive while it works.
std::function<void(const fs::path&)> slow_maker(std::atomic<int>& made, const std::string& text) {
  return [&made, text](const fs::path& dir) {
    ++made;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    write_text(dir / "data.txt", text);
  };
}

const auto never = [] { return false; };

}  // namespace

TEST(PreprocessCache, ThreadsAskingForOneKeyAtOnceGetOneEntryMadeOnce) {
  ScratchDir dir;
  const PreprocessCache cache(dir / "ml_data");
  std::atomic<int> made{0};
  const json key = {{"split", "CCLE_split_0"}};
  std::vector<fs::path> got(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = cache.obtain(key, slow_maker(made, "x"), never); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(made.load(), 1);
  for (const auto& path : got) {
    EXPECT_EQ(path, got.front());
    EXPECT_EQ(read_text(path / "data.txt"), "x");
  }
  EXPECT_EQ(json::parse(read_text(got.front() / "key.json")), key);
  // Asked again later, it is there already.
  EXPECT_EQ(cache.obtain(key, slow_maker(made, "y"), never), got.front());
  EXPECT_EQ(made.load(), 1);
}

TEST(PreprocessCache, ProcessesAskingForOneKeyAtOnceGetOneEntryMadeOnce) {
  ScratchDir dir;
  const fs::path root = dir / "ml_data";
  const json key = {{"split", "gCSI_split_1"}};
  std::vector<pid_t> children;
  for (int i = 0; i < 3; ++i) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::atomic<int> made{0};
      const fs::path entry = PreprocessCache(root).obtain(key, slow_maker(made, "x"), never);
      // Each maker leaves its mark beside the entry; only one may have made it.
      if (made.load() == 1) std::ofstream(root / ("maker-" + std::to_string(::getpid())));
      ::_exit(read_text(entry / "data.txt") == "x" ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  int makers = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    makers += entry.path().filename().string().rfind("maker-", 0) == 0;
  }
  EXPECT_EQ(makers, 1);
}

TEST(PreprocessCache, DifferentKeysGetDifferentEntries) {
  ScratchDir dir;
  const PreprocessCache cache(dir / "ml_data");
  std::atomic<int> made{0};
  const fs::path a = cache.obtain({{"split", 0}}, slow_maker(made, "a"), never);
  const fs::path b = cache.obtain({{"split", 1}}, slow_maker(made, "b"), never);
  EXPECT_NE(a, b);
  EXPECT_EQ(made.load(), 2);
  EXPECT_EQ(read_text(a / "data.txt"), "a");
  EXPECT_EQ(read_text(b / "data.txt"), "b");
}

TEST(PreprocessCache, AFailedMakerLeavesNothingAndTheNextCallerMakesItAgain) {
  ScratchDir dir;
  const PreprocessCache cache(dir / "ml_data");
  const json key = {{"split", 2}};
  EXPECT_THROW(cache.obtain(
                   key,
                   [](const fs::path& out) {
                     write_text(out / "half.txt", "half");
                     throw std::runtime_error("preprocess failed");
                   },
                   never),
               std::runtime_error);
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir / "ml_data")) {
    entries += entry.path().extension() != ".lock";
  }
  EXPECT_EQ(entries, 0);
  std::atomic<int> made{0};
  const fs::path entry = cache.obtain(key, slow_maker(made, "whole"), never);
  EXPECT_EQ(made.load(), 1);
  EXPECT_EQ(read_text(entry / "data.txt"), "whole");
  EXPECT_FALSE(fs::exists(entry / "half.txt"));
}

TEST(PreprocessCache, AWaiterThatIsCancelledGivesUp) {
  ScratchDir dir;
  const PreprocessCache cache(dir / "ml_data");
  std::atomic<bool> release{false};
  std::thread maker([&] {
    cache.obtain(
        {{"split", 3}},
        [&](const fs::path&) {
          while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        },
        never);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::atomic<int> polls{0};
  EXPECT_THROW(cache.obtain(
                   {{"split", 3}}, [](const fs::path&) {}, [&] { return ++polls > 2; }),
               std::runtime_error);
  release = true;
  maker.join();
}
