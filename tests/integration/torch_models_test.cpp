// torch_mlp and torch_cnn (the LibTorch plug-in) trained through `overseer train` on NCI-60.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "overseer/data/h5_file.hpp"
#include "process.hpp"

using namespace overseer::test;
using json = nlohmann::json;

namespace {

struct Trained {
  ProcessResult process;
  json result;
};

Trained train(const ScratchDir& dir, const std::string& model, const json& params) {
  Trained t;
  // DrugCell's own split: 8,605 / 2,869 / 2,869 rows.
  const json data = {{"file", (source_dir() / "data" / "nci60.h5").string()},
                     {"split", "original"}};
  t.process = run(overseer_command({"train", "--model", model, "--params", params.dump(), "--data",
                                    data.dump(), "--trial-dir", (dir / "trial").string()}),
                  dir.path());
  if (t.process.exit_code != 2) t.result = json::parse(t.process.out);
  return t;
}

double metric(const Trained& t, const std::string& name) {
  return t.result.at("metrics").at(name).get<double>();
}

// Small enough to train in seconds on one core, large enough to learn NCI-60's signal.
json small_uno() {
  return {{"dense_feature_layers", {64, 64}},
          {"dense", {64}},
          {"epochs", 3},
          {"batch_size", 64},
          {"learning_rate", 1e-3},
          {"threads", 1}};
}

}  // namespace

TEST(TorchModels, UnoMlpOnNci60BeatsTheMeanPredictor) {
  ScratchDir dir;
  json params = small_uno();
  params["save_model"] = "all";
  params["dropout"] = 0.1;
  const auto t = train(dir, "torch_mlp", params);
  ASSERT_EQ(t.process.exit_code, 0) << t.process.err << t.process.out;
  EXPECT_EQ(t.result.at("status"), "ok");
  // A mean predictor scores r2 = 0; DrugCell's features carry real signal.
  EXPECT_GT(metric(t, "val_r2"), 0.2) << t.process.out;
  EXPECT_GT(metric(t, "test_r2"), 0.2) << t.process.out;
  EXPECT_EQ(t.result.at("value"), t.result.at("metrics").at("val_mse"));
  EXPECT_EQ(metric(t, "epochs"), 3);
  EXPECT_GT(metric(t, "samples_per_s"), 0);
  EXPECT_TRUE(std::filesystem::exists(dir / "trial" / "checkpoint" / "model.pt"));

  std::istringstream csv(read_text(dir / "trial" / "predictions_val.csv"));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "cell,drug,study,y_true,y_pred,abs_diff");
  std::size_t rows = 0;
  double squared = 0;
  while (std::getline(csv, line)) {
    ++rows;
    // SMILES may hold commas, so the numbers are read from the right.
    std::vector<double> numbers;
    for (int i = 0; i < 3; ++i) {
      const auto comma = line.rfind(',');
      numbers.push_back(std::stod(line.substr(comma + 1)));
      line.erase(comma);
    }
    const double abs_diff = numbers[0], predicted = numbers[1], truth = numbers[2];
    EXPECT_NEAR(abs_diff, std::abs(predicted - truth), 1e-5);
    squared += (predicted - truth) * (predicted - truth);
  }
  EXPECT_EQ(rows, 2869u);
  EXPECT_NEAR(squared / static_cast<double>(rows), metric(t, "val_mse"), 1e-4);
}

TEST(TorchModels, SparseInputComputesWhatDenseInputDoes) {
  // Same seed, same initial weights: untrained (learning rate 0) the two must predict alike up
  // to float summation order, and after training stay within float drift of each other.
  for (double rate : {0.0, 1e-3}) {
    ScratchDir dense_dir, sparse_dir;
    json params = small_uno();
    params["epochs"] = 2;
    params["learning_rate"] = rate;
    const auto dense = train(dense_dir, "torch_mlp", params);
    params["sparse_input"] = true;
    const auto sparse = train(sparse_dir, "torch_mlp", params);
    ASSERT_EQ(dense.process.exit_code, 0) << dense.process.err;
    ASSERT_EQ(sparse.process.exit_code, 0) << sparse.process.err;
    const double tolerance = rate == 0 ? 1e-6 : 1e-2;
    EXPECT_NEAR(metric(sparse, "val_mse"), metric(dense, "val_mse"),
                tolerance * metric(dense, "val_mse"))
        << "learning rate " << rate;
    if (rate > 0) {
      EXPECT_GT(metric(sparse, "val_r2"), 0.2) << sparse.process.out;
    }
  }
}

