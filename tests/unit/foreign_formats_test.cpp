// Supervisor's and DeepHyper's result files, from a hand-made run.
#include <gtest/gtest.h>

#include "overseer/store/deephyper_export.hpp"
#include "overseer/store/supervisor_export.hpp"

using namespace overseer;

namespace {

Campaign campaign(const std::string& mode) {
  const json doc = {{"name", "c"},
                    {"model", {{"name", "branin"}}},
                    {"space",
                     {{{"name", "x"}, {"type", "float"}, {"lower", 0}, {"upper", 1}},
                      {{"name", "act"}, {"type", "categorical"}, {"values", {"relu", "tanh"}}}}},
                    {"objective", {{"metric", "val_loss"}, {"mode", mode}}}};
  return parse_campaign(doc, "c.json");
}

TrialRecord trial(TrialId id, double x, TrialStatus status, double value, double start, double end,
                  std::int64_t step = -1) {
  TrialRecord t;
  t.id = id;
  t.params = {{"x", x}, {"act", "relu"}};
  t.result.status = status;
  t.result.value = value;
  if (status != TrialStatus::Failed) t.result.metrics = {{"val_loss", value}, {"r2", 1 - value}};
  t.result.start = start;
  t.result.end = end;
  t.result.step = step;
  return t;
}

// In the order the results arrived: trial 1 failed, trial 3 was stopped at step 3.
std::vector<TrialRecord> finished() {
  return {trial(0, 0.25, TrialStatus::Ok, 1.5, 100, 102),
          trial(1, 0.5, TrialStatus::Failed, 0, 100, 101),
          trial(3, 0.125, TrialStatus::Stopped, 0.75, 103, 104, 3),
          trial(2, 1, TrialStatus::Ok, 0.5, 102, 106)};
}

}  // namespace

TEST(SupervisorExport, HpoCsvNumbersRowsByGaGenerationAndListsEachPopulation) {
  const std::vector<json> events = {
      {{"algorithm", "ga"}, {"generation", 0}, {"evaluations", 2}, {"members", {0, 1}}},
      {{"algorithm", "ga"}, {"generation", 1}, {"evaluations", 4}, {"members", {0, 2}}}};
  const auto files = supervisor_files(campaign("min"), finished(), events);
  ASSERT_EQ(files.size(), 5u);
  EXPECT_EQ(files.at("hpo.csv"),
            "iteration,sample,x,act,metric,result,walltime\n"
            "0,0,0.25,relu,val_loss,1.5,2.0\n"
            "0,1,0.5,relu,val_loss,NaN,1.0\n"
            "1,0,0.125,relu,val_loss,0.75,1.0\n"
            "1,1,1.0,relu,val_loss,0.5,4.0\n");
  EXPECT_EQ(files.at("population-0.txt"),
            "{\"act\":\"relu\",\"x\":0.25}\n{\"act\":\"relu\",\"x\":0.5}\n");
  EXPECT_EQ(files.at("fitnesses-0.txt"), "1.5\nNaN\n");
  EXPECT_EQ(files.at("population-1.txt"),
            "{\"act\":\"relu\",\"x\":0.25}\n{\"act\":\"relu\",\"x\":1.0}\n");
  EXPECT_EQ(files.at("fitnesses-1.txt"), "1.5\n0.5\n");
}

TEST(SupervisorExport, WithoutGenerationsEveryRowIsIterationZero) {
  const auto files = supervisor_files(campaign("min"), finished(), {});
  ASSERT_EQ(files.size(), 1u);
  const std::string& hpo = files.at("hpo.csv");
  EXPECT_NE(hpo.find("\n0,3,1.0,relu,val_loss,0.5,4.0\n"), std::string::npos) << hpo;
}

TEST(DeephyperExport, ResultsCsvHasDeephypersColumnsAndMaximizesTheObjective) {
  EXPECT_EQ(deephyper_results_csv(campaign("min"), finished()),
            "p:x,p:act,objective,job_id,job_status,m:r2,m:val_loss,m:budget,m:timestamp_start,"
            "m:timestamp_end\n"
            "0.25,relu,-1.5,0,DONE,-0.5,1.5,,0.0,2.0\n"
            "0.5,relu,F,1,FAILED,,,,0.0,1.0\n"
            "1.0,relu,-0.5,2,DONE,0.5,0.5,,2.0,6.0\n"
            "0.125,relu,-0.75,3,CANCELLED,0.25,0.75,3,3.0,4.0\n");
  const std::string maximized = deephyper_results_csv(campaign("max"), finished());
  EXPECT_NE(maximized.find("\n0.25,relu,1.5,0,DONE,"), std::string::npos) << maximized;
}
