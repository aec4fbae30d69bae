#include <gtest/gtest.h>

#include <cmath>

#include "overseer/core/result_reader.hpp"

using namespace overseer;

namespace {

ResultRecord read(const json& body) {
  const std::vector<std::uint8_t> cbor = json::to_cbor(body);
  return read_result(cbor.data(), cbor.size());
}

}  // namespace

TEST(ResultReader, ReadsBackWhatToJsonWrites) {
  TrialResult r;
  r.status = TrialStatus::Ok;
  r.value = 0.25;
  r.metrics = {{"val_loss", 0.25}, {"r2", -1.5}, {"pearson", std::nan("")}};
  r.message = "a \"quoted\"\nmessage";
  r.start = 1795467689.7629695;
  r.end = 1795467690.5;
  r.rank = 7;
  r.host = "x3005c0s13b0n0";
  r.devices = "2";
  json body = to_json(r);
  body["trial"] = 123456789012;
  body["attempt"] = 3;
  body["group"] = {7, 8};

  const ResultRecord back = read(body);
  EXPECT_EQ(back.group, (std::vector<int>{7, 8}));
  EXPECT_EQ(back.trial, 123456789012);
  EXPECT_EQ(back.attempt, 3);
  EXPECT_EQ(back.result.status, TrialStatus::Ok);
  EXPECT_EQ(back.result.value, 0.25);
  ASSERT_EQ(back.result.metrics.size(), 3u);
  EXPECT_EQ(back.result.metrics.at("r2"), -1.5);
  EXPECT_TRUE(std::isnan(back.result.metrics.at("pearson")));
  EXPECT_EQ(back.result.message, r.message);
  EXPECT_EQ(back.result.start, r.start);
  EXPECT_EQ(back.result.end, r.end);
  EXPECT_EQ(back.result.rank, 7);
  EXPECT_EQ(back.result.host, r.host);
  EXPECT_EQ(back.result.devices, "2");
}

TEST(ResultReader, MissingOrOddMembersReadAsFailedAndNaN) {
  const ResultRecord empty = read(json::object());
  EXPECT_EQ(empty.trial, -1);
  EXPECT_EQ(empty.result.status, TrialStatus::Failed);
  EXPECT_TRUE(std::isnan(empty.result.value));
  EXPECT_TRUE(empty.result.metrics.empty());

  const ResultRecord odd = read(json::parse(
      R"({"status":"sideways","value":"high","trial":4,
          "extra":{"metrics":{"x":1},"value":2,"list":[1,{"a":2}]},
          "metrics":{"a":null,"b":"text","deep":{"c":3},"d":4},"attempt":1})"));
  EXPECT_EQ(odd.trial, 4);
  EXPECT_EQ(odd.attempt, 1);
  EXPECT_EQ(odd.result.status, TrialStatus::Failed);
  EXPECT_TRUE(std::isnan(odd.result.value));
  EXPECT_TRUE(std::isnan(odd.result.metrics.at("a")));
  EXPECT_TRUE(std::isnan(odd.result.metrics.at("b")));
  EXPECT_TRUE(std::isnan(odd.result.metrics.at("deep")));
  EXPECT_EQ(odd.result.metrics.count("c"), 0u);
  EXPECT_EQ(odd.result.metrics.at("d"), 4);
}

// Found by tests/fuzz/result_reader_fuzzer.cpp: converting such a number was undefined
// behaviour (a trial id of 2^63 + 5 read as -2^63 on x86).
TEST(ResultReader, IntegerMembersBeyondTheirTypeReadAsAbsent) {
  const ResultRecord r = read(json::parse(
      R"({"trial": 9223372036854775813, "attempt": 1e300, "rank": -3000000000, "value": 2})"));
  EXPECT_EQ(r.trial, -1);
  EXPECT_EQ(r.attempt, 0);
  EXPECT_EQ(r.result.rank, -1);
  EXPECT_EQ(r.result.value, 2);
  const ResultRecord nan = read({{"trial", std::nan("")}, {"attempt", -1e19}, {"rank", 1e10}});
  EXPECT_EQ(nan.trial, -1);
  EXPECT_EQ(nan.attempt, 0);
  EXPECT_EQ(nan.result.rank, -1);
}

TEST(ResultReader, RejectsWhatIsNotOneCborObject) {
  std::vector<std::uint8_t> object = json::to_cbor(json({{"trial", 1}, {"attempt", 1}}));
  std::vector<std::vector<std::uint8_t>> bad = {
      {}, json::to_cbor(json::array({1, 2})), json::to_cbor(json(42))};
  bad.emplace_back(object.begin(), object.end() - 1);
  bad.push_back(object);
  bad.back().push_back(0);
  for (const auto& bytes : bad) {
    EXPECT_THROW(read_result(bytes.data(), bytes.size()), std::invalid_argument);
  }
}

TEST(ResultReader, TrialResultFromJsonReadsAJournalRecord) {
  const json record = {{"event", "result"},
                       {"status", "timeout"},
                       {"value", nullptr},
                       {"message", "late"},
                       {"metrics", json::object()}};
  const TrialResult r = trial_result_from_json(record);
  EXPECT_EQ(r.status, TrialStatus::Timeout);
  EXPECT_TRUE(std::isnan(r.value));
  EXPECT_EQ(r.message, "late");
}
