// Reports, status and exports from hand-made run directories: journals written record by
// record, so that each test states exactly what the run held.
#include <gtest/gtest.h>

#include "html_checks.hpp"
#include "input_error.hpp"
#include "overseer/core/error.hpp"
#include "overseer/report/charts.hpp"
#include "overseer/report/html_report.hpp"
#include "overseer/report/parameter_axis.hpp"
#include "overseer/report/status.hpp"
#include "overseer/report/svg.hpp"
#include "overseer/store/run_history.hpp"
#include "process.hpp"

using namespace overseer;
using namespace overseer::report;
using overseer::test::input_error;
using overseer::test::occurrences;
using overseer::test::ScratchDir;
using overseer::test::section_ids;
using overseer::test::write_text;

namespace {

// A run directory with campaign.json and the given journal records, one per line.
class HandMadeRun {
 public:
  explicit HandMadeRun(json space, std::string mode = "min") {
    const json campaign = {{"name", "hand-made"},
                           {"model", {{"name", "sleep"}}},
                           {"space", std::move(space)},
                           {"search", {{"algorithm", "random"}, {"budget", 10}}},
                           {"objective", {{"metric", "value"}, {"mode", mode}}}};
    write_text(dir_ / "campaign.json", campaign.dump());
    add({{"event", "start"},
         {"time", 1000.0},
         {"hash", "h"},
         {"resumed", false},
         {"ranks", 3},
         {"servers", 1},
         {"host", "node"}});
  }

  void add(const json& record) { journal_ += record.dump() + "\n"; }

  // A trial and its final result: `end - start` seconds of work ending at `end`.
  void trial(const json& params, const std::string& status, double value, double start, double end,
             json metrics = json::object(), int attempt = 1) {
    const auto id = static_cast<std::int64_t>(created_);
    add({{"event", "created"}, {"trial", id}, {"params", params}});
    ++created_;
    result(id, status, value, start, end, std::move(metrics), attempt, true);
  }

  void result(std::int64_t id, const std::string& status, double value, double start, double end,
              json metrics, int attempt, bool final) {
    add({{"event", "result"},
         {"trial", id},
         {"attempt", attempt},
         {"final", final},
         {"status", status},
         {"value", metric_to_json(value)},
         {"metrics", metrics},
         {"message", ""},
         {"start", start},
         {"end", end},
         {"queued_s", 0.0},
         {"rank", 1 + id % 2},
         {"host", "node"}});
  }

  void create_only(const json& params) {
    add({{"event", "created"},
         {"trial", static_cast<std::int64_t>(created_++)},
         {"params", params}});
  }

  const std::filesystem::path& path() {
    write_text(dir_ / "journal.jsonl", journal_);
    return dir_.path();
  }

 private:
  ScratchDir dir_;
  std::string journal_;
  std::size_t created_ = 0;
};

const json kTwoFloats =
    json::array({{{"name", "x"}, {"type", "float"}, {"lower", 0.0}, {"upper", 1.0}},
                 {{"name", "y"}, {"type", "float"}, {"lower", 0.0}, {"upper", 1.0}}});

std::string render(const std::filesystem::path& dir, ReportOptions options = {}) {
  const RunHistory h = read_run_history(dir);
  return html_report(h, run_statistics(h, false, 2000), options);
}

}  // namespace

TEST(Svg, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
}

TEST(Svg, TicksAreRoundAndInsideTheScale) {
  Extent e;
  e.add(0.13);
  e.add(0.91);
  const Scale s(e, 0, 100);
  EXPECT_EQ(s.ticks(), (std::vector<double>{0.2, 0.4, 0.6, 0.8}));
  Extent decades;
  decades.add(1e-4);
  decades.add(0.5);
  EXPECT_EQ(Scale(decades, 0, 100, true).ticks(), (std::vector<double>{1e-4, 1e-3, 1e-2, 1e-1}));
  EXPECT_DOUBLE_EQ(Scale(decades, 0, 100, true)(1e-4), 0);
}

