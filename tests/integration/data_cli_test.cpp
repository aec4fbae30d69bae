// `overseer data import|info|synth` through the real binary: outputs, and exit code 2 with one
// message for bad data.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "input_error.hpp"
#include "overseer/data/h5_file.hpp"
#include "overseer/data/split.hpp"
#include "process.hpp"
#include "small_inputs.hpp"

using namespace overseer::test;
using nlohmann::json;

namespace {

json info(const std::filesystem::path& file) {
  ProcessResult r = run(overseer_command({"data", "info", file.string(), "--json"}), source_dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

}  // namespace

TEST(DataCli, ImportNci60ThenInfo) {
  ScratchDir dir;
  const auto out = dir / "nci60.h5";
  ProcessResult r =
      run(overseer_command({"data", "import", "nci60", "data/nci60", "-o", out.string()}),
          source_dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, out.string() + ": 55 cells, 244 drugs, 14343 pairs, 1 studies\n");
  const json j = info(out);
  EXPECT_EQ(j["cells"]["features"], 2729);
  EXPECT_EQ(j["drugs"]["rows"], 244);
  EXPECT_EQ(j["original_split"]["val"], 2869);
  EXPECT_EQ(j["duplicated_keys"], 1232);
  EXPECT_EQ(read_text(out), read_text(source_dir() / "data/nci60.h5"));

  ProcessResult text = run(overseer_command({"data", "info", "data/nci60.h5"}), source_dir());
  EXPECT_NE(text.out.find("cells:      55 x 2729 features, binary, density 6.82%"),
            std::string::npos)
      << text.out;
}

TEST(DataCli, ImportGdscOneHot) {
  ScratchDir dir;
  ProcessResult r =
      run(overseer_command({"data", "import", "gdsc", "data/gdsc1000", "--drug-features", "onehot",
                            "-o", (dir / "g.h5").string()}),
          source_dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = info(dir / "g.h5");
  EXPECT_EQ(j["pairs"], 213787);
  EXPECT_EQ(j["drugs"]["rows"], 265);
  EXPECT_EQ(j["cells"]["features"], 705);
}

TEST(DataCli, ImportCsvWithColumnNames) {
  ScratchDir dir;
  write_text(dir / "r.tsv", "study\tCELL\tDRUG\tAUC\nA\tc1\td1\t0.5\nB\tc2\td1\t0.7\n");
  write_text(dir / "c.csv", "id,f1,f2\nc1,0.1,0.2\nc2,0.3,0.4\n");
  write_text(dir / "d.csv", "id,bit\nd1,1\n");
  ProcessResult r = run(
      overseer_command({"data", "import", "csv", "--responses", "r.tsv", "--cell-features", "c.csv",
                        "--drug-features", "d.csv", "--cell-column", "CELL", "--drug-column",
                        "DRUG", "--y-column", "AUC", "--study-column", "study", "-o", "x.h5"}),
      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = info(dir / "x.h5");
  EXPECT_EQ(j["studies"], (json{{"A", 1}, {"B", 1}}));
  EXPECT_EQ(j["cells"]["binary"], false);
  EXPECT_EQ(j["drugs"]["binary"], true);
}

TEST(DataCli, SynthWritesTheAskedShape) {
  ScratchDir dir;
  ProcessResult r = run(overseer_command({"data",
                                          "synth",
                                          "-o",
                                          (dir / "s.h5").string(),
                                          "--cells",
                                          "30",
                                          "--drugs",
                                          "20",
                                          "--pairs",
                                          "500",
                                          "--cell-features",
                                          "8",
                                          "--drug-features",
                                          "16",
                                          "--rank",
                                          "3",
                                          "--noise",
                                          "0.2",
                                          "--studies",
                                          "2",
                                          "--batch-effect",
                                          "0.5",
                                          "--seed",
                                          "9",
                                          "--binary-drug-features"}),
                        source_dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = info(dir / "s.h5");
  EXPECT_EQ(j["pairs"], 500);
  EXPECT_EQ(j["cells"]["features"], 8);
  EXPECT_EQ(j["drugs"]["features"], 16);
  EXPECT_EQ(j["drugs"]["binary"], true);
  EXPECT_EQ(j["studies"].size(), 2u);
  EXPECT_EQ(j["duplicated_keys"], 0);
}

TEST(DataCli, SplitFilesReproduceTheOriginalSplit) {
  ScratchDir dir;
  ProcessResult r = run(overseer_command({"data", "split", "data/nci60.h5", "--split", "original",
                                          "-o", (dir / "splits").string()}),
                        source_dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, (dir / "splits").string() + ": train 8605, val 2869, test 2869 rows\n");

  using namespace overseer::data;
  const Dataset d = read_h5(source_dir() / "data/nci60.h5");
  SplitSpec files;
  files.kind = SplitKind::Files;
  files.files = {dir / "splits/train.txt", dir / "splits/val.txt", dir / "splits/test.txt"};
  SplitSpec original;
  original.kind = SplitKind::Original;
  const Split a = make_split(d.responses, d.studies, files, {}, d.responses.size());
  const Split b = make_split(d.responses, d.studies, original);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.val, b.val);
  EXPECT_EQ(a.test, b.test);
}

TEST(DataCli, BadDataExitsTwoWithOneMessage) {
  ScratchDir dir;
  write_text(dir / "r.csv", "cell,drug,y\nc1,d1,0.5\nc9,d1,1\n");
  write_text(dir / "c.csv", "id,f1\nc1,0.1\n");
  write_text(dir / "d.csv", "id,bit\nd1,1\n");
  write_text(dir / "text.h5", "not hdf5\n");
  const std::string output = (dir / "x.h5").string();
  expect_input_error(
      run(overseer_command({"data", "import", "csv", "--responses", "r.csv", "--cell-features",
                            "c.csv", "--drug-features", "d.csv", "-o", output}),
          dir.path()),
      "r.csv:3: unknown cell \"c9\" (not in c.csv)");
  EXPECT_FALSE(std::filesystem::exists(output));
  expect_input_error(
      run(overseer_command({"data", "import", "nci60", "no-such-dir", "-o", output}), dir.path()),
      "no-such-dir: directory does not exist");
  expect_input_error(run(overseer_command({"data", "info", "text.h5"}), dir.path()),
                     "text.h5: not an HDF5 file");
  expect_input_error(run(overseer_command({"data", "synth", "-o", output, "--cells", "2", "--drugs",
                                           "2", "--pairs", "5"}),
                         dir.path()),
                     "<command line>: --pairs must be between 1 and cells x drugs x studies (4)");
  expect_input_error(
      run(overseer_command({"data", "synth", "-o", (dir / "missing" / "x.h5").string()}),
          dir.path()),
      (dir / "missing" / "x.h5").string() + ": cannot write the file");
  expect_input_error(
      run(overseer_command({"data", "split", (source_dir() / "data/nci60.h5").string(), "--split",
                            "cell", "--fractions", "0.5,0.6,0", "-o", "splits"}),
          dir.path()),
      "<command line>: /fractions: the fractions add up to more than 1");
}

TEST(DataCli, EveryImporterNamesTheFileAndLineOfBadData) {
  ScratchDir dir;
  const std::string output = (dir / "x.h5").string();
  auto import = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"data", "import"});
    args.insert(args.end(), {"-o", output});
    return run(overseer_command(args), dir.path());
  };
  auto expect_rejected = [&](const ProcessResult& r, const std::string& message) {
    expect_input_error(r, message);
    EXPECT_FALSE(std::filesystem::exists(output));
  };

  const std::vector<std::string> csv = {"csv",   "--responses",     "r.csv", "--cell-features",
                                        "c.csv", "--drug-features", "d.csv"};
  write_text(dir / "d.csv", "id,bit\nd1,1\n");
  write_text(dir / "c.csv", "id,f1\nc1,0.1\nc2,nan\n");
  write_text(dir / "r.csv", "cell,drug,y\nc1,d1,0.5\n");
  expect_rejected(import(csv),
                  "c.csv:3: column \"f1\": missing value \"nan\" "
                  "(--missing-features mean or zero fills missing values)");
  auto filled = csv;
  filled.insert(filled.end(), {"--missing-features", "mean"});
  EXPECT_EQ(import(filled).exit_code, 0);
  std::filesystem::remove(output);
  write_text(dir / "c.csv", "id,f1\nc1,0.1\n");
  write_text(dir / "r.csv", "cell,drug,y\nc1,d1\n");
  expect_rejected(import(csv), "r.csv:2: expected 3 fields like the header, found 2");
  write_text(dir / "r.csv", "cell,drug,y\n");
  expect_rejected(import(csv), "r.csv: no responses: the file has a header but no rows");
  std::filesystem::remove(dir / "d.csv");
  expect_rejected(import(csv), "d.csv: file does not exist");

  write_files(dir / "nci60", with_file(small_nci60(), "cell2mut.txt", "0,1\n1,inf\n"));
  expect_rejected(import({"nci60", "nci60"}),
                  "nci60/cell2mut.txt:2: column \"g2\": \"inf\" is not a finite number");
  write_files(dir / "nci60", with_file(small_nci60(), "test_DNA.txt", "A\tCCO\t2\nZ\tCCO\t1\n"));
  expect_rejected(import({"nci60", "nci60"}), "nci60/test_DNA.txt:2: unknown cell line \"Z\"");

  write_files(dir / "gdsc",
              with_file(small_gdsc(), "IC50_v17.csv", "COSMIC_ID,Drug_1_IC50\n1,0.5\n7,1\n"));
  expect_rejected(import({"gdsc", "gdsc"}),
                  "gdsc/IC50_v17.csv:3: COSMIC_ID 7 has no genomic features");
  std::filesystem::remove(dir / "gdsc" / "genomic_features_v17.csv");
  expect_rejected(import({"gdsc", "gdsc", "--drug-features", "onehot"}),
                  "gdsc/genomic_features_v17.csv: file does not exist (nor "
                  "genomic_features_v17.csv.gz)");
}

// The IMPROVE fixture (tests/data/improve/csa, the real CSA layout) imported, then a campaign
// under mpirun that trains on one study's split 0 and tests on another study's _all list.
TEST(DataCli, ImproveDataImportedThenTrainedOnItsSplitsUnderMpirun) {
  ScratchDir dir;
  const auto data = dir / "csa.h5";
  ProcessResult r =
      run(overseer_command({"data", "import", "improve", "tests/data/improve/csa", "--omics",
                            "gene_expression,mutation_count", "-o", data.string()}),
          source_dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, data.string() + ": 36 cells, 16 drugs, 823 pairs, 3 studies\n");
  const json j = info(data);
  EXPECT_EQ(j["cells"]["features"], 48);
  ASSERT_EQ(j["row_lists"].size(), 30u);
  const std::size_t gcsi = j["row_lists"]["gCSI_all"].get<std::size_t>();
  EXPECT_EQ(j["row_lists"]["CCLE_split_0_train"].get<std::size_t>() +
                j["row_lists"]["CCLE_split_0_val"].get<std::size_t>() +
                j["row_lists"]["CCLE_split_0_test"].get<std::size_t>(),
            j["row_lists"]["CCLE_all"].get<std::size_t>());

  auto campaign = [&](const json& split) {
    const json c = {
        {"name", "improve-fixture"},
        {"model",
         {{"name", "xgboost"},
          {"params", {{"nthread", 1}, {"n_estimators", 20}}},
          {"data", {{"file", data.string()}, {"split", split}}}}},
        {"space",
         json::array({{{"name", "max_depth"}, {"type", "int"}, {"lower", 2}, {"upper", 4}}})},
        {"search", {{"algorithm", "random"}, {"budget", 3}, {"seed", 1}}},
        {"objective", {{"metric", "val_loss"}, {"mode", "min"}}}};
    write_text(dir / "c.json", c.dump(2));
    return (dir / "c.json").string();
  };
  const auto run_dir = dir / "run";
  r = run(mpirun_command(3, {"run", campaign({{"improve", "CCLE"}, {"k", 0}, {"test", "gCSI"}}),
                             "--out", run_dir.string()}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(finished_count(run_dir), 3u);
  EXPECT_NE(read_text(run_dir / "results.csv").find("metric_test_r2@gCSI"), std::string::npos);
  std::size_t test_rows = 0;
  for (const auto& trial : std::filesystem::directory_iterator(run_dir / "trials")) {
    const std::string predictions = read_text(trial.path() / "predictions_test.csv");
    test_rows =
        static_cast<std::size_t>(std::count(predictions.begin(), predictions.end(), '\n')) - 1;
    EXPECT_EQ(predictions.find(",CCLE,"), std::string::npos);
    EXPECT_EQ(predictions.find(",GDSCv1,"), std::string::npos);
  }
  EXPECT_EQ(test_rows, gcsi);

  // A split the dataset has no list for stops the campaign before it starts, and `train`,
  // naming a few lists the dataset has.
  const std::string lists =
      "the dataset has no row list \"CCLE_split_7_train\" (it has: "
      "CCLE_all, CCLE_split_0_test, CCLE_split_0_train, CCLE_split_0_val, "
      "CCLE_split_1_test, CCLE_split_1_train, ... (30 in all; `overseer "
      "data info` lists them))";
  expect_input_error(
      run(overseer_command({"validate", campaign({{"improve", "CCLE"}, {"k", 7}})}), dir.path()),
      (dir / "c.json").string() + ": /model/data/split: " + lists);
  expect_input_error(
      run(overseer_command(
              {"train", "--model", "xgboost", "--data",
               json({{"file", data.string()}, {"split", {{"improve", "CCLE"}, {"k", 7}}}}).dump()}),
          dir.path()),
      "--data: /split: " + lists);
}
