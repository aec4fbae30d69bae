#include <gtest/gtest.h>

#include <cmath>

#include "overseer/core/error.hpp"
#include "overseer/store/journal.hpp"
#include "overseer/store/journal_records.hpp"
#include "process.hpp"

using namespace overseer;
using overseer::test::read_text;
using overseer::test::ScratchDir;
using overseer::test::write_text;

TEST(Journal, AppendsRecordsThatReadBack) {
  ScratchDir dir;
  {
    Journal journal(dir / "j.jsonl", FsyncPolicy::Always, std::chrono::milliseconds(10));
    journal.append({{"event", "created"}, {"trial", 0}});
    journal.append({{"event", "result"}, {"trial", 0}, {"value", 1.5}});
  }
  auto contents = read_journal(dir / "j.jsonl");
  ASSERT_EQ(contents.records.size(), 2u);
  EXPECT_EQ(contents.records[1]["value"], 1.5);
  EXPECT_FALSE(contents.torn_tail);
  EXPECT_EQ(contents.valid_bytes, read_text(dir / "j.jsonl").size());
}

TEST(Journal, GroupPolicyWritesOnFlushAndMergesAHeadWithAnObjectText) {
  ScratchDir dir;
  Journal journal(dir / "j.jsonl", FsyncPolicy::Group, std::chrono::milliseconds(10000));
  journal.append({{"event", "created"}, {"trial", 0}});
  journal.append({{"event", "result"}, {"final", true}}, R"({"trial":0,"value":1.5})");
  EXPECT_EQ(read_text(dir / "j.jsonl"), "");
  journal.flush();
  auto contents = read_journal(dir / "j.jsonl");
  ASSERT_EQ(contents.records.size(), 2u);
  EXPECT_EQ(contents.records[1],
            json({{"event", "result"}, {"final", true}, {"trial", 0}, {"value", 1.5}}));
}

TEST(Journal, GroupPolicyWritesOnItsOwnOnceEnoughIsWaiting) {
  ScratchDir dir;
  Journal journal(dir / "j.jsonl", FsyncPolicy::Group, std::chrono::milliseconds(10000));
  const json record = {{"event", "created"}, {"params", std::string(1000, 'x')}};
  std::size_t appended = 0;
  while (read_text(dir / "j.jsonl").empty()) {
    journal.append(record);
    ASSERT_LE(++appended * 1000, 2 * Journal::kFlushBytes);
  }
  EXPECT_GE(appended * 1000, Journal::kFlushBytes / 2);
}

TEST(Journal, DropsATornLastLineAndAppendsAfterTheLastGoodRecord) {
  ScratchDir dir;
  const std::string good = "{\"event\":\"created\",\"trial\":0}\n";
  for (const std::string torn : {"{\"event\":\"res", "{\"event\":\"result\"}"}) {
    write_text(dir / "j.jsonl", good + torn);
    auto contents = read_journal(dir / "j.jsonl");
    EXPECT_TRUE(contents.torn_tail);
    ASSERT_EQ(contents.records.size(), 1u);
    EXPECT_EQ(contents.valid_bytes, good.size());

    Journal journal(dir / "j.jsonl", FsyncPolicy::Group, std::chrono::milliseconds(10));
    journal.truncate(contents.valid_bytes);
    journal.append({{"event", "end"}});
    journal.sync();
    EXPECT_EQ(read_text(dir / "j.jsonl"), good + "{\"event\":\"end\"}\n");
  }
}

TEST(Journal, DamageBeforeTheLastLineIsAnError) {
  ScratchDir dir;
  write_text(dir / "j.jsonl", "{\"a\":1}\n{broken\n{\"b\":2}\n");
  try {
    read_journal(dir / "j.jsonl");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("j.jsonl:2"), std::string::npos);
  }
}

TEST(Journal, AFailedWriteThrowsAndEveryLaterOneToo) {
  // /dev/full fails every write with ENOSPC, as a full disk does.
  Journal journal("/dev/full", FsyncPolicy::Group, std::chrono::milliseconds(10));
  journal.append({{"event", "created"}, {"trial", 0}});
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      journal.flush();
      FAIL() << "a write to /dev/full succeeded";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("No space left on device"), std::string::npos)
          << e.what();
    }
  }
}

TEST(Journal, OnlyOneWriterAtATime) {
  ScratchDir dir;
  Journal first(dir / "j.jsonl", FsyncPolicy::Always, std::chrono::milliseconds(10));
  EXPECT_THROW(Journal(dir / "j.jsonl", FsyncPolicy::Always, std::chrono::milliseconds(10)),
               InputError);
}

