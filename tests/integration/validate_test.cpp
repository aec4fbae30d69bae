// `overseer validate` and `overseer run` on broken campaign files: exit code 2, one message that
// names the file and the JSON pointer, and nothing written.
#include <map>

#include <gtest/gtest.h>

#include "process.hpp"

using namespace overseer::test;

namespace {

struct BrokenCampaign {
  const char* file;
  const char* message;       // what follows "error: " on stderr
  bool needs_torch = false;  // the campaign names a torch model, whose checks need the plug-in
};

const BrokenCampaign kBroken[] = {
    {"malformed.json", "malformed.json: malformed JSON: parse error at line 2, column 1"},
    {"not-an-object.json", "not-an-object.json: expected a JSON object, found an array"},
    {"missing-name.json", "missing-name.json: /name: required field is missing"},
    {"unsafe-name.json", "unsafe-name.json: /name: name must start with a letter or digit"},
    {"misspelled-key.json",
     "misspelled-key.json: /serach: unknown field \"serach\" (did you mean \"search\"?)"},
    {"unknown-model.json",
     "unknown-model.json: /model/name: unknown model \"resnet\"; available: branin, cmp, "},
    {"unknown-algorithm.json",
     "unknown-algorithm.json: /search/algorithm: unknown algorithm \"annealing\"; available: "},
    {"unknown-search-option.json",
     "unknown-search-option.json: /search/population: unknown field \"population\""},
    {"missing-space-file.json",
     "missing-space-file.json: /space: space file no-such-space.json does not exist"},
    {"malformed-space-file.json", "malformed-space.txt: malformed JSON: parse error at line 1"},
    {"empty-space.json", "empty-space.json: /space: the search space is empty"},
    {"impossible-range.json",
     "impossible-range.json: /space/0/upper: upper must not be below lower"},
    {"log-range-through-zero.json",
     "log-range-through-zero.json: /space/0/log: a log-scaled range needs lower > 0"},
    {"wrong-element-type.json",
     "wrong-element-type.json: /space/0/values/1: expected a value of element_type float, found a "
     "string"},
    {"budget-not-integer.json",
     "budget-not-integer.json: /search/budget: expected an integer, found a string"},
    {"budget-zero.json", "budget-zero.json: /search/budget: budget must be at least 1"},
    {"random-without-budget.json",
     "random-without-budget.json: /search: random search needs \"budget\""},
    {"bayes-bad-surrogate.json",
     "bayes-bad-surrogate.json: /search/surrogate: surrogate must be one of \"gp\", \"rf\", found "
     "\"svm\""},
    {"random-without-space.json",
     "random-without-space.json: /space: random search needs a search space"},
    {"bad-mode.json", "bad-mode.json: /objective/mode: mode must be \"min\" or \"max\""},
    {"ga-bad-mode.json",
     "ga-bad-mode.json: /search/mode: mode must be \"generational\" or \"steady_state\", found "
     "\"async\""},
    {"ga-without-generations.json",
     "ga-without-generations.json: /search: ga needs \"num_iterations\" or \"budget\""},
    {"unknown-metric.json",
     "unknown-metric.json: /objective/metric: model \"branin\" does not report \"accuracy\"; it "
     "reports: value"},
    {"grid-float-without-num.json",
     "grid-float-without-num.json: /space/1: a grid over float parameter \"x2\" needs \"values\" "
     "or \"num\""},
    {"model-parameter-missing.json",
     "model-parameter-missing.json: /space: model \"branin\": missing parameter \"x2\""},
    {"fixed-and-searched.json",
     "fixed-and-searched.json: /model/params/x1: \"x1\" is both a fixed parameter and in the "
     "search space"},
    {"scheduler-unknown.json",
     "scheduler-unknown.json: /scheduler/name: unknown scheduler \"successive\"; available: "
     "none, asha, hyperband, ltfb, median, pbt"},
    {"scheduler-bad-min-resource.json",
     "scheduler-bad-min-resource.json: /scheduler/min_resource: min_resource must be between 1 "
     "and max_resource (9)"},
    {"scheduler-searched-resource.json",
     "scheduler-searched-resource.json: /space/1: \"epochs\" is the scheduler's resource "
     "(/scheduler/resource): the scheduler decides how long each trial trains, so it cannot be "
     "searched"},
    {"missing-upf-file.json",
     "missing-upf-file.json: /search/file: UPF file no-such-file.jsonl: file does not exist"},
    {"broken-upf-line.json", "broken.jsonl:2: /id: required field is missing"},
    {"negative-timeout.json",
     "negative-timeout.json: /limits/task_timeout_s: task_timeout_s must be between 0 (no limit) "
     "and 3.2e7 seconds"},
    {"bad-walltime.json",
     "bad-walltime.json: /limits/walltime_s: walltime_s must be between 0 (no limit) and 3.2e7 "
     "seconds"},
    {"checkpoint-bad-keep.json",
     "checkpoint-bad-keep.json: /checkpoint/keep: keep must be at least 1"},
    {"huge-int-grid.json",
     "huge-int-grid.json: /space/0: a grid over \"duration\" would have 1000000000001.0 points"},
    {"number-overflow.json", "number-overflow.json: malformed JSON: number overflow"},
    {"bad-max-failures.json", "bad-max-failures.json: /limits/max_failures: max_failures must be"},
    {"bad-seeds.json",
     "bad-seeds.json: /model/seeds: seeds must be \"per_trial\" or \"fixed\", found "
     "\"per-trial\""},
    {"bad-fsync.json", "bad-fsync.json: /output/fsync: fsync must be \"always\" or \"group\""},
    {"missing-data-file.json",
     "missing-data-file.json: /model/data/file: no-such.h5: file does not exist"},
    {"missing-split-file.json",
     "missing-split-file.json: /model/data/split_files/train: no-train.txt: file does not exist"},
    {"bad-split.json",
     "bad-split.json: /model/data/split: expected one of \"random\", \"cell\", \"drug\", "
     "\"study\", \"original\", \"files\", \"improve\", found \"bogus\""},
    {"searched-bad-split.json",
     "searched-bad-split.json: /space/0: model \"xgboost\": parameter \"split\": expected one of "
     "\"random\""},
    {"model-without-data.json",
     "model-without-data.json: /model/data: required field is missing: the dataset", true},
    {"sleep-bad-fail-mode.json",
     "sleep-bad-fail-mode.json: /model/params/fail: model \"sleep\": parameter \"fail\" must be "
     "none, throw, nan or hang"},
};

void PrintTo(const BrokenCampaign& c, std::ostream* os) {
  *os << c.file;
}

const auto kBrokenDir = source_dir() / "tests/data/broken";

class ValidateBroken : public ::testing::TestWithParam<BrokenCampaign> {};

}  // namespace