TEST(TorchModels, ConvNetOnNci60BeatsTheMeanPredictor) {
  ScratchDir dir;
  const json params = {{"conv_filters", {8}}, {"conv_kernel", 20}, {"conv_stride", 2},
                       {"pool", 10},          {"dense", {32}},     {"epochs", 3},
                       {"batch_size", 64},    {"threads", 1}};
  const auto t = train(dir, "torch_cnn", params);
  ASSERT_EQ(t.process.exit_code, 0) << t.process.err << t.process.out;
  EXPECT_GT(metric(t, "val_r2"), 0.2) << t.process.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "trial" / "checkpoint"));
}

TEST(TorchModels, EveryOptimizerAndLossTrains) {
  for (const char* optimizer : {"adam", "adamax", "sgd", "rmsprop"}) {
    for (const char* loss : {"mse", "mae", "huber"}) {
      ScratchDir dir;
      json params = small_uno();
      params["epochs"] = 1;
      params["optimizer"] = optimizer;
      params["loss"] = loss;
      params["momentum"] = 0.9;
      params["learning_rate"] = std::string(optimizer) == "sgd" ? 0.01 : 1e-3;
      const auto t = train(dir, "torch_mlp", params);
      ASSERT_EQ(t.process.exit_code, 0) << optimizer << ' ' << loss << t.process.err;
      EXPECT_GT(metric(t, "val_r2"), 0.05) << optimizer << ' ' << loss << t.process.out;
    }
  }
}

TEST(TorchModels, EarlyStoppingKeepsTheBestEpoch) {
  ScratchDir dir;
  json params = small_uno();
  params["epochs"] = 200;
  params["patience"] = 2;
  params["learning_rate"] = 3e-3;
  const auto t = train(dir, "torch_mlp", params);
  ASSERT_EQ(t.process.exit_code, 0) << t.process.err;
  EXPECT_LT(metric(t, "epochs"), 200) << t.process.out;
  EXPECT_GT(metric(t, "val_r2"), 0.2) << t.process.out;
}

TEST(TorchModels, DivergenceIsReportedAsNan) {
  ScratchDir dir;
  json params = small_uno();
  params["epochs"] = 2;
  params["optimizer"] = "sgd";
  params["learning_rate"] = 10.0;
  const auto t = train(dir, "torch_mlp", params);
  EXPECT_EQ(t.result.at("status"), "nan") << t.process.out;
  EXPECT_EQ(t.process.exit_code, 1);
}

TEST(TorchModels, AMissingGpuIsAClearError) {
  ScratchDir dir;
  json params = small_uno();
  params["device"] = "cuda:99";
  const auto t = train(dir, "torch_mlp", params);
  EXPECT_EQ(t.process.exit_code, 1);
  EXPECT_EQ(t.result.at("status"), "failed");
  EXPECT_NE(t.result.at("message").get<std::string>().find("cuda:99"), std::string::npos)
      << t.process.out;
}

TEST(TorchModels, BadArchitecturesExitTwoNamingTheParameter) {
  ScratchDir dir;
  auto width = train(dir, "torch_mlp", {{"dense", {64, -1}}});
  EXPECT_EQ(width.process.exit_code, 2);
  EXPECT_NE(width.process.err.find("\"dense\""), std::string::npos) << width.process.err;
  auto optimizer = train(dir, "torch_mlp", {{"optimizer", "lbfgs"}});
  EXPECT_EQ(optimizer.process.exit_code, 2);
  EXPECT_NE(optimizer.process.err.find("/optimizer"), std::string::npos) << optimizer.process.err;
  auto sparse =
      train(dir, "torch_mlp", {{"sparse_input", true}, {"dense_feature_layers", json::array()}});
  EXPECT_EQ(sparse.process.exit_code, 2);
  EXPECT_NE(sparse.process.err.find("/sparse_input"), std::string::npos) << sparse.process.err;
  auto shrunk = train(dir, "torch_cnn", {{"conv_kernel", 4000}, {"epochs", 1}});
  EXPECT_EQ(shrunk.result.at("status"), "failed");
  EXPECT_NE(shrunk.result.at("message").get<std::string>().find("conv_kernel"), std::string::npos);
}

namespace {

// A campaign of one torch_mlp trial with dropout, checkpointed every 2 of its 6 epochs.
void write_checkpointed_campaign(const std::filesystem::path& file) {
  json params = small_uno();
  params["epochs"] = 6;
  params["dropout"] = 0.2;
  params["optimizer"] = "adam";
  params.erase("learning_rate");
  const json campaign = {
      {"name", "torch-checkpoints"},
      {"model",
       {{"name", "torch_mlp"},
        {"params", params},
        {"data",
         {{"file", (source_dir() / "data" / "nci60.h5").string()}, {"split", "original"}}}}},
      {"space", {{{"name", "learning_rate"}, {"type", "float"}, {"lower", 1e-3}, {"upper", 2e-3}}}},
      {"search", {{"algorithm", "random"}, {"budget", 1}, {"seed", 5}}},
      {"checkpoint", {{"every_steps", 2}}}};
  write_text(file, campaign.dump());
}

json final_result(const std::filesystem::path& run) {
  std::istringstream journal(read_text(run / "journal.jsonl"));
  for (std::string line; std::getline(journal, line);) {
    const json record = json::parse(line);
    if (record["event"] == "result" && record["final"]) return record;
  }
  return nullptr;
}

}  // namespace

