// The cross-study workflows under mpirun, `overseer export`, and their data files.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include "input_error.hpp"
#include "process.hpp"

using namespace overseer::test;

namespace {

using Rows = std::vector<std::vector<std::string>>;

// A CSV without quoted fields (study names here hold no commas), empty fields kept.
Rows read_csv(const std::filesystem::path& file) {
  Rows rows;
  std::istringstream in(read_text(file));
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
      const auto comma = line.find(',', start);
      fields.push_back(line.substr(start, comma == std::string::npos ? comma : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

// count of each (train_source, test_study) cell of a metric in cross_study_long.csv.
std::map<std::pair<std::string, std::string>, int> counts(const std::filesystem::path& run,
                                                          const std::string& metric) {
  const Rows rows = read_csv(run / "cross_study_long.csv");
  EXPECT_EQ(rows.at(0), (std::vector<std::string>{"train_source", "test_study", "metric", "count",
                                                  "mean", "sd"}));
  std::map<std::pair<std::string, std::string>, int> out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i][2] == metric) out[{rows[i][0], rows[i][1]}] = std::stoi(rows[i][3]);
  }
  return out;
}

}  // namespace

TEST(CrossStudyWorkflow, SyntheticStudiesGiveTheFullTableAndExportRebuildsIt) {
  ScratchDir dir;
  const auto run_dir = dir / "run";
  auto r = run(
      mpirun_command(3, {"run", workflow("cross-study.json").string(), "--out", run_dir.string()}),
      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const Rows matrix = read_csv(run_dir / "cross_study.csv");
  const std::vector<std::string> studies = {"study0", "study1", "study2", "study3"};
  ASSERT_EQ(matrix.size(), 5u);
  EXPECT_EQ(matrix[0],
            (std::vector<std::string>{"train_source", "study0", "study1", "study2", "study3"}));
  double diagonal = 0, off = 0;
  for (std::size_t i = 1; i < matrix.size(); ++i) {
    ASSERT_EQ(matrix[i].size(), 5u);
    EXPECT_EQ(matrix[i][0], studies[i - 1]);
    for (std::size_t j = 1; j < 5; ++j) (i == j ? diagonal : off) += std::stod(matrix[i][j]);
  }
  // data/synth-studies.h5 has batch effects: each row scores best on its own study.
  EXPECT_GT(diagonal / 4, off / 12 + 0.15) << read_text(run_dir / "cross_study.csv");
  // Four sources x three splits: every cell is the mean of three trials.
  const auto r2_counts = counts(run_dir, "r2");
  EXPECT_EQ(r2_counts.size(), 16u);
  for (const auto& [cell, count] : r2_counts) EXPECT_EQ(count, 3) << cell.first << cell.second;
  EXPECT_NE(read_text(run_dir / "results.csv").find("metric_test_r2@study3"), std::string::npos);

  // The report shows the table of a real cross-study run.
  auto report = run(overseer_command({"report", run_dir.string()}), dir.path());
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const std::string html = read_text(run_dir / "report.html");
  const auto table = html.find("<section id=\"cross-study\">");
  ASSERT_NE(table, std::string::npos);
  EXPECT_NE(html.find("study3", table), std::string::npos);

  const std::string matrix_text = read_text(run_dir / "cross_study.csv");
  const std::string long_text = read_text(run_dir / "cross_study_long.csv");
  const std::string results_text = read_text(run_dir / "results.csv");
  for (const char* name : {"cross_study.csv", "cross_study_long.csv", "results.csv"}) {
    std::filesystem::remove(run_dir / name);
  }
  auto e = run(overseer_command({"export", run_dir.string()}), dir.path());
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(read_text(run_dir / "cross_study.csv"), matrix_text);
  EXPECT_EQ(read_text(run_dir / "cross_study_long.csv"), long_text);
  EXPECT_EQ(read_text(run_dir / "results.csv"), results_text);
}

TEST(CrossStudyWorkflow, GdscTissuesUnderMpirun) {
  ScratchDir dir;
  const auto data = dir / "gdsc-tissue.h5";
  auto import =
      run(overseer_command({"data", "import", "gdsc", (source_dir() / "data/gdsc1000").string(),
                            "--drug-features", "onehot", "--tissue", "drop", "--study-by", "tissue",
                            "--min-study-rows", "10000", "-o", data.string()}),
          dir.path());
  ASSERT_EQ(import.exit_code, 0) << import.err;
  EXPECT_NE(import.out.find("10 studies"), std::string::npos) << import.out;

  // The first four grid points: three splits of aero_dig_tract, one of breast.
  auto r =
      run(mpirun_command(3, {"run", workflow("cross-study-gdsc.json").string(), "--out",
                             (dir / "run").string(), "--set", "model.data.file=" + data.string(),
                             "--set", "search.budget=4", "--set", "model.params.n_estimators=20"}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Rows matrix = read_csv(dir / "run" / "cross_study.csv");
  ASSERT_EQ(matrix.size(), 3u);
  EXPECT_EQ(matrix[0].size(), 11u);  // train_source and the ten studies
  EXPECT_EQ(matrix[1][0], "aero_dig_tract");
  EXPECT_EQ(matrix[2][0], "breast");
  const auto r2_counts = counts(dir / "run", "r2");
  EXPECT_EQ(r2_counts.at({"aero_dig_tract", "leukemia"}), 3);
  EXPECT_EQ(r2_counts.at({"breast", "leukemia"}), 1);
  EXPECT_EQ(r2_counts.size(), 20u);
}

TEST(CrossStudyWorkflow, UnknownStudyIsAnInputError) {
  ScratchDir dir;
  const std::string campaign = workflow("cross-study.json").string();
  auto r = run(mpirun_command(3, {"run", campaign, "--out", (dir / "run").string(), "--set",
                                  R"(model.data.test_sources=["study0","CCLE"])"}),
               dir.path());
  // mpirun adds its own lines after the one from Overseer.
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("error: " + campaign +
                            ": /model/data/test_sources/1: unknown study \"CCLE\"; the dataset "
                            "has: study0, study1, study2, study3\n",
                        0),
            0u)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / "journal.jsonl"));

  // A grid value naming no study of the file.
  auto v = run(overseer_command({"validate", campaign, "--set",
                                 R"(space=[{"name": "train_sources", "type": "categorical", )"
                                 R"("values": ["study0", "study 1"]}])"}),
               dir.path());
  expect_input_error(v, campaign +
                            ": /space/0/values/1: unknown study \"study 1\"; the dataset "
                            "has: study0, study1, study2, study3");
}