TEST(ParameterAxis, CategoriesKeepTheSpaceOrderAndNumbersGetEqualBuckets) {
  Parameter kind;
  kind.name = "kind";
  kind.type = ParamType::Categorical;
  kind.values = {"c", "a", "b"};
  const ParameterAxis categories("kind", &kind, {"a", "b", "c", "a"});
  EXPECT_TRUE(categories.categorical());
  EXPECT_EQ(categories.labels(), (std::vector<std::string>{"c", "a", "b"}));
  EXPECT_EQ(categories.bucket("a"), 1u);
  EXPECT_EQ(categories.bucket("zzz"), std::nullopt);

  std::vector<json> many;
  for (int i = 0; i <= 80; ++i) many.push_back(i / 80.0);
  const ParameterAxis continuous("x", nullptr, many);
  EXPECT_FALSE(continuous.categorical());
  ASSERT_EQ(continuous.labels().size(), 8u);
  EXPECT_EQ(continuous.labels().front(), "0–0.125");
  EXPECT_EQ(continuous.bucket(0.0), 0u);
  EXPECT_EQ(continuous.bucket(0.13), 1u);
  EXPECT_EQ(continuous.bucket(1.0), 7u);
  EXPECT_EQ(continuous.bucket(1.5), std::nullopt);

  Parameter rate;
  rate.name = "rate";
  rate.log = true;
  std::vector<json> rates;
  for (int i = 0; i <= 40; ++i) rates.push_back(std::pow(10.0, -5 + i * 0.1));
  const ParameterAxis logarithmic("rate", &rate, rates);
  EXPECT_TRUE(logarithmic.log());
  EXPECT_EQ(logarithmic.bucket(1e-5), 0u);
  EXPECT_EQ(logarithmic.bucket(1e-3), 4u);  // the middle of 1e-5..1e-1 in log10
  EXPECT_EQ(logarithmic.bucket(0.1), 7u);

  // A grid's few values get a column each.
  const ParameterAxis grid("n", nullptr, {4, 1, 2, 4});
  EXPECT_TRUE(grid.categorical());
  EXPECT_EQ(grid.labels(), (std::vector<std::string>{"1", "2", "4"}));
}

TEST(RunHistory, ReadsAnUnfinishedJournalAndMeasuresUtilization) {
  HandMadeRun run(kTwoFloats);
  run.trial({{"x", 0.1}, {"y", 0.2}}, "ok", 3.0, 1000, 1004);
  run.create_only({{"x", 0.5}, {"y", 0.5}});
  run.result(1, "failed", NAN, 1001, 1002, json::object(), 1, false);
  run.result(1, "failed", NAN, 1004, 1006, json::object(), 2, true);
  run.trial({{"x", 0.9}, {"y", 0.9}}, "ok", 1.0, 1006, 1010);
  run.create_only({{"x", 0.3}, {"y", 0.3}});
  const RunHistory h = read_run_history(run.path());
  EXPECT_EQ(h.created.size(), 4u);
  EXPECT_EQ(h.finished.size(), 3u);
  EXPECT_EQ(h.unfinished(), 1u);
  EXPECT_EQ(h.attempts.size(), 4u);
  EXPECT_FALSE(h.ended());

  const RunStatistics stopped = run_statistics(h, false, 5000);
  EXPECT_EQ(stopped.state, RunState::Interrupted);
  EXPECT_EQ(stopped.best->id, 2);
  EXPECT_EQ(stopped.count("failed"), 1);
  EXPECT_EQ(stopped.retried_attempts, 1);
  // Two workers for the 10 s from the start to the last result; 4 + 1 + 2 + 4 s of attempts.
  EXPECT_DOUBLE_EQ(stopped.wall_s, 10);
  EXPECT_DOUBLE_EQ(*stopped.utilization(), 11.0 / 20);
  // While it runs, the clock runs on to now.
  const RunStatistics live = run_statistics(h, true, 1020);
  EXPECT_EQ(live.state, RunState::Running);
  EXPECT_DOUBLE_EQ(live.wall_s, 20);

  const auto curve = running_attempts(h);
  ASSERT_FALSE(curve.empty());
  EXPECT_EQ(curve.front(), (std::pair<double, double>{1000, 1}));
  EXPECT_EQ(curve.back(), (std::pair<double, double>{1010, 0}));
  double most = 0;
  for (const auto& [time, count] : curve) most = std::max(most, count);
  EXPECT_EQ(most, 2);
}

