// `overseer train`: one evaluation outside a campaign, the result as JSON on stdout.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <vector>

#include "input_error.hpp"
#include "overseer/data/h5_file.hpp"
#include "overseer/models/external_result.hpp"
#include "process.hpp"

using namespace overseer::test;
using json = nlohmann::json;

TEST(Train, PrintsTheResultOfOneEvaluation) {
  ScratchDir dir;
  auto r = run(overseer_command({"train", "--model", "branin", "--params",
                                 R"({"x1": 3.141592653589793, "x2": 2.275})", "--trial-dir",
                                 (dir / "trial").string()}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json result = json::parse(r.out);
  EXPECT_EQ(result.at("status"), "ok");
  EXPECT_NEAR(result.at("value").get<double>(), 0.397887, 1e-5);
  EXPECT_EQ(json::parse(read_text(dir / "trial" / "params.json")).at("x2"), 2.275);
  EXPECT_EQ(json::parse(read_text(dir / "trial" / "result.json")).at("status"), "ok");
}

TEST(Train, ReadsParametersFromAFile) {
  ScratchDir dir;
  write_text(dir / "p.json", R"({"duration": 0, "value": 4.5})");
  auto r = run(overseer_command({"train", "--model", "sleep", "--params", "p.json"}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("value"), 4.5);
}

TEST(Train, AFailedEvaluationExitsOne) {
  ScratchDir dir;
  auto r = run(overseer_command({"train", "--model", "sleep", "--params",
                                 R"({"duration": 0, "fail": "throw"})"}),
               dir.path());
  EXPECT_EQ(r.exit_code, 1);
  const json result = json::parse(r.out);
  EXPECT_EQ(result.at("status"), "failed");
  EXPECT_EQ(result.at("message"), "sleep model told to fail");
}

TEST(Train, BadInputExitsTwoNamingTheParameter) {
  ScratchDir dir;
  auto missing =
      run(overseer_command({"train", "--model", "branin", "--params", R"({"x1": 1})"}), dir.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "error: --params: /x2: model \"branin\": missing parameter \"x2\"\n");
  auto unknown = run(overseer_command({"train", "--model", "resnet"}), dir.path());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown model \"resnet\""), std::string::npos) << unknown.err;
  auto malformed =
      run(overseer_command({"train", "--model", "branin", "--params", "{x1"}), dir.path());
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_EQ(malformed.err.rfind("error: --params: not valid JSON", 0), 0u) << malformed.err;
  auto no_file =
      run(overseer_command({"train", "--model", "branin", "--params", "nope.json"}), dir.path());
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_NE(no_file.err.find("nope.json"), std::string::npos) << no_file.err;
}

// The lines before the result JSON, parsed as the command model parses a program's progress.
std::vector<overseer::ProgressLine> progress_lines(const std::string& out) {
  std::vector<overseer::ProgressLine> lines;
  std::istringstream text(out.substr(0, out.find('{')));
  for (std::string line; std::getline(text, line);) {
    auto progress = overseer::parse_improve_progress(line);
    EXPECT_TRUE(progress.has_value()) << line;
    if (progress) lines.push_back(*progress);
  }
  return lines;
}

TEST(Train, ProgressPrintsEachReportAsTheCommandModelReadsIt) {
  ScratchDir dir;
  auto r = run(overseer_command({"train", "--model", "curve", "--params",
                                 R"({"target": 0.5, "epochs": 4})", "--progress"}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = progress_lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].step, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(lines[i].metrics.at("epochs"), static_cast<double>(i + 1));
    EXPECT_GE(lines[i].metrics.at("elapsed_s"), 0);
    if (i > 0) {
      EXPECT_LT(lines[i].metrics.at("val_loss"), lines[i - 1].metrics.at("val_loss"));
    }
  }
  const json result = json::parse(r.out.substr(r.out.find('{')));
  EXPECT_EQ(result.at("status"), "ok");
  EXPECT_EQ(result.at("step"), 4);
  EXPECT_EQ(result.at("value").get<double>(), lines.back().metrics.at("val_loss"));
}

TEST(Train, AStopFileInTheTrialDirectoryStopsItAtItsNextReport) {
  ScratchDir dir;
  std::filesystem::create_directories(dir / "trial");
  write_text(dir / "trial" / "STOP", "");
  auto r = run(
      overseer_command({"train", "--model", "curve", "--params", R"({"target": 0.5, "epochs": 4})",
                        "--progress", "--trial-dir", (dir / "trial").string()}),
      dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(progress_lines(r.out).size(), 1u) << r.out;
  const json result = json::parse(r.out.substr(r.out.find('{')));
  EXPECT_EQ(result.at("status"), "stopped");
  EXPECT_EQ(result.at("step"), 1);
  EXPECT_EQ(result.at("message"), "stopped at step 1");
  EXPECT_EQ(result.at("value").get<double>(), progress_lines(r.out).front().metrics.at("val_loss"));
}

TEST(Train, XgboostOnNci60BeatsTheMeanPredictor) {
  ScratchDir dir;
  auto r =
      run(overseer_command(
              {"train", "--model", "xgboost", "--params",
               R"({"n_estimators": 30, "save_model": "all", "nthread": 1})", "--data",
               json{{"file", (source_dir() / "data" / "nci60.h5").string()}, {"split", "original"}}
                   .dump(),
               "--trial-dir", (dir / "trial").string()}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json result = json::parse(r.out);
  EXPECT_EQ(result.at("status"), "ok");
  // A mean predictor scores r2 = 0; DrugCell's features carry real signal (about 0.5 here).
  EXPECT_GT(result.at("metrics").at("val_r2").get<double>(), 0.2) << r.out;
  EXPECT_GT(result.at("metrics").at("test_r2").get<double>(), 0.2) << r.out;
  EXPECT_EQ(result.at("value"), result.at("metrics").at("val_mse"));
  EXPECT_TRUE(std::filesystem::exists(dir / "trial" / "checkpoint" / "model.json"));
  const std::string predictions = read_text(dir / "trial" / "predictions_test.csv");
  EXPECT_EQ(predictions.rfind("cell,drug,study,y_true,y_pred,abs_diff\n", 0), 0u);
  EXPECT_EQ(std::count(predictions.begin(), predictions.end(), '\n'), 2869 + 1);
}

TEST(Train, XgboostRejectsBadSettings) {
  ScratchDir dir;
  auto r = run(overseer_command({"train", "--model", "xgboost", "--params", R"({"eta": 2})",
                                 "--data", (source_dir() / "data" / "nci60.h5").string()}),
               dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --params: /eta: model \"xgboost\": parameter \"eta\" must be a number in "
            "[0.0, 1.0], found 2\n");
}

TEST(Train, XgboostOnAMissingGpuFailsClearly) {
  ScratchDir dir;
  auto r = run(overseer_command({"train", "--model", "xgboost", "--params",
                                 R"({"n_estimators": 2, "device": "cuda:99"})", "--data",
                                 (source_dir() / "data" / "nci60.h5").string()}),
               dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const json result = json::parse(r.out);
  EXPECT_EQ(result.at("status"), "failed");
  EXPECT_NE(result.at("message").get<std::string>().find("GPU"), std::string::npos) << r.out;
  auto conflict = run(overseer_command({"train", "--model", "xgboost", "--params",
                                        R"({"tree_method": "gpu_hist", "device": "cpu"})"}),
                      dir.path());
  EXPECT_EQ(conflict.exit_code, 2);
  EXPECT_NE(conflict.err.find("/tree_method"), std::string::npos) << conflict.err;
}

TEST(Train, BadDataExitsTwoNamingTheFileAndLine) {
  ScratchDir dir;
  const std::string nci60 = (source_dir() / "data" / "nci60.h5").string();
  auto train = [&](const json& data, const std::string& params = R"({"n_estimators": 1})") {
    return run(overseer_command({"train", "--model", "xgboost", "--params", params, "--data",
                                 data.is_string() ? data.get<std::string>() : data.dump()}),
               dir.path());
  };
  expect_input_error(train("missing.h5"),
                     "--data: " + (dir / "missing.h5").string() + ": file does not exist");

  overseer::data::Dataset nan_features;
  nan_features.cells = {{"A"}, {"g"}, {std::nanf("")}, false};
  nan_features.drugs = {{"X"}, {"f"}, {1.0f}, true};
  nan_features.studies = {"s"};
  nan_features.responses.push_back(0, 0, 1.0f, 0);
  overseer::data::write_h5(nan_features, dir / "nan.h5");
  expect_input_error(train("nan.h5"), (dir / "nan.h5").string() +
                                          ": /cells/features: row 0 (\"A\"), column \"g\": not "
                                          "a finite number");

  // Empty parts: 55 cell lines cut at 0.98 and 0.99 leave none for validation.
  expect_input_error(
      train({{"file", nci60}, {"split", "cell"}, {"fractions", {0.98, 0.01, 0.01}}}),
      "--data: the validation set is empty (split of 55 cell lines with fractions 0.98, 0.01, "
      "0.01)");
  expect_input_error(train({{"file", nci60}, {"split", "study"}, {"train_sources", {"CCLE"}}}),
                     "--data: /train_sources/0: unknown study \"CCLE\"; the dataset has: NCI60");
  write_text(dir / "train.txt", "# none yet\n");
  write_text(dir / "val.txt", "1\nx\n");
  const json files = {{"file", nci60},
                      {"split", "files"},
                      {"split_files", {{"train", "train.txt"}, {"val", "val.txt"}}}};
  expect_input_error(train(files), (dir / "train.txt").string() +
                                       ": no row ids (the training set would be empty)");
  write_text(dir / "train.txt", "0\n");
  expect_input_error(train(files),
                     (dir / "val.txt").string() + ":2: \"x\" is not a row id (0-based)");

  write_text(dir / "data.json", json{{"file", nci60}, {"fractions", {0.5, 0.6, 0}}}.dump());
  expect_input_error(train("data.json"),
                     "data.json: /fractions: the fractions add up to more than 1");
  expect_input_error(train(nci60, R"({"n_estimators": 1, "noise": -1})"),
                     "--params: /noise: model \"xgboost\": parameter \"noise\": noise must not "
                     "be negative");
  expect_input_error(
      train(nci60, R"({"n_estimators": 1, "split": "study", "train_sources": ["CCLE"]})"),
      "--params: /train_sources/0: unknown study \"CCLE\"; the dataset has: NCI60");
}
