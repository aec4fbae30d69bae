// The command model through the real binary: the IMPROVE-style example model under mpirun, and
// bad model.data rejected before a run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "overseer/core/json_view.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
namespace fs = std::filesystem;

namespace {

// A command campaign that runs models/improve-ridge's train.sh on data preprocessed once,
// beforehand, from the IMPROVE-layout fixture; `program` is argv[0] as written.
json ridge_train_campaign(const fs::path& ml_data, const std::string& program) {
  return {
      {"name", "ridge-command"},
      {"model",
       {{"name", "command"},
        {"params", {{"epochs", 30}}},
        {"data",
         {{"argv",
           {program, "{visible_devices}", "{data_dir}", "--input_dir", ml_data.string(),
            "--output_dir", "{run_dir}", "--learning_rate", "{learning_rate}", "--rank", "{rank}",
            "--epochs", "{epochs}"}},
          {"data_dir", (source_dir() / "tests" / "data" / "improve" / "csa").string()},
          {"result", "val_scores"}}}}},
      {"space",
       json::array({{{"name", "learning_rate"}, {"type", "categorical"}, {"values", {0.003, 0.01}}},
                    {{"name", "rank"}, {"type", "categorical"}, {"values", {0, 2}}}})},
      {"search", {{"algorithm", "grid"}}},
      {"objective", {{"metric", "val_loss"}, {"mode", "min"}}}};
}

fs::path ridge_script(const std::string& name) {
  return source_dir() / "models" / "improve-ridge" / name;
}

}  // namespace

