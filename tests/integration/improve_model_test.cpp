// The improve model through the real binary: models/improve-ridge, curated to IMPROVE's three
// scripts, on the IMPROVE-layout fixture (tests/data/improve/csa).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>

#include "overseer/core/json_view.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
namespace fs = std::filesystem;

namespace {

fs::path ridge_dir() {
  return source_dir() / "models" / "improve-ridge";
}
fs::path csa_dir() {
  return source_dir() / "tests" / "data" / "improve" / "csa";
}

// An interpreter that records each stage it runs (its script and flags, one line), takes a
// second over preprocessing so that workers asking for the same split meet, and runs the stage
// with Debian's python3.
fs::path recording_python(const ScratchDir& dir) {
  const fs::path path = dir / "python";
  write_text(path,
             "#!/bin/sh\n"
             "printf '%s\\n' \"$*\" >> \"$STAGES\"\n"
             "case \"$1\" in *_preprocess_improve.py) sleep 1 ;; esac\n"
             "exec /usr/bin/python3 \"$@\"\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> containing(const std::vector<std::string>& lines,
                                    const std::string& part) {
  std::vector<std::string> out;
  for (const auto& line : lines) {
    if (line.find(part) != std::string::npos) out.push_back(line);
  }
  return out;
}

json ridge_campaign(const ScratchDir& dir, json data, json space) {
  json base = {{"model_dir", ridge_dir().string()},
               {"input_dir", csa_dir().string()},
               {"python", recording_python(dir).string()},
               {"env", {{"STAGES", (dir / "stages.txt").string()}}}};
  base.update(data);
  return {{"name", "ridge"},
          {"model", {{"name", "improve"}, {"params", {{"epochs", 40}}}, {"data", base}}},
          {"space", space},
          {"search", {{"algorithm", "grid"}}},
          {"objective", {{"metric", "val_loss"}, {"mode", "min"}}}};
}

std::size_t entries_in(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    n += entry.is_directory();
    EXPECT_EQ(entry.path().extension(), entry.is_directory() ? "" : ".lock") << entry.path();
  }
  return n;
}

}  // namespace