TEST_P(ValidateBroken, ExitsTwoWithOneMessageNamingFileAndPointer) {
  const BrokenCampaign& c = GetParam();
  if (c.needs_torch && !torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  ProcessResult r = run(overseer_command({"validate", c.file}), kBrokenDir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind(std::string("error: ") + c.message, 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(BrokenCampaigns, ValidateBroken, ::testing::ValuesIn(kBroken),
                         [](const auto& param_info) {
                           std::string name = param_info.param.file;
                           name = name.substr(0, name.find('.'));
                           for (char& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

// Three workflows read data that a make target imports (cross-study-gdsc.json
// data/gdsc-tissue.h5, hed-gdsc.json data/gdsc.h5, improve-csa-xgboost.json
// data/improve-fixture.h5); without it, validate says so, as it does for the torch workflows in
// a tree without LibTorch.
TEST(Validate, EveryShippedWorkflowIsValid) {
  const std::map<std::string, std::string> unbundled = {
      {"cross-study-gdsc.json", "gdsc-tissue.h5"},
      {"hed-gdsc.json", "gdsc.h5"},
      {"improve-csa-xgboost.json", "improve-fixture.h5"}};
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() / "workflows")) {
    if (entry.path().extension() != ".json") continue;
    ProcessResult r = run(overseer_command({"validate", entry.path().string()}), source_dir());
    const auto data = unbundled.find(entry.path().filename().string());
    if (data != unbundled.end() && !std::filesystem::exists(source_dir() / "data" / data->second)) {
      EXPECT_EQ(r.exit_code, 2) << r.err;
      EXPECT_NE(r.err.find("/model/data/file: "), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(data->second + ": file does not exist"), std::string::npos) << r.err;
      continue;
    }
    if (!torch_models_built() &&
        r.err.find("liboverseer_torch.so, which was not built") != std::string::npos) {
      EXPECT_EQ(r.exit_code, 2) << r.err;
      continue;
    }
    EXPECT_EQ(r.exit_code, 0) << entry.path() << ": " << r.err;
    EXPECT_NE(r.out.find(": ok: campaign"), std::string::npos);
  }
}

TEST(Validate, OverridesAreCheckedToo) {
  const auto campaign = workflow("branin-random.json").string();
  ProcessResult bad =
      run(overseer_command({"validate", campaign, "--set", "search.budget"}), source_dir());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "error: <command line>: --set search.budget: expected dotted.key=value\n");
  ProcessResult wrong_type =
      run(overseer_command({"validate", campaign, "--set", "search.seed=-4"}), source_dir());
  EXPECT_EQ(wrong_type.exit_code, 2);
  EXPECT_NE(wrong_type.err.find("/search/seed: seed must not be negative"), std::string::npos);
  ProcessResult good =
      run(overseer_command({"validate", campaign, "--set", "search.budget=7"}), source_dir());
  EXPECT_EQ(good.exit_code, 0);
  EXPECT_NE(good.out.find("random search, 7 trials"), std::string::npos);
}

TEST(Validate, MissingCampaignFile) {
  ProcessResult r = run(overseer_command({"validate", "no-such-campaign.json"}), kBrokenDir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: no-such-campaign.json: file does not exist\n");
}

TEST(Validate, ADirectoryNamedLikeACampaignFileIsNotAFile) {
  ScratchDir dir;
  std::filesystem::create_directories(dir / "c.json");
  ProcessResult r = run(overseer_command({"validate", "c.json"}), dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: c.json: is a directory, not a file\n");
}

TEST(RunBroken, UnderMpirunEveryRankExitsAndNothingIsWritten) {
  ScratchDir dir;
  ProcessResult r = run(mpirun_command(3, {"run", (kBrokenDir / "unknown-model.json").string(),
                                           "--out", (dir / "run").string()}),
                        dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("/model/name: unknown model \"resnet\""), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "run"));
}