TEST(CommandModelRun, AnImproveTrainScriptLearnsUnderMpirun) {
  ScratchDir dir;
  const fs::path csa = source_dir() / "tests" / "data" / "improve" / "csa";
  auto r = run(
      {ridge_script("preprocess.sh").string(), "", csa.string(), "--input_dir", csa.string(),
       "--output_dir", (dir / "ml").string(), "--train_split_file", "CCLE_split_0_train.txt",
       "--val_split_file", "CCLE_split_0_val.txt", "--test_split_file", "CCLE_split_0_test.txt"},
      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  write_text(dir / "c.json",
             ridge_train_campaign(dir / "ml", ridge_script("train.sh").string()).dump());
  r = run(mpirun_command(3, {"run", (dir / "c.json").string(), "--out", (dir / "run").string()}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = csv_rows(dir / "run" / "results.csv");
  ASSERT_EQ(rows.size(), 4u);
  double best_r2 = -1e300;
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("status"), "ok");
    const double value = std::stod(row.at("value"));
    EXPECT_TRUE(std::isfinite(value));
    EXPECT_EQ(std::stod(row.at("metric_mse")), value);
    best_r2 = std::max(best_r2, std::stod(row.at("metric_r2")));
    const fs::path trial = dir / "run" / "trials" / row.at("trial_id");
    EXPECT_NE(read_text(trial / "model.log").find("IMPROVE_RESULT val_loss:\t"), std::string::npos);
    EXPECT_TRUE(fs::exists(trial / "val_y_data_predicted.csv"));
    EXPECT_EQ(json::parse(read_text(trial / "params.json")).at("epochs"), 30);
  }
  // Real learning: better than predicting the mean (R^2 0) on the validation split.
  EXPECT_GT(best_r2, 0.2);
}

TEST(CommandModelRun, BadModelDataIsAnInputError) {
  ScratchDir dir;
  const auto example = [&] {
    return ridge_train_campaign(dir / "ml", ridge_script("train.sh").string());
  };
  json campaign = example();
  campaign["model"]["data"]["argv"][3] = 4;
  write_text(dir / "c.json", campaign.dump());
  auto r = run(overseer_command({"validate", (dir / "c.json").string()}), dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("c.json: /model/data/argv/3: "), std::string::npos) << r.err;

  // A relative program path is relative to the campaign file, not to where overseer runs.
  write_text(dir / "c.json",
             ridge_train_campaign(dir / "ml", "../models/improve-ridge/train.sh").dump());
  r = run(overseer_command({"validate", (dir / "c.json").string()}), dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "error: " + (dir / "c.json").string() + ": /model/data/argv/0: " +
                       (dir.path().parent_path() / "models/improve-ridge/train.sh").string() +
                       ": file does not exist\n");

  campaign = example();
  campaign["model"]["data"]["argv"].push_back("--dropout={dropout}");
  write_text(dir / "c.json", campaign.dump());
  r = run(overseer_command({"validate", (dir / "c.json").string()}), dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("{dropout}"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/model/params or the search space"), std::string::npos) << r.err;
}

TEST(CommandModelRun, ACategoricalValueFromTheCampaignReachesTheProgramVerbatim) {
  ScratchDir dir;
  const std::string nasty = "; rm -rf x $(touch pwned) `touch bq` 'a' \"b\"\nline two";
  write_text(dir / "record.sh", "#!/bin/sh\nprintf '%s' \"$1\" > arg\necho 'IMPROVE_RESULT 1'\n");
  fs::permissions(dir / "record.sh", fs::perms::owner_all);
  const json campaign = {
      {"name", "metachar"},
      {"model", {{"name", "command"}, {"data", {{"argv", {"./record.sh", "{choice}"}}}}}},
      {"space", {{{"name", "choice"}, {"type", "categorical"}, {"values", {nasty}}}}},
      {"search", {{"algorithm", "grid"}}}};
  write_text(dir / "c.json", campaign.dump());
  auto r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "1", "--out",
                                 (dir / "run").string()}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(dir / "run" / "trials" / "0" / "arg"), nasty);
  EXPECT_EQ(json::parse(read_text(dir / "run" / "trials" / "0" / "params.json")).at("choice"),
            nasty);
  EXPECT_FALSE(fs::exists(dir / "pwned"));
  EXPECT_FALSE(fs::exists(dir / "run" / "trials" / "0" / "pwned"));
  EXPECT_FALSE(fs::exists(dir / "run" / "trials" / "0" / "bq"));
}

namespace {

// A program that fails unless every path it is handed (argv and environment) is absolute and
// names what it should, since it runs in the trial directory, not where overseer started.
const char* const kPathChecker = R"sh(#!/bin/sh
for p in "$1" "$2" "$3" "$OVERSEER_RUN_DIR" "$CANDLE_DATA_DIR"; do
  case "$p" in /*) ;; *) echo "relative path: '$p'"; exit 3 ;; esac
done
[ -f "$1" ] || { echo "no params file $1"; exit 4; }
[ -d "$2" ] && [ "$2" = "$(pwd)" ] || { echo "run dir $2 is not $(pwd)"; exit 5; }
[ -f "$3/nci60.h5" ] || { echo "no data in $3"; exit 6; }
echo "IMPROVE_RESULT 1"
)sh";

// campaigns/c.json in `dir`, running campaigns/check.sh on ../data, both relative to that file.
void write_path_campaign(const ScratchDir& dir) {
  fs::create_directories(dir / "campaigns");
  fs::create_directory_symlink(source_dir() / "data", dir / "data");
  write_text(dir / "campaigns" / "check.sh", kPathChecker);
  fs::permissions(dir / "campaigns" / "check.sh", fs::perms::owner_all);
  const json campaign = {
      {"name", "paths"},
      {"model",
       {{"name", "command"},
        {"data",
         {{"argv", {"./check.sh", "{params_json}", "{run_dir}", "{data_dir}"}},
          {"data_dir", "../data"}}}}},
      {"space", {{{"name", "x"}, {"type", "float"}, {"lower", 0}, {"upper", 1}}}},
      {"search", {{"algorithm", "random"}, {"budget", 4}}}};
  write_text(dir / "campaigns" / "c.json", campaign.dump());
}

void expect_all_ok(const fs::path& run_dir) {
  const auto rows = csv_rows(run_dir / "results.csv");
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) EXPECT_EQ(row.at("status"), "ok") << row.at("message");
}

}  // namespace

TEST(CommandModelRun, PathsHandedToTheProgramAreAbsoluteWithARelativeOutAndCampaign) {
  ScratchDir dir;
  write_path_campaign(dir);
  auto r = run(overseer_command({"run", "campaigns/c.json", "--workers", "2", "--out", "run"}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_all_ok(dir / "run");

  // From another directory, under mpirun, with both paths relative to it.
  fs::create_directories(dir / "elsewhere");
  r = run(mpirun_command(3, {"run", "../campaigns/c.json", "--out", "../run-mpi"}),
          dir / "elsewhere");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_all_ok(dir / "run-mpi");
}

TEST(CommandModelRun, TrainWithARelativeTrialDirHandsTheProgramAbsolutePaths) {
  ScratchDir dir;
  write_path_campaign(dir);
  const json data = json::parse(read_text(dir / "campaigns" / "c.json"))["model"]["data"];
  auto r = run(overseer_command({"train", "--model", "command", "--data", data.dump(), "--params",
                                 R"({"x": 0.5})", "--trial-dir", "t"}),
               dir / "campaigns");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"status\": \"ok\""), std::string::npos) << r.out;
}