TEST(ImproveModelRun, PreprocessesOncePerSplitWhileTwoWorkersRaceForItUnderMpirun) {
  ScratchDir dir;
  const json campaign = ridge_campaign(
      dir, {{"train_sources", "CCLE"}, {"split_seed", 0}, {"test_sources", "*"}},
      json::array({{{"name", "learning_rate"}, {"type", "categorical"}, {"values", {0.005, 0.02}}},
                   {{"name", "rank"}, {"type", "categorical"}, {"values", {0, 2}}}}));
  write_text(dir / "c.json", campaign.dump());
  const auto r =
      run(mpirun_command(3, {"run", (dir / "c.json").string(), "--out", (dir / "run").string()}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const auto stages = lines_of(read_text(dir / "stages.txt"));
  // Four trials, one split, three test sets (CCLE's own, gCSI's and GDSCv1's _all): three
  // preprocessings, though both workers began with the same one at the same moment.
  const auto preprocessed = containing(stages, "ridge_preprocess_improve.py");
  ASSERT_EQ(preprocessed.size(), 3u) << read_text(dir / "stages.txt");
  for (const char* test : {"CCLE_split_0_test.txt", "gCSI_all.txt", "GDSCv1_all.txt"}) {
    EXPECT_EQ(containing(preprocessed, std::string("--test_split_file ") + test).size(), 1u);
  }
  EXPECT_EQ(containing(preprocessed,
                       "--train_split_file CCLE_split_0_train.txt "
                       "--val_split_file CCLE_split_0_val.txt")
                .size(),
            3u);
  EXPECT_EQ(containing(preprocessed, "--input_dir " + csa_dir().string() + " --output_dir " +
                                         (dir / "run" / "ml_data").string())
                .size(),
            3u);
  const auto trained = containing(stages, "ridge_train_improve.py");
  EXPECT_EQ(trained.size(), 4u);
  EXPECT_EQ(containing(trained, "--epochs 40").size(), 4u);
  EXPECT_EQ(
      containing(trained, "--config_file " + (ridge_dir() / "ridge_params.txt").string()).size(),
      4u);
  EXPECT_EQ(containing(trained, "--rank 2").size(), 2u);
  EXPECT_TRUE(containing(trained, "train_sources").empty());
  EXPECT_EQ(containing(stages, "ridge_infer_improve.py").size(), 12u);
  EXPECT_EQ(entries_in(dir / "run" / "ml_data"), 3u);

  const std::string results = read_text(dir / "run" / "results.csv");
  EXPECT_NE(results.find("metric_test_r2@gCSI"), std::string::npos) << results;
  EXPECT_NE(results.find("metric_val_pcc"), std::string::npos) << results;
  EXPECT_EQ(containing(lines_of(results), ",ok,").size(), 4u) << results;
  for (int trial = 0; trial < 4; ++trial) {
    const fs::path trial_dir = dir / "run" / "trials" / std::to_string(trial);
    EXPECT_TRUE(fs::exists(trial_dir / "val_scores.json"));
    EXPECT_TRUE(fs::exists(trial_dir / "infer" / "test" / "test_scores.json"));
    EXPECT_TRUE(fs::exists(trial_dir / "infer" / "gCSI" / "test_y_data_predicted.csv"));
  }
  // The cross-study table, in Overseer's and in IMPROVE's form.
  const auto table = lines_of(read_text(dir / "run" / "cross_study.csv"));
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table[0], "train_source,CCLE,GDSCv1,gCSI");
  const auto scores = lines_of(read_text(dir / "run" / "improve_csa" / "all_scores.csv"));
  EXPECT_EQ(scores.front(), "met,split,value,src,trg,model");
  EXPECT_EQ(containing(scores, ",0,").size(), scores.size() - 1);
  EXPECT_EQ(containing(scores, ",CCLE,gCSI,improve").size(), 4u * 5);  // 4 trials x 5 metrics
}

TEST(ImproveModelRun, PreprocessingParametersKeyTheCacheAndStayOutOfTraining) {
  ScratchDir dir;
  const json campaign = ridge_campaign(
      dir,
      {{"train_sources", "CCLE"},
       {"split_seed", 0},
       {"infer", false},
       {"preprocess_params", {"cell_features"}}},
      json::array({{{"name", "cell_features"},
                    {"type", "categorical"},
                    {"values", {"cancer_gene_expression.tsv", "cancer_copy_number.tsv"}}},
                   {{"name", "rank"}, {"type", "categorical"}, {"values", {0, 2}}}}));
  write_text(dir / "c.json", campaign.dump());
  const auto r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "2", "--out",
                                       (dir / "run").string()}),
                     dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto stages = lines_of(read_text(dir / "stages.txt"));
  // Four trials, two cell tables: two preprocessings, each handed its table.
  const auto preprocessed = containing(stages, "ridge_preprocess_improve.py");
  ASSERT_EQ(preprocessed.size(), 2u) << read_text(dir / "stages.txt");
  for (const char* table : {"cancer_gene_expression.tsv", "cancer_copy_number.tsv"}) {
    EXPECT_EQ(containing(preprocessed, std::string("--cell_features ") + table).size(), 1u);
  }
  const auto trained = containing(stages, "ridge_train_improve.py");
  EXPECT_EQ(trained.size(), 4u);
  EXPECT_TRUE(containing(trained, "--cell_features").empty());
  EXPECT_TRUE(containing(stages, "ridge_infer_improve.py").empty());
  EXPECT_EQ(entries_in(dir / "run" / "ml_data"), 2u);
}

TEST(ImproveModelRun, TheOlderV003FlagsReachTheScripts) {
  ScratchDir dir;
  const json campaign =
      ridge_campaign(dir,
                     {{"flags", "v0.0.3"},
                      {"data_dir", csa_dir().string()},
                      {"train_sources", "gCSI"},
                      {"split_seed", 1}},
                     json::array({{{"name", "rank"}, {"type", "categorical"}, {"values", {0}}}}));
  json without_input = campaign;
  without_input["model"]["data"].erase("input_dir");
  write_text(dir / "c.json", without_input.dump());
  const auto r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "1", "--out",
                                       (dir / "run").string()}),
                     dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto stages = lines_of(read_text(dir / "stages.txt"));
  ASSERT_EQ(stages.size(), 3u);
  EXPECT_NE(stages[0].find("--ml_data_outdir "), std::string::npos) << stages[0];
  EXPECT_NE(stages[0].find("--train_split_file gCSI_split_1_train.txt"), std::string::npos);
  EXPECT_NE(stages[1].find("--train_ml_data_dir "), std::string::npos) << stages[1];
  EXPECT_NE(stages[1].find("--model_outdir "), std::string::npos) << stages[1];
  EXPECT_NE(stages[2].find("--test_ml_data_dir "), std::string::npos) << stages[2];
  EXPECT_NE(stages[2].find("--infer_outdir "), std::string::npos) << stages[2];
  EXPECT_NE(read_text(dir / "run" / "results.csv").find(",ok,"), std::string::npos);
}