TEST(TorchModels, ATrialKilledMidwayContinuesFromItsCheckpointToTheSameResult) {
  ScratchDir dir;
  write_checkpointed_campaign(dir / "c.json");
  const auto campaign = [&](const std::string& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run",   (dir / "c.json").string(), "--workers", "1",
                                     "--out", (dir / out).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return overseer_command(args);
  };
  const ProcessResult whole = run(campaign("whole"), dir.path());
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  const pid_t job = spawn(campaign("cut"), dir.path(), dir / "out", dir / "err");
  const auto first = dir / "cut" / "trials" / "0" / "state" / "step-2";
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(first); })) << read_text(dir / "err");
  kill_tree(job);
  wait_for(job);
  ASSERT_EQ(final_result(dir / "cut"), nullptr) << "the trial ended before it was killed";

  const ProcessResult resumed = run(campaign("cut", {"--resume"}), dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  // It continued after epoch 2 or 4, not from the start.
  std::istringstream progress(read_text(dir / "cut" / "progress.csv"));
  std::string header, row;
  std::getline(progress, header);
  std::size_t rows = 0;
  while (std::getline(progress, row)) ++rows;
  EXPECT_LT(rows, 6u + 2u);
  const json a = final_result(dir / "whole"), b = final_result(dir / "cut");
  EXPECT_EQ(b["value"], a["value"]);
  EXPECT_EQ(b["metrics"]["val_r2"], a["metrics"]["val_r2"]);
  EXPECT_EQ(b["metrics"]["train_loss"], a["metrics"]["train_loss"]);
  EXPECT_EQ(b["step"], 6);
}

