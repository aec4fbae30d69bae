// `overseer import supervisor` on cfg files in the shapes of Supervisor's GA and mlrMBO tests
// (tests/data/supervisor), and the imported GA campaign run on the curated example model.
#include <gtest/gtest.h>

#include <sstream>

#include "overseer/core/json_view.hpp"
#include "process.hpp"

using namespace overseer::test;
using overseer::json;
namespace fs = std::filesystem;

namespace {

fs::path supervisor_dir() {
  return source_dir() / "tests" / "data" / "supervisor";
}

std::vector<std::string> import_command(const std::vector<std::string>& files, const fs::path& out,
                                        std::vector<std::string> extra) {
  std::vector<std::string> args = {"import", "supervisor"};
  for (const auto& f : files) args.push_back((supervisor_dir() / f).string());
  args.insert(args.end(), {"-o", out.string(), "--model-dir",
                           (source_dir() / "models" / "improve-ridge").string(), "--input-dir",
                           (source_dir() / "tests" / "data" / "improve" / "csa").string(),
                           "--train-source", "CCLE", "--split", "1"});
  args.insert(args.end(), extra.begin(), extra.end());
  return overseer_command(args);
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

}  // namespace

TEST(SupervisorImport, AGaConfigurationBecomesACampaignThatRunsOnTheCuratedModel) {
  ScratchDir dir;
  const fs::path prm = supervisor_dir() / "GA" / "cfg-prm-1.sh";
  const fs::path sys = supervisor_dir() / "GA" / "cfg-sys-1.sh";
  auto r = run(
      import_command(
          {"GA/cfg-prm-1.sh", "GA/cfg-sys-1.sh"}, dir / "ga.json",
          {"--space", (supervisor_dir() / "data" / "ridge_param_space_ga.json").string(), "--var",
           "INIT_PARAMS_FILE=" + (supervisor_dir() / "data" / "ridge_init_params.csv").string(),
           "--var", "MODEL_NAME=ridge"}),
      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(
      has_line(r.out, "wrote " + (dir / "ga.json").string() + ": ga search of model improve"))
      << r.out;
  // The lines it could not read without running them, each with its place.
  EXPECT_TRUE(has_line(r.out, "  " + prm.string() +
                                  ":21: if [ \"$MODEL_NAME\" = \"combo\" ]; then: part of a "
                                  "conditional or loop, which this reader does not evaluate: "
                                  "not run"))
      << r.out;
  EXPECT_TRUE(has_line(r.out, "  " + sys.string() +
                                  ":29: export RESIDENT_WORK_RANKS=$(( PROCS - 2 )): command "
                                  "substitution or arithmetic: not run"))
      << r.out;
  EXPECT_TRUE(has_line(r.out, "  BENCHMARK_TIMEOUT=3600: not used by Overseer")) << r.out;
  EXPECT_TRUE(has_line(r.out, "submit it with: overseer submit " + (dir / "ga.json").string() +
                                  " --site SITE --nodes 2 --time 01:00:00 --queue debug"))
      << r.out;
  EXPECT_TRUE(has_line(r.out, (dir / "ga.json").string() + ": ok: 8 trials, 4 searched parameters"))
      << r.out;

  const json c = json::parse(read_text(dir / "ga.json"));
  EXPECT_EQ(c.at("name"), "ridge-ga");
  EXPECT_EQ(
      c.at("search"),
      (json{{"algorithm", "ga"},
            {"mode", "generational"},
            {"population_size", 4},
            {"num_iterations", 2},
            {"strategy", "simple"},
            {"mut_prob", 0.2},
            {"cx_prob", 0.5},
            {"tournsize", 3},
            {"seed", 1},
            {"init_params_file", (supervisor_dir() / "data" / "ridge_init_params.csv").string()}}));
  EXPECT_EQ(c.at("limits"), (json{{"task_timeout_s", 600.0}}));
  EXPECT_EQ(c.at("model").at("data").at("train_sources"), "CCLE");
  EXPECT_EQ(c.at("model").at("data").at("split_seed"), 1);

  // Run as imported (with Debian's Python, which has numpy): two generations of four.
  r = run(overseer_command({"run", (dir / "ga.json").string(), "--workers", "2", "--out",
                            (dir / "run").string(), "--set", "model.data.python=/usr/bin/python3"}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string results = read_text(dir / "run" / "results.csv");
  std::istringstream rows(results);
  std::string header, first, second;
  std::getline(rows, header);
  std::getline(rows, first);
  std::getline(rows, second);
  // The first generation begins with INIT_PARAMS_FILE's two individuals.
  EXPECT_NE(first.find(",0.01,0.0001,0,40,"), std::string::npos) << header << "\n" << first;
  EXPECT_NE(second.find(",0.003,0.01,2,40,"), std::string::npos) << header << "\n" << second;
  std::size_t ok = 0;
  for (std::string row; std::getline(rows, row);) ok += row.find(",ok,") != std::string::npos;
  EXPECT_EQ(ok + 2, 8u) << results;
}

TEST(SupervisorImport, AnMlrMboConfigurationBecomesABatchedBayesCampaign) {
  ScratchDir dir;
  const auto r = run(import_command({"mlrMBO/cfg-prm-1.sh", "GA/cfg-sys-1.sh"}, dir / "mbo.json",
                                    {"--var", "EMEWS_PROJECT_ROOT=" + supervisor_dir().string()}),
                     dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(has_line(r.out,
                       "  MAX_CONCURRENT_EVALUATIONS=1: concurrency is the number of "
                       "workers: mpirun -np N+1 (a master and N workers)"))
      << r.out;
  EXPECT_TRUE(
      has_line(r.out, (dir / "mbo.json").string() + ": ok: 10 trials, 4 searched parameters"))
      << r.out;
  const json c = json::parse(read_text(dir / "mbo.json"));
  EXPECT_EQ(c.at("name"), "supervisor-mlrmbo");
  // DESIGN_SIZE + MAX_ITERATIONS x PROPOSE_POINTS, within MAX_BUDGET.
  EXPECT_EQ(c.at("search"), (json{{"algorithm", "bayes"},
                                  {"surrogate", "rf"},
                                  {"acquisition", "qlcb"},
                                  {"n_init", 4},
                                  {"batch_size", 3},
                                  {"budget", 10}}));
  EXPECT_EQ(c.at("space"), (supervisor_dir() / "data" / "ridge_param_space_ga.json").string());
}

TEST(SupervisorImport, WhatCannotBeMappedIsAnInputError) {
  ScratchDir dir;
  write_text(dir / "cfg-r.sh",
             "MAX_BUDGET=10\nPARAM_SET_FILE=" + (dir / "space.R").string() + "\n");
  write_text(dir / "space.R", "makeParamSet()\n");
  write_text(dir / "cfg-none.sh", "PROCS=4\n");
  write_text(dir / "cfg-bad.sh", "POPULATION_SIZE=many\n");
  const auto error_of = [&](const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "import",      "supervisor", (dir / file).string(), "-o", (dir / "out.json").string(),
        "--model-dir", "m"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run(overseer_command(args), dir.path());
    EXPECT_EQ(r.exit_code, 2) << r.out;
    return r.err;
  };
  EXPECT_EQ(error_of("cfg-r.sh"), "error: " + (dir / "space.R").string() +
                                      ": an mlrMBO parameter set in R; write the space as JSON "
                                      "(docs/search-space.md) and name it with --space\n");
  EXPECT_NE(error_of("cfg-none.sh")
                .find("neither GA (POPULATION_SIZE, NUM_ITERATIONS, ...) nor "
                      "mlrMBO"),
            std::string::npos);
  EXPECT_EQ(error_of("cfg-bad.sh"), "error: " + (dir / "cfg-bad.sh").string() +
                                        ": line 1: POPULATION_SIZE=many: not an integer\n");
  EXPECT_NE(error_of("cfg-bad.sh", {"--var", "X"}).find("--var: expected NAME=VALUE"),
            std::string::npos);
}