TEST(RunHistory, NamesTheLineOfAMalformedRecord) {
  HandMadeRun run(kTwoFloats);
  run.add({{"event", "result"}, {"trial", 7}, {"attempt", 1}});
  try {
    read_run_history(run.path());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("journal.jsonl:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_run_history(run.path() / "nowhere"), InputError);
}

// Seen while writing tests/fuzz/journal_fuzzer.cpp, which reports the first of these under
// UndefinedBehaviorSanitizer (corpus/journal/trial-1e300.jsonl): a trial id, attempt or rank
// count was cast to its integer type whatever number it was, which is undefined behaviour for
// 1e300; 1.5 passed as trial 1 and 2^32 + 1 servers as 1.
TEST(RunHistory, IntegerMembersMustBeIntegersOfTheirType) {
  const json point = {{"x", 0.1}, {"y", 0.2}};
  const auto result = [](const json& attempt) {
    return json{
        {"event", "result"}, {"trial", 0}, {"attempt", attempt}, {"final", true}, {"status", "ok"}};
  };
  const std::vector<json> bad = {
      {{"event", "created"}, {"trial", 1.5}, {"params", point}},
      {{"event", "created"}, {"trial", 1e300}, {"params", point}},
      {{"event", "start"}, {"time", 1001.0}, {"hash", "h"}, {"ranks", 1e300}},
      {{"event", "start"}, {"time", 1001.0}, {"hash", "h"}, {"servers", 4294967297}},
      result(2.5),
      result(-1e300),
  };
  for (const json& record : bad) {
    HandMadeRun run(kTwoFloats);
    run.create_only(point);
    run.add(record);
    const std::string message = input_error([&] { read_run_history(run.path()); });
    EXPECT_NE(message.find("journal.jsonl:3: \""), std::string::npos)
        << record.dump() << ": " << message;
    EXPECT_NE(message.find("\" must be an integer from "), std::string::npos)
        << record.dump() << ": " << message;
  }
}

TEST(Status, SaysStateProgressBestAndUtilization) {
  HandMadeRun run(kTwoFloats);
  run.trial({{"x", 0.1}, {"y", 0.2}}, "ok", 3.0, 1000, 1004);
  run.trial({{"x", 0.7}, {"y", 0.2}}, "nan", NAN, 1000, 1002);
  run.create_only({{"x", 0.3}, {"y", 0.3}});
  const RunHistory h = read_run_history(run.path());
  const std::string running = status_text(h, run_statistics(h, true, 1008));
  EXPECT_NE(running.find("state: running"), std::string::npos) << running;
  EXPECT_NE(running.find("progress: 2/10 done, 1 running, 1 failed, best 3, elapsed 8s, ETA 32s"),
            std::string::npos)
      << running;
  EXPECT_NE(running.find("statuses: nan 1 ok 1"), std::string::npos) << running;
  EXPECT_NE(running.find("best: trial 0, value 3"), std::string::npos) << running;
  EXPECT_NE(running.find("workers: 2, utilization 38%"), std::string::npos) << running;

  const std::string stopped = status_text(h, run_statistics(h, false, 1008));
  EXPECT_NE(stopped.find("state: interrupted"), std::string::npos) << stopped;
  EXPECT_EQ(stopped.find("ETA"), std::string::npos) << stopped;
  EXPECT_NE(stopped.find("1 unfinished"), std::string::npos) << stopped;
}

TEST(Report, HeatmapCellsHoldTheMeanAndTheCount) {
  json space =
      json::array({{{"name", "layers"}, {"type", "int"}, {"lower", 1}, {"upper", 2}},
                   {{"name", "act"}, {"type", "categorical"}, {"values", {"relu", "tanh"}}}});
  HandMadeRun run(space);
  run.trial({{"layers", 1}, {"act", "relu"}}, "ok", 1.0, 1000, 1001);
  run.trial({{"layers", 1}, {"act", "relu"}}, "ok", 2.0, 1001, 1002);
  run.trial({{"layers", 2}, {"act", "tanh"}}, "ok", 7.0, 1002, 1003);
  run.trial({{"layers", 2}, {"act", "relu"}}, "failed", NAN, 1003, 1004);
  const std::string html = render(run.path());
  EXPECT_EQ(section_ids(html), (std::vector<std::string>{"summary", "convergence", "heatmaps",
                                                         "parameters", "workers"}));
  // relu/1 holds 1 and 2; tanh/2 holds 7; the failed trial counts nowhere.
  EXPECT_NE(html.find(">1.5</text><text class=\"count"), std::string::npos);
  EXPECT_NE(html.find(">7</text><text class=\"count"), std::string::npos);
  EXPECT_EQ(occurrences(html, ">n=2</text>"), 1u);
  EXPECT_EQ(occurrences(html, ">n=1</text>"), 1u);
  EXPECT_EQ(occurrences(html, "class=\"empty\""), 2u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(Report, RequestedPairsComeFirstAndUnknownOnesAreInputErrors) {
  json space = kTwoFloats;
  space.push_back({{"name", "z"}, {"type", "float"}, {"lower", 0.0}, {"upper", 1.0}});
  HandMadeRun run(space);
  for (int i = 0; i < 12; ++i) {
    const double v = i / 11.0;
    run.trial({{"x", v}, {"y", 1 - v}, {"z", v * v}}, "ok", v, 1000 + i, 1001 + i);
  }
  const std::string html = render(run.path(), {{{"z", "y"}}});
  EXPECT_EQ(html.find("<title>value by "), html.find("<title>value by z and y</title>"));
  EXPECT_EQ(occurrences(html, "<title>value by "), 3u);  // z-y, then x-y and x-z
  EXPECT_THROW(render(run.path(), {{{"x", "nope"}}}), InputError);
}

TEST(Report, EscapesParameterNamesAndValues) {
  json space = json::array(
      {{{"name", "<b>bold</b>"}, {"type", "categorical"}, {"values", {"<i>a</i>", "b&c"}}},
       {{"name", "x"}, {"type", "float"}, {"lower", 0.0}, {"upper", 1.0}}});
  HandMadeRun run(space);
  run.trial({{"<b>bold</b>", "<i>a</i>"}, {"x", 0.2}}, "ok", 1.0, 1000, 1001);
  run.trial({{"<b>bold</b>", "b&c"}, {"x", 0.4}}, "ok", 2.0, 1001, 1002);
  const std::string html = render(run.path());
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_EQ(html.find("b&c"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("b&amp;c"), std::string::npos);
}

TEST(Report, GaGenerationsComeFromSearchEvents) {
  HandMadeRun run(kTwoFloats);
  run.trial({{"x", 0.1}, {"y", 0.2}}, "ok", 3.0, 1000, 1004);
  for (int g = 0; g < 3; ++g) {
    run.add({{"event", "search"},
             {"time", 1005.0 + g},
             {"algorithm", "ga"},
             {"generation", g},
             {"evaluations", 10 * (g + 1)},
             {"population", 10},
             {"failed", 0},
             {"min", 1.0 - g * 0.1},
             {"mean", 2.0 - g * 0.3},
             {"max", 4.0 - g}});
  }
  const std::string html = render(run.path());
  ASSERT_NE(html.find("<section id=\"generations\">"), std::string::npos);
  EXPECT_NE(html.find("<title>max: 2, 2</title>"), std::string::npos);  // generation 2
  EXPECT_NE(html.find("<title>mean: 1, 1.7</title>"), std::string::npos);
}

TEST(Report, ComparisonViewAppearsWhenTrialsCarryBothSubmodelsMetrics) {
  HandMadeRun plain(kTwoFloats);
  plain.trial({{"x", 0.1}, {"y", 0.2}}, "ok", 3.0, 1000, 1004, {{"val_loss", 3.0}});
  EXPECT_EQ(render(plain.path()).find("<section id=\"cmp\">"), std::string::npos);

  HandMadeRun cmp(kTwoFloats, "max");
  const double m0[] = {1.0, 2.0, 4.0}, m1[] = {1.0, 3.0, 2.0};
  for (int i = 0; i < 3; ++i) {
    const double v = -std::abs(m1[i] - m0[i]) / std::max(m0[i], m1[i]);
    cmp.trial({{"x", 0.1 * i}, {"y", 0.2}}, "ok", v, 1000 + i, 1001 + i,
              {{"m0_val_loss", m0[i]}, {"m1_val_loss", m1[i]}, {"m0_only", 1.0}});
  }
  const std::string html = render(cmp.path());
  ASSERT_NE(html.find("<section id=\"cmp\">"), std::string::npos);
  EXPECT_NE(html.find("<h3>val_loss</h3>"), std::string::npos);
  EXPECT_EQ(html.find("<h3>only</h3>"), std::string::npos);
  // Relative differences 0, 1/3 and -1/2: mean absolute 0.2778.
  EXPECT_NE(html.find("3 trials; mean absolute relative difference 0.2778."), std::string::npos);
  EXPECT_NE(html.find("trial 2: m0_val_loss 4, m1_val_loss 2, relative difference -0.5"),
            std::string::npos);
}

TEST(Report, CrossStudyTableComesFromTheCsvHeader) {
  HandMadeRun run(kTwoFloats);
  run.trial({{"x", 0.1}, {"y", 0.2}}, "ok", 3.0, 1000, 1004);
  const auto dir = run.path();
  write_text(dir / "cross_study.csv",
             "train\\test,CCLE,<GDSC>\nCCLE,0.81,0.52\n<GDSC>,0.47,\"0.75\"\n");
  std::string html = render(dir);
  ASSERT_NE(html.find("<section id=\"cross-study\">"), std::string::npos);
  EXPECT_NE(html.find("<title>train\\test &lt;GDSC&gt;, CCLE: 0.47</title>"), std::string::npos);
  EXPECT_NE(html.find(">0.81</text>"), std::string::npos);
  EXPECT_EQ(html.find("<GDSC>"), std::string::npos);

  write_text(dir / "cross_study.csv", "model,split,note\nA,1,fine\nB,2,\"a, b\"\n");
  html = render(dir);
  EXPECT_NE(html.find("<td>a, b</td>"), std::string::npos);
}

TEST(Report, SaysWhenTheCampaignIsStillRunning) {
  HandMadeRun run(kTwoFloats);
  run.trial({{"x", 0.1}, {"y", 0.2}}, "ok", 3.0, 1000, 1004);
  run.create_only({{"x", 0.3}, {"y", 0.3}});
  const RunHistory h = read_run_history(run.path());
  const std::string live = html_report(h, run_statistics(h, true, 1010), {});
  EXPECT_NE(live.find("This campaign is still running"), std::string::npos);
  const std::string stopped = html_report(h, run_statistics(h, false, 1010), {});
  EXPECT_EQ(stopped.find("still running"), std::string::npos);
  EXPECT_NE(stopped.find("interrupted"), std::string::npos);
}