TEST(TorchModels, ComboArchitectureLearnsDrugPairsWhateverTheOrderOfTheDrugs) {
  ScratchDir dir;
  ProcessResult r =
      run(overseer_command({"data", "synth", "-o", (dir / "pairs.h5").string(), "--cells", "100",
                            "--drugs", "60", "--pairs", "3000", "--cell-features", "20",
                            "--drug-features", "20", "--combinations", "--seed", "4"}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run(overseer_command({"data", "info", (dir / "pairs.h5").string()}), dir.path());
  EXPECT_NE(r.out.find("drug pairs: "), std::string::npos) << r.out;
  // The same data with the two drugs of every combination named the other way round.
  overseer::data::Dataset swapped = overseer::data::read_h5(dir / "pairs.h5");
  auto& responses = swapped.responses;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    if (responses.drug2[i] != overseer::data::kNoSecondDrug) {
      std::swap(responses.drug[i], responses.drug2[i]);
    }
  }
  overseer::data::write_h5(swapped, dir / "swapped.h5");

  const json params = {
      {"architecture", "combo"}, {"dense_feature_layers", {32}}, {"dense", {32}}, {"epochs", 8},
      {"batch_size", 64},        {"learning_rate", 3e-3},        {"threads", 1}};
  std::vector<std::vector<std::map<std::string, std::string>>> predicted;
  for (const char* file : {"pairs.h5", "swapped.h5"}) {
    const json data = {{"file", (dir / file).string()}};
    const auto trial = dir / (std::string("trial-") + file);
    r = run(overseer_command({"train", "--model", "torch_mlp", "--params", params.dump(), "--data",
                              data.dump(), "--trial-dir", trial.string()}),
            dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json result = json::parse(r.out);
    ASSERT_EQ(result.at("status"), "ok") << r.out;
    // The pairs' responses depend on both drugs and on how they interact.
    EXPECT_GT(result.at("metrics").at("val_r2").get<double>(), 0.6) << r.out;
    predicted.push_back(csv_rows(trial / "predictions_val.csv"));
  }
  // The network sees a combination as a set of two drugs, in training as in prediction.
  ASSERT_EQ(predicted[0].size(), predicted[1].size());
  for (std::size_t i = 0; i < predicted[0].size(); ++i) {
    const auto &original = predicted[0][i], &other = predicted[1][i];
    EXPECT_NEAR(std::stod(original.at("y_pred")), std::stod(other.at("y_pred")), 1e-3) << i;
    if (!original.at("drug2").empty()) {
      EXPECT_EQ(original.at("drug"), other.at("drug2")) << i;
    }
  }

  // The two-tower network would see only the first drug: refused before it trains, naming the
  // parameter, here and in a campaign.
  json uno = params;
  uno["architecture"] = "uno";
  r = run(overseer_command({"train", "--model", "torch_mlp", "--params", uno.dump(), "--data",
                            json{{"file", (dir / "pairs.h5").string()}}.dump()}),
          dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("/architecture: model \"torch_mlp\": the data holds drug combinations"),
            std::string::npos)
      << r.err;
  r = run(overseer_command({"validate", workflow("combo-pairs.json").string(), "--set",
                            "model.params.architecture=uno"}),
          dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("combo-pairs.json: /model/params/architecture:"), std::string::npos)
      << r.err;
  // The convolutional network has no architecture to choose: its refusal names the data.
  r = run(overseer_command({"validate", workflow("combo-pairs.json").string(), "--set",
                            "model.name=torch_cnn", "--set", "model.params={}"}),
          dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("combo-pairs.json: /model/data/file: the data holds drug combinations "
                       "(responses with a second drug), which torch_cnn would ignore"),
            std::string::npos)
      << r.err;
}

TEST(TorchModels, AnIncrementalTreeWarmStartsEachNodeFromItsParentsWeights) {
  ScratchDir dir;
  const json campaign = {
      {"name", "incremental"},
      {"model",
       {{"name", "torch_mlp"},
        {"params",
         {{"dense_feature_layers", {32}},
          {"dense", {32}},
          {"epochs", 2},
          {"batch_size", 128},
          {"learning_rate", 3e-3},
          {"threads", 1}}},
        {"data",
         {{"file", (source_dir() / "data" / "nci60.h5").string()}, {"split", "original"}}}}},
      {"search",
       {{"algorithm", "dag"},
        {"generator", {{"kind", "incremental"}, {"subsets", 3}, {"stages", 1}}}}}};
  write_text(dir / "c.json", campaign.dump());
  const ProcessResult r =
      run(mpirun_command(3, {"run", (dir / "c.json").string(), "--out", (dir / "run").string()}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::map<std::string, std::string>> tree;
  for (const auto& row : csv_rows(dir / "run" / "tree.csv")) tree[row.at("node")] = row;
  ASSERT_EQ(tree.size(), 4u);
  const double root_val = std::stod(tree.at("root").at("metric_val_loss"));
  // The validation rows are the same in every node, so a child's value before its first epoch
  // is its parent's final one: it starts from those weights.
  std::map<std::int64_t, double> first;
  for (const auto& row : csv_rows(dir / "run" / "progress.csv")) {
    if (row.at("step") == "0")
      first[std::stoll(row.at("trial_id"))] = std::stod(row.at("metric_val_loss"));
  }
  ASSERT_EQ(first.size(), 3u);
  for (const auto& [trial, value] : first) EXPECT_NEAR(value, root_val, 1e-6 * root_val) << trial;
  for (const char* node : {"1", "2", "3"}) {
    EXPECT_EQ(tree.at(node).at("status"), "ok") << node;
    EXPECT_EQ(tree.at(node).at("held_out"), node);
    EXPECT_LT(std::stod(tree.at(node).at("metric_val_loss")), 1.5 * root_val) << node;
  }
}

TEST(TorchModels, AnAlphaWeightedLossPullsTheLowResponsesDown) {
  // alpha 0 weighs every row alike: the mean squared error.
  ScratchDir mse_dir, zero_dir, weighted_dir;
  json params = small_uno();
  params["epochs"] = 2;
  const auto mse = train(mse_dir, "torch_mlp", params);
  params["loss"] = "alpha_weighted";
  params["loss_alpha"] = 0;
  const auto zero = train(zero_dir, "torch_mlp", params);
  ASSERT_EQ(zero.process.exit_code, 0) << zero.process.err;
  EXPECT_NEAR(metric(zero, "val_loss"), metric(mse, "val_loss"), 1e-4 * metric(mse, "val_loss"));
  params["loss_alpha"] = 20;
  const auto weighted = train(weighted_dir, "torch_mlp", params);
  ASSERT_EQ(weighted.process.exit_code, 0) << weighted.process.err;
  // The tenth of the validation rows with the lowest response: predicted lower, closer to truth.
  const auto low_bias = [](const ScratchDir& dir) {
    auto rows = csv_rows(dir / "trial" / "predictions_val.csv");
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return std::stod(a.at("y_true")) < std::stod(b.at("y_true"));
    });
    double bias = 0;
    const std::size_t n = rows.size() / 10;
    for (std::size_t i = 0; i < n; ++i) {
      bias += std::stod(rows[i].at("y_pred")) - std::stod(rows[i].at("y_true"));
    }
    return bias / static_cast<double>(n);
  };
  EXPECT_LT(low_bias(weighted_dir), low_bias(zero_dir));
}
