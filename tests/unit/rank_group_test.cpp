// How the members of a trial's rank group agree: verdicts, weight fingerprints and a failing
// member, over a group of threads standing in for MPI ranks.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "overseer/models/rank_group.hpp"

using namespace overseer;

namespace {

// Members that meet at each call, as an MPI collective does; each call's inputs are combined
// once all members have arrived.
class Meeting {
 public:
  explicit Meeting(int members) : members_(members) {}

  template <class Combine>
  void meet(Combine combine) {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::uint64_t round = round_;
    combine(arrived_ == 0);
    if (++arrived_ == members_) {
      arrived_ = 0;
      ++round_;
      changed_.notify_all();
    } else {
      changed_.wait(lock, [&] { return round_ != round; });
    }
  }

 private:
  int members_;
  int arrived_ = 0;
  std::uint64_t round_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
};

class ThreadGroup : public RankGroup {
 public:
  ThreadGroup(Meeting& meeting, std::vector<std::int64_t>& shared, int rank, int size)
      : meeting_(meeting), shared_(shared), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void sum(float*, std::size_t) override { throw std::logic_error("not used here"); }
  void max(std::int64_t* values, std::size_t count) override {
    meeting_.meet([&](bool first) {
      if (first) shared_.assign(count, std::numeric_limits<std::int64_t>::min());
      for (std::size_t i = 0; i < count; ++i) shared_[i] = std::max(shared_[i], values[i]);
    });
    // Everyone has contributed; read the result before anyone starts the next round.
    meeting_.meet([&](bool) { std::copy(shared_.begin(), shared_.begin() + count, values); });
  }

 private:
  Meeting& meeting_;
  std::vector<std::int64_t>& shared_;
  int rank_, size_;
};

// Runs `body(group)` on `n` member threads; returns what each one threw ("" for nothing).
template <class Body>
std::vector<std::string> run_members(int n, Body body) {
  Meeting meeting(n);
  std::vector<std::int64_t> shared;
  std::vector<std::string> errors(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] {
      ThreadGroup group(meeting, shared, r, n);
      try {
        body(group);
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(r)] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  return errors;
}

}  // namespace

TEST(RankGroup, TheLargestVerdictWinsOnEveryMember) {
  std::vector<GroupVerdict> seen(3);
  const auto errors = run_members(3, [&](RankGroup& g) {
    const GroupVerdict mine = g.rank() == 1 ? GroupVerdict::Pause : GroupVerdict::Continue;
    seen[static_cast<std::size_t>(g.rank())] = agree(g, mine, 42);
  });
  EXPECT_EQ(errors, (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(seen, (std::vector<GroupVerdict>(3, GroupVerdict::Pause)));
}

TEST(RankGroup, DifferentWeightsFailEveryMember) {
  const auto errors =
      run_members(2, [](RankGroup& g) { agree(g, GroupVerdict::Continue, g.rank() == 0 ? 7 : 8); });
  for (const auto& e : errors) EXPECT_NE(e.find("weights"), std::string::npos) << e;
}

TEST(RankGroup, AMemberThatThrowsEndsTheOthersAtTheirNextSyncPoint) {
  // Member 1 fails before its second sync point; the others, already waiting there, hear of it
  // instead of waiting forever, and member 1's own error is what it rethrows.
  int steps_after_failure = 0;
  const auto errors = run_members(3, [&](RankGroup& g) {
    run_as_member(&g, [&] {
      agree(g, GroupVerdict::Continue);
      if (g.rank() == 1) throw std::runtime_error("out of memory on this rank");
      agree(g, GroupVerdict::Continue);
      ++steps_after_failure;
    });
  });
  EXPECT_EQ(errors[1], "out of memory on this rank");
  EXPECT_NE(errors[0].find("another rank"), std::string::npos) << errors[0];
  EXPECT_NE(errors[2].find("another rank"), std::string::npos) << errors[2];
  EXPECT_EQ(steps_after_failure, 0);
}

TEST(RankGroup, WithoutAGroupTheBodyJustRuns) {
  EXPECT_EQ(run_as_member(nullptr, [] { return 5; }), 5);
  EXPECT_THROW(run_as_member(nullptr, [] { throw std::runtime_error("x"); }), std::runtime_error);
}

TEST(RankGroup, TheLeadersTextReachesEveryMemberWithTheVerdict) {
  std::vector<std::string> heard(3);
  std::vector<GroupVerdict> seen(3);
  const auto errors = run_members(3, [&](RankGroup& g) {
    std::string text = leads(&g) ? "/runs/ltfb/trials/3/exchange/step-10 \xc3\xa9" : "";
    seen[static_cast<std::size_t>(g.rank())] =
        agree_sharing(g, g.rank() == 2 ? GroupVerdict::Pause : GroupVerdict::Continue, text);
    heard[static_cast<std::size_t>(g.rank())] = text;
  });
  EXPECT_EQ(errors, (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(heard, (std::vector<std::string>(3, "/runs/ltfb/trials/3/exchange/step-10 \xc3\xa9")));
  EXPECT_EQ(seen, (std::vector<GroupVerdict>(3, GroupVerdict::Pause)));
  // A leader that failed, or whose text is too long, fails every member there.
  const auto failed = run_members(2, [](RankGroup& g) {
    std::string text = leads(&g) ? std::string(kSharedTextLength + 1, 'x') : "";
    agree_sharing(g, GroupVerdict::Continue, text);
  });
  EXPECT_NE(failed[0].find("longer than 4096"), std::string::npos) << failed[0];
  EXPECT_NE(failed[1].find("another rank"), std::string::npos) << failed[1];
}