TEST(CrossStudyData, BundledSyntheticStudiesAreWhatTheDocumentedCommandWrites) {
  ScratchDir dir;
  // As data/README.md and docs/cross-study.md give it.
  std::vector<std::string> args = {"data", "synth", "-o", (dir / "s.h5").string()};
  std::istringstream options(
      "--cells 150 --drugs 60 --pairs 12000 --cell-features 16 --drug-features 16 --rank 3 "
      "--noise 0.1 --studies 4 --batch-effect 0.2 --seed 3");
  for (std::string option; options >> option;) args.push_back(option);
  auto r = run(overseer_command(args), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(read_text(dir / "s.h5") == read_text(source_dir() / "data/synth-studies.h5"))
      << "regenerate data/synth-studies.h5 with the command in data/README.md";
}

TEST(ExportCommand, RejectsADirectoryWithoutARun) {
  ScratchDir dir;
  auto r = run(overseer_command({"export", dir.path().string()}), dir.path());
  expect_input_error(r, dir.path().string() + ": not a run directory: campaign.json is missing");
}

TEST(PerStudyMetricsCli, TorchModelsReportThemToo) {
  if (!torch_models_built()) GTEST_SKIP() << kNeedsTorch;
  ScratchDir dir;
  auto r = run(
      overseer_command(
          {"train", "--model", "torch_mlp", "--params",
           R"({"epochs": 1, "dense_feature_layers": [32], "dense": [32], "threads": 1})", "--data",
           R"({"split": "study", "train_sources": "study2", )"
           R"("test_sources": "*", "file": ")" +
               (source_dir() / "data/synth-studies.h5").string() + "\"}"}),
      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* study : {"study0", "study1", "study2", "study3"}) {
    EXPECT_NE(r.out.find(std::string("\"test_r2@") + study + "\""), std::string::npos) << r.out;
  }
}

