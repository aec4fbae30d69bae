#include <gtest/gtest.h>

#include "overseer/core/error.hpp"
#include "overseer/store/journal.hpp"
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