TEST(ImproveModelRun, ContainerStagesRunThroughTheLauncherAsShellEntryPoints) {
  ScratchDir dir;
  write_text(dir / "ridge.sif", "");
  const json campaign = ridge_campaign(
      dir,
      {{"launcher",
        {(source_dir() / "tests" / "support" / "fake-apptainer").string(), "exec", "{image}"}},
       {"image", "ridge.sif"},
       {"train_sources", "CCLE"},
       {"split_seed", 2}},
      json::array({{{"name", "rank"}, {"type", "categorical"}, {"values", {0}}}}));
  write_text(dir / "c.json", campaign.dump());
  const auto r = run(overseer_command({"run", (dir / "c.json").string(), "--workers", "1", "--out",
                                       (dir / "run").string()}),
                     dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The fake runtime records the last stage's command line: infer.sh DEVICE DATA_DIR FLAGS.
  std::vector<std::string> argv;
  std::istringstream in(read_text(dir / "run" / "trials" / "0" / "launcher_argv"));
  for (std::string arg; std::getline(in, arg, '\0');) argv.push_back(arg);
  ASSERT_GE(argv.size(), 6u);
  EXPECT_EQ(argv[0], "exec");
  EXPECT_EQ(argv[1], (dir / "ridge.sif").string());
  EXPECT_EQ(argv[2], (ridge_dir() / "infer.sh").string());
  EXPECT_EQ(argv[3], "");
  EXPECT_EQ(argv[4], csa_dir().string());
  EXPECT_EQ(argv[5], "--input_data_dir");
  EXPECT_NE(read_text(dir / "run" / "results.csv").find(",ok,"), std::string::npos);
}

TEST(ImproveModelRun, BadModelDataIsAnInputErrorNamingTheField) {
  ScratchDir dir;
  const json space = json::array({{{"name", "rank"}, {"type", "categorical"}, {"values", {0}}}});
  const auto error_of = [&](const json& campaign) {
    write_text(dir / "c.json", campaign.dump());
    const auto r = run(overseer_command({"validate", (dir / "c.json").string()}), dir.path());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    return r.err;
  };
  const std::string file = (dir / "c.json").string();
  json campaign = ridge_campaign(dir, {{"train_sources", "CCLE"}, {"split_seed", 0}}, space);
  campaign["model"]["data"].erase("input_dir");
  EXPECT_NE(error_of(campaign).find(file + ": /model/data: the improve model needs \"input_dir\""),
            std::string::npos);

  campaign = ridge_campaign(dir, {{"model_dir", dir.path().string()}}, space);
  EXPECT_NE(error_of(campaign).find(file + ": /model/data/model_dir: " + dir.path().string() +
                                    " holds 0 files *_train_improve.py"),
            std::string::npos);

  campaign = ridge_campaign(dir, {{"flags", "v0.2"}}, space);
  EXPECT_NE(error_of(campaign).find(file + ": /model/data/flags: expected \"v0.1\""),
            std::string::npos);

  campaign = ridge_campaign(dir, {{"test_sources", 3}}, space);
  EXPECT_NE(error_of(campaign).find(file + ": /model/data/test_sources: expected \"*\""),
            std::string::npos);

  campaign = ridge_campaign(dir, {{"test_sources", {"gCSI", ".."}}}, space);
  EXPECT_NE(error_of(campaign).find(file + ": /model/data/test_sources/1: \"..\" cannot be a "
                                           "study's name here"),
            std::string::npos);

  campaign = ridge_campaign(dir, {{"env", {{"SEED", "{seed}"}}}}, space);
  EXPECT_NE(error_of(campaign).find(file + ": /model/data/env/SEED: {seed} is not a placeholder "
                                           "of the improve model"),
            std::string::npos);

  // The default split file names need the training study and the split number.
  campaign = ridge_campaign(dir, {{"split_seed", 0}}, space);
  EXPECT_NE(error_of(campaign).find("{train_sources}"), std::string::npos);
}