// IMPROVE's cross-study analysis on the IMPROVE fixture: each study's split files, tested on
// its own split's test list and every other study's _all, and IMPROVE's output tables.
TEST(CrossStudyWorkflow, ImproveSplitsGiveImprovesCsaTablesAndExportRebuildsThem) {
  ScratchDir dir;
  const auto data = dir / "csa.h5";
  auto import = run(overseer_command({"data", "import", "improve",
                                      (source_dir() / "tests/data/improve/csa").string(), "--omics",
                                      "gene_expression,mutation_count", "-o", data.string()}),
                    dir.path());
  ASSERT_EQ(import.exit_code, 0) << import.err;
  const auto run_dir = dir / "run";
  auto r = run(mpirun_command(3, {"run", workflow("improve-csa-xgboost.json").string(), "--out",
                                  run_dir.string(), "--set", "model.data.file=" + data.string()}),
               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const Rows matrix = read_csv(run_dir / "cross_study.csv");
  ASSERT_EQ(matrix.size(), 4u);
  EXPECT_EQ(matrix[0], (std::vector<std::string>{"train_source", "CCLE", "GDSCv1", "gCSI"}));
  const auto csa = run_dir / "improve_csa";
  const Rows scores = read_csv(csa / "all_scores.csv");
  EXPECT_EQ(scores.at(0),
            (std::vector<std::string>{"met", "split", "value", "src", "trg", "model"}));
  // 3 studies x 3 splits x 3 targets x 6 metrics.
  ASSERT_EQ(scores.size(), 1u + 162u);
  std::map<std::pair<std::string, std::string>, std::vector<double>> r2;
  for (std::size_t i = 1; i < scores.size(); ++i) {
    if (scores[i][0] == "r2") r2[{scores[i][3], scores[i][4]}].push_back(std::stod(scores[i][2]));
  }
  ASSERT_EQ(r2.size(), 9u);
  // The mean table is the mean of all_scores' rows, as improvelib groups them.
  const Rows mean = read_csv(csa / "r2_mean_csa_table.csv");
  ASSERT_EQ(mean.size(), 4u);
  EXPECT_EQ(mean[0], (std::vector<std::string>{"src", "CCLE", "GDSCv1", "gCSI"}));
  for (std::size_t i = 1; i < 4; ++i) {
    for (std::size_t j = 1; j < 4; ++j) {
      const auto& values = r2.at({mean[i][0], mean[0][j]});
      ASSERT_EQ(values.size(), 3u);
      EXPECT_NEAR(std::stod(mean[i][j]), (values[0] + values[1] + values[2]) / 3, 1e-12);
    }
  }
  const Rows densed = read_csv(csa / "densed_csa_table.csv");
  EXPECT_EQ(densed.at(0), (std::vector<std::string>{"met", "mean", "std", "summary", "model"}));
  EXPECT_EQ(densed.size(), 1u + 12u);  // within and cross for each of 6 metrics
  EXPECT_TRUE(std::filesystem::exists(csa / "scc_std_csa_table.csv"));

  const std::string all_scores = read_text(csa / "all_scores.csv");
  std::filesystem::remove_all(csa);
  auto e = run(overseer_command({"export", run_dir.string()}), dir.path());
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(read_text(csa / "all_scores.csv"), all_scores);
}
