// `overseer analyze errors`: the High Error Drug analysis of a trial's predictions, against a
// hand computation, on IMPROVE's prediction files, and on a real run.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "process.hpp"

using namespace overseer::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::map<std::string, std::map<std::string, std::string>> keyed(const fs::path& file,
                                                                const std::string& key) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& row : csv_rows(file)) out[row.at(key)] = row;
  return out;
}

double at(const std::map<std::string, std::string>& row, const char* column) {
  return std::stod(row.at(column));
}

}  // namespace

TEST(AnalyzeErrors, ZScoresAndRangesMatchAHandComputation) {
  ScratchDir dir;
  fs::create_directories(dir / "run" / "trials" / "3");
  // Absolute errors 1, 0 for drug d1 and 2, 1 for d2.
  write_text(dir / "run" / "trials" / "3" / "predictions_val.csv",
             "cell,drug,study,y_true,y_pred,abs_diff\n"
             "c1,d1,s,1,2,1\nc2,d1,s,2,2,0\nc1,d2,s,3,5,2\nc2,d2,s,4,3,1\n");
  const ProcessResult r = run(
      overseer_command({"analyze", "errors", (dir / "run").string(), "--trial", "3"}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path out = dir / "run" / "analysis" / "trial-3";
  const auto drugs = keyed(out / "errors_by_drug_val.csv", "drug");
  EXPECT_DOUBLE_EQ(at(drugs.at("d1"), "mae"), 0.5);
  EXPECT_DOUBLE_EQ(at(drugs.at("d2"), "mae"), 1.5);
  // Among the two drugs' MAE (mean 1, population sd 0.5).
  EXPECT_DOUBLE_EQ(at(drugs.at("d1"), "mae_z"), -1);
  EXPECT_DOUBLE_EQ(at(drugs.at("d2"), "mae_z"), 1);
  EXPECT_DOUBLE_EQ(at(drugs.at("d2"), "bias"), 0.5);
  const auto rows = csv_rows(out / "errors_val.csv");
  ASSERT_EQ(rows.size(), 4u);
  const double expected_in_drug[] = {1, -1, 1, -1};
  // Across all four: mean 1, sd sqrt(0.5).
  const double expected_across[] = {0, -std::sqrt(2.0), std::sqrt(2.0), 0};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(at(rows[i], "z_in_drug"), expected_in_drug[i], 1e-12) << i;
    EXPECT_NEAR(at(rows[i], "z_across_drugs"), expected_across[i], 1e-12) << i;
  }
  // Two ranges of the truth 1..4: [1, 2.5) and [2.5, 4].
  const auto two = csv_rows(out / "errors_by_range_2_val.csv");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_DOUBLE_EQ(at(two[0], "high"), 2.5);
  EXPECT_DOUBLE_EQ(at(two[0], "mae"), 0.5);
  EXPECT_DOUBLE_EQ(at(two[1], "mae"), 1.5);
  EXPECT_EQ(csv_rows(out / "errors_by_range_10_val.csv").size(), 10u);
  EXPECT_NE(read_text(out / "errors.html").find("The drugs with the largest MAE"),
            std::string::npos);
}

TEST(AnalyzeErrors, ReadsAnImproveModelsPredictionsAndNamesWhatIsMissing) {
  ScratchDir dir;
  const fs::path trial = dir / "run" / "trials" / "0";
  fs::create_directories(trial / "work" / "out");
  write_text(trial / "work" / "out" / "test_y_data_predicted.csv",
             "improve_chem_id,improve_sample_id,auc_true,auc_pred\nd1,c1,0.5,0.7\nd1,c2,0.9,0.8\n");
  write_text(dir / "run" / "best.json", json{{"trial_id", 0}}.dump());
  ProcessResult r =
      run(overseer_command({"analyze", "errors", (dir / "run").string()}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto drugs =
      keyed(dir / "run" / "analysis" / "trial-0" / "errors_by_drug_test.csv", "drug");
  EXPECT_NEAR(at(drugs.at("d1"), "mae"), 0.15, 1e-12);
  EXPECT_FALSE(fs::exists(dir / "run" / "analysis" / "trial-0" / "errors_by_drug_val.csv"));

  r = run(overseer_command({"analyze", "errors", (dir / "run").string(), "--trial", "7"}),
          dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("trials/7: holds no predictions_val.csv"), std::string::npos) << r.err;
  write_text(trial / "predictions_val.csv", "cell,drug,y_true\nc1,d1,1\n");
  r = run(overseer_command({"analyze", "errors", (dir / "run").string()}), dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("predictions_val.csv: has no column \"y_pred\""), std::string::npos)
      << r.err;
}

TEST(AnalyzeErrors, TheBestTrialOfARealRunPerDrugAndPerRange) {
  ScratchDir dir;
  const ProcessResult r =
      run(overseer_command({"run", workflow("quickstart.json").string(), "--workers", "2", "--out",
                            (dir / "run").string(), "--set", "search.budget=2"}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const ProcessResult a =
      run(overseer_command({"analyze", "errors", (dir / "run").string()}), dir.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const json best = json::parse(read_text(dir / "run" / "best.json"));
  const fs::path out =
      dir / "run" / "analysis" / ("trial-" + std::to_string(best["trial_id"].get<int>()));
  for (const char* part : {"val", "test"}) {
    std::size_t by_drug = 0, by_range = 0;
    for (const auto& row : csv_rows(out / ("errors_by_drug_" + std::string(part) + ".csv"))) {
      by_drug += std::stoul(row.at("n"));
    }
    for (const auto& row : csv_rows(out / ("errors_by_range_10_" + std::string(part) + ".csv"))) {
      by_range += std::stoul(row.at("n"));
    }
    // DrugCell's split: 2,869 validation and 2,869 test rows.
    EXPECT_EQ(by_drug, 2869u) << part;
    EXPECT_EQ(by_range, 2869u) << part;
  }
  // The run's report has the best trial's errors too.
  const ProcessResult report =
      run(overseer_command({"report", (dir / "run").string()}), dir.path());
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const std::string html = read_text(dir / "run" / "report.html");
  EXPECT_NE(html.find("id=\"errors\""), std::string::npos);
  EXPECT_NE(html.find("The drugs with the largest MAE (test)"), std::string::npos);
}

TEST(AnalyzeErrors, AUpfMovesADrugToTheTestSetWhereItIsScoredApart) {
  ScratchDir dir;
  const auto campaign = [&](const std::string& upf) {
    write_text(dir / "rows.jsonl", upf);
    const json c = {
        {"name", "moves"},
        {"model",
         {{"name", "xgboost"},
          {"params",
           {{"tree_method", "hist"},
            {"nthread", 1},
            {"n_estimators", 20},
            {"loss", "alpha_weighted"}}},
          {"data",
           {{"file", (source_dir() / "data" / "nci60.h5").string()}, {"split", "original"}}}}},
        {"search", {{"algorithm", "upf"}, {"file", "rows.jsonl"}}}};
    write_text(dir / "c.json", c.dump());
    fs::remove_all(dir / "run");
    return run(overseer_command({"run", (dir / "c.json").string(), "--workers", "2", "--out",
                                 (dir / "run").string()}),
               dir.path());
  };
  ProcessResult r = campaign("{\"id\": \"baseline\", \"loss_alpha\": 0}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The drug with the most validation rows moves.
  std::map<std::string, int> val_rows;
  for (const auto& row : csv_rows(dir / "run" / "trials" / "0" / "predictions_val.csv")) {
    ++val_rows[row.at("drug")];
  }
  const auto moved = std::max_element(val_rows.begin(), val_rows.end(), [](auto& a, auto& b) {
                       return a.second < b.second;
                     })->first;
  r = campaign(
      "{\"id\": \"baseline\", \"loss_alpha\": 0}\n{\"id\": \"moved\", "
      "\"move_drugs_to_test\": [\"" +
      moved + "\"], \"loss_alpha\": 3}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto results = keyed(dir / "run" / "results.csv", "label");
  EXPECT_FALSE(results.at("baseline").count("metric_test_moved_mae") &&
               !results.at("baseline").at("metric_test_moved_mae").empty());
  ASSERT_FALSE(results.at("moved").at("metric_test_moved_mae").empty());
  const auto trial = results.at("moved").at("trial_id");
  const fs::path trial_dir = dir / "run" / "trials" / trial;
  for (const auto& row : csv_rows(trial_dir / "predictions_val.csv"))
    EXPECT_NE(row.at("drug"), moved);
  std::size_t in_test = 0;
  double abs_error = 0;
  for (const auto& row : csv_rows(trial_dir / "predictions_test.csv")) {
    if (row.at("drug") != moved) continue;
    ++in_test;
    abs_error += std::stod(row.at("abs_diff"));
  }
  // Every row of the drug is in the test set now (its validation rows among them), and the
  // moved metrics are those rows'.
  EXPECT_GE(in_test, static_cast<std::size_t>(val_rows.at(moved)));
  EXPECT_NEAR(std::stod(results.at("moved").at("metric_test_moved_mae")),
              abs_error / static_cast<double>(in_test), 1e-4);
}