namespace {

// Writes down what replay_journal tells it, one word per record.
class RecordingVisitor : public JournalVisitor {
 public:
  std::vector<std::string> seen;
  void on_start(const StartRecord& r) override { seen.push_back("start " + r.hash); }
  void on_created(const CreatedRecord& r) override {
    seen.push_back("created " + std::to_string(r.trial) + " " + r.params.dump());
  }
  void on_attempt(const AttemptRecord& a) override {
    seen.push_back("attempt " + std::to_string(a.trial) + "." + std::to_string(a.attempt) +
                   (a.final ? " final " : " ") + to_string(a.result.status));
  }
  void on_tournament(const TournamentRecord& t) override {
    seen.push_back("tournament " + std::to_string(t.trial) + " with " + std::to_string(t.partner) +
                   " at " + std::to_string(t.step) + (t.won ? " won" : " lost"));
  }
  void on_search(const json& r) override { seen.push_back("search " + r.value("kind", "")); }
  void on_end(const EndRecord& r) override { seen.push_back("end " + r.reason); }
};

std::vector<json> records_of(const std::vector<std::string>& lines) {
  std::vector<json> records;
  for (const auto& line : lines) records.push_back(json::parse(line));
  return records;
}

const std::string kStart = R"({"event":"start","time":1,"hash":"h"})";
const std::string kCreated0 = R"({"event":"created","trial":0,"params":{"x":1}})";

std::string replay_error(const std::vector<std::string>& lines) {
  RecordingVisitor visitor;
  try {
    replay_journal(records_of(lines), "j.jsonl", visitor);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(JournalReplay, TellsEachRecordInOrderWithItsType) {
  RecordingVisitor visitor;
  replay_journal(records_of({kStart, kCreated0,
                             R"({"event":"result","trial":0,"attempt":1,"status":"failed"})",
                             R"({"event":"result","trial":0,"attempt":2,"final":true,
                                 "status":"ok","value":0.5})",
                             R"({"event":"search","time":2,"kind":"generation"})",
                             R"({"event":"checkpoint_of_a_newer_writer"})",
                             R"({"event":"end","time":3,"reason":"completed"})"}),
                 "j.jsonl", visitor);
  EXPECT_EQ(visitor.seen, (std::vector<std::string>{"start h", "created 0 {\"x\":1}",
                                                    "attempt 0.1 failed", "attempt 0.2 final ok",
                                                    "search generation", "end completed"}));
}

TEST(JournalReplay, RecordsThatDoNotFitTogetherAreRefusedAtTheirLine) {
  EXPECT_EQ(replay_error({kCreated0}), "j.jsonl:1: a created record before any start record");
  EXPECT_EQ(replay_error({kStart, R"({"event":"created","trial":1,"params":{}})"}),
            "j.jsonl:2: trial 1 is out of sequence (expected 0)");
  EXPECT_EQ(replay_error({kStart, R"({"event":"result","trial":0,"attempt":1,"final":true})"}),
            "j.jsonl:2: result for trial 0, which is unknown or already finished");
  const std::string final0 = R"({"event":"result","trial":0,"attempt":1,"final":true})";
  EXPECT_EQ(replay_error({kStart, kCreated0, final0, final0}),
            "j.jsonl:4: result for trial 0, which is unknown or already finished");
  EXPECT_NE(replay_error({kStart, R"({"event":"created","params":{}})"})
                .find("j.jsonl:2: malformed record"),
            std::string::npos);
}

TEST(JournalReplay, ATournamentRecordReadsBackAsItWasWritten) {
  const TournamentRecord written{0, 2, 10, 3, 0.25, std::nan(""), true};
  const json record = to_json(written);
  EXPECT_TRUE(record["tournament"]["partner_score"].is_null());
  RecordingVisitor visitor;
  replay_journal({json::parse(kStart), json::parse(kCreated0), record}, "j.jsonl", visitor);
  EXPECT_EQ(visitor.seen.back(), "tournament 0 with 3 at 10 won");
  const TournamentRecord read = tournament_from_json(record);
  EXPECT_EQ(read.attempt, 2);
  EXPECT_DOUBLE_EQ(read.own, 0.25);
  EXPECT_TRUE(std::isnan(read.partner_score));
  EXPECT_EQ(replay_error({kStart, R"({"event":"tournament","trial":0,"attempt":1,"step":1,
                                      "tournament":{"partner":1,"own":1,"partner_score":2,
                                                    "won":true}})"}),
            "j.jsonl:2: tournament of trial 0, which is unknown");
}
