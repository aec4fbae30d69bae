// `overseer report`, `status` and `export` on real runs of each search algorithm under mpirun,
// on a run with failures, and on a campaign while it runs and after it was killed.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "html_checks.hpp"
#include "overseer/core/json_view.hpp"
#include "process.hpp"

using namespace overseer::test;

namespace {

struct Report {
  int exit_code = -1;
  std::string html;
  std::string err;
};

Report report(const std::filesystem::path& run_dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"report", run_dir.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  const ProcessResult r = run(overseer_command(args), run_dir.parent_path());
  Report out{r.exit_code, {}, r.err};
  if (r.exit_code == 0) {
    EXPECT_EQ(r.out, (run_dir / "report.html").string() + "\n");
    out.html = read_text(run_dir / "report.html");
  }
  return out;
}

std::string status_of(const std::filesystem::path& run_dir) {
  const ProcessResult r =
      run(overseer_command({"status", run_dir.string()}), run_dir.parent_path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// What every report must be: one page that loads nothing, runs nothing, and whose charts
// each hold drawn shapes.
void expect_self_contained_with_charts(const std::string& html, std::size_t min_charts) {
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // The only URL is the SVG namespace.
  EXPECT_EQ(occurrences(html, "http"), occurrences(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  const std::size_t charts = occurrences(html, "<svg ");
  EXPECT_GE(charts, min_charts);
  EXPECT_EQ(occurrences(html, "</svg>"), charts);
  const std::regex empty_svg("<svg [^>]*><title>[^<]*</title></svg>");
  EXPECT_FALSE(std::regex_search(html, empty_svg));
}

ProcessResult run_under_mpirun(const std::string& workflow_file, const std::filesystem::path& out,
                               std::vector<std::string> sets) {
  std::vector<std::string> args = {"run", workflow_file, "--out", out.string()};
  for (const auto& s : sets) args.insert(args.end(), {"--set", s});
  return run(mpirun_command(3, args), out.parent_path());
}

std::filesystem::path mixed_campaign() {
  return source_dir() / "tests" / "data" / "report" / "sleep-mixed.json";
}

ProcessResult check_h5(const std::filesystem::path& run_dir) {
  return run(
      {"/usr/bin/python3", (source_dir() / "tests" / "python" / "check_results_h5.py").string(),
       run_dir.string(), "trial_id=i", "value=f", "param_layers=i", "param_batch_norm=b",
       "param_duration=f", "param_fail=O", "status=O", "metric_slept_s=f"},
      run_dir.parent_path());
}

}  // namespace

TEST(ReportCli, RandomSearchReportHasEveryCoreChart) {
  ScratchDir dir;
  auto r =
      run_under_mpirun(workflow("branin-random.json").string(), dir / "run", {"search.budget=60"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Report page = report(dir / "run");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_EQ(section_ids(page.html), (std::vector<std::string>{"summary", "convergence", "heatmaps",
                                                              "parameters", "workers"}));
  // Convergence x2, one heatmap of x1 and x2, a scatter per parameter, occupancy.
  expect_self_contained_with_charts(page.html, 6);
  EXPECT_NE(page.html.find("60 finished of 60"), std::string::npos);
  EXPECT_NE(page.html.find("<title>value by x"), std::string::npos);
  // Continuous axes: 8 x 8 cells whose counts add up to the 60 trials.
  std::size_t trials_in_cells = 0;
  const std::regex cell_count(">n=([0-9]+)</text>");
  for (auto it = std::sregex_iterator(page.html.begin(), page.html.end(), cell_count);
       it != std::sregex_iterator(); ++it) {
    trials_in_cells += std::stoul((*it)[1]);
  }
  EXPECT_EQ(trials_in_cells, 60u);
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "results.h5"));

  const std::string text = status_of(dir / "run");
  EXPECT_NE(text.find("state: completed"), std::string::npos) << text;
  EXPECT_NE(text.find("progress: 60/60 done, 0 running, 0 failed, best "), std::string::npos)
      << text;
  EXPECT_NE(text.find("workers: 2, utilization "), std::string::npos) << text;
}

TEST(ReportCli, GridSearchHeatmapHasACellPerGridPoint) {
  ScratchDir dir;
  auto r = run_under_mpirun(workflow("branin-grid.json").string(), dir / "run",
                            {"space=[{\"name\":\"x1\",\"type\":\"float\",\"lower\":-5,\"upper\":10,"
                             "\"num\":4},{\"name\":\"x2\",\"type\":\"float\",\"lower\":0,"
                             "\"upper\":15,\"num\":5}]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const ProcessResult page =
      run(overseer_command({"report", (dir / "run").string(), "-o", (dir / "grid.html").string()}),
          dir.path());
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_EQ(page.out, (dir / "grid.html").string() + "\n");
  const std::string html = read_text(dir / "grid.html");
  expect_self_contained_with_charts(html, 6);
  // 4 x 5 grid points, one trial each, and a column per x1 value.
  EXPECT_EQ(occurrences(html, ">n=1</text>"), 20u);
  EXPECT_NE(html.find(">-5</text>"), std::string::npos);
  EXPECT_NE(html.find(">10</text>"), std::string::npos);
}

TEST(ReportCli, GaReportDrawsEachGenerationAndHonoursPair) {
  ScratchDir dir;
  auto r = run_under_mpirun(workflow("hartmann6-ga.json").string(), dir / "run",
                            {"search.num_iterations=3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Report page = report(dir / "run", {"--pair", "x5,x2"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_EQ(section_ids(page.html),
            (std::vector<std::string>{"summary", "convergence", "heatmaps", "parameters",
                                      "generations", "workers"}));
  expect_self_contained_with_charts(page.html, 2 + 6 + 6 + 1 + 1);
  EXPECT_EQ(page.html.find("<title>value by "), page.html.find("<title>value by x5 and x2<"));
  // Three generations, each with a min, mean and max marker.
  EXPECT_EQ(occurrences(page.html, "<title>mean: "), 3u);

  const Report unknown = report(dir / "run", {"--pair", "x1,x9"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("error: --pair: no parameter \"x9\""), std::string::npos)
      << unknown.err;
}

TEST(ReportCli, BayesReportShowsItsConvergence) {
  ScratchDir dir;
  auto r = run_under_mpirun(workflow("hartmann6-bayes.json").string(), dir / "run",
                            {"search.budget=16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Report page = report(dir / "run");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  expect_self_contained_with_charts(page.html, 2 + 6 + 6 + 1);
  EXPECT_NE(page.html.find("<td>bayes</td>"), std::string::npos);
  EXPECT_EQ(occurrences(page.html, "<title>trial value: "), 16u);
}

TEST(ReportCli, FailuresAreCountedAndResultsH5MatchesResultsCsv) {
  ScratchDir dir;
  auto r =
      run(mpirun_command(3, {"run", mixed_campaign().string(), "--out", (dir / "run").string()}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Report page = report(dir / "run");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  expect_self_contained_with_charts(page.html, 2 + 1 + 5 + 1);
  EXPECT_NE(page.html.find("<span class=\"failed\">failed "), std::string::npos);
  EXPECT_NE(page.html.find("<span class=\"failed\">nan "), std::string::npos);
  EXPECT_NE(page.html.find("retried attempts"), std::string::npos);
  EXPECT_EQ(page.html.find("<b>"), std::string::npos);
  EXPECT_EQ(page.html.find("<i>"), std::string::npos);
  EXPECT_NE(page.html.find("&lt;b&gt;tag&lt;/b&gt;"), std::string::npos);

  const ProcessResult h5 = check_h5(dir / "run");
  EXPECT_EQ(h5.exit_code, 0) << h5.out << h5.err;

  // export rebuilds the same files from the journal alone.
  const std::string csv = read_text(dir / "run" / "results.csv");
  const std::string best = read_text(dir / "run" / "best.json");
  for (const char* name : {"results.csv", "results.h5", "best.json"}) {
    std::filesystem::remove(dir / "run" / name);
  }
  const ProcessResult exported =
      run(overseer_command({"export", (dir / "run").string()}), dir.path());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(read_text(dir / "run" / "results.csv"), csv);
  EXPECT_EQ(read_text(dir / "run" / "best.json"), best);
  const ProcessResult again = check_h5(dir / "run");
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

TEST(ReportCli, ReportsAndStatusWhileRunningAndAfterAKill) {
  ScratchDir dir;
  const auto run_dir = dir / "run";
  const pid_t job = spawn(mpirun_command(3, {"run", workflow("sleep.json").string(), "--out",
                                             run_dir.string(), "--set", "search.budget=60"}),
                          dir.path(), dir / "out", dir / "err");
  ASSERT_TRUE(wait_until([&] { return finished_count(run_dir) >= 6; })) << read_text(dir / "err");

  const std::string live = status_of(run_dir);
  EXPECT_NE(live.find("state: running"), std::string::npos) << live;
  EXPECT_NE(live.find(", ETA "), std::string::npos) << live;
  const Report during = report(run_dir);
  ASSERT_EQ(during.exit_code, 0) << during.err;
  EXPECT_NE(during.html.find("This campaign is still running"), std::string::npos);
  expect_self_contained_with_charts(during.html, 4);

  kill_tree(job);
  wait_for(job);
  const std::string after = status_of(run_dir);
  EXPECT_NE(after.find("state: interrupted"), std::string::npos) << after;
  EXPECT_EQ(after.find("ETA"), std::string::npos) << after;
  const Report killed = report(run_dir);
  ASSERT_EQ(killed.exit_code, 0) << killed.err;
  EXPECT_EQ(killed.html.find("still running"), std::string::npos);
  EXPECT_NE(killed.html.find("interrupted"), std::string::npos);
  EXPECT_NE(killed.html.find(" finished of 60"), std::string::npos);
}

TEST(ReportCli, NamesAMissingRunDirectory) {
  ScratchDir dir;
  for (const char* command : {"report", "status", "export"}) {
    const ProcessResult r =
        run(overseer_command({command, (dir / "nowhere").string()}), dir.path());
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_EQ(r.err, "error: " + (dir / "nowhere").string() + ": no such run directory\n")
        << command;
  }
  write_text(dir / "journal.jsonl", "");
  for (const char* command : {"report", "status", "export"}) {
    const ProcessResult r = run(overseer_command({command, "journal.jsonl"}), dir.path());
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_EQ(r.err, "error: journal.jsonl: not a run directory: a file\n") << command;
  }
}

TEST(ReportCli, ExportWritesSupervisorsAndDeephypersFilesThatMatchResultsCsv) {
  ScratchDir dir;
  auto r = run_under_mpirun(workflow("hartmann6-ga.json").string(), dir / "run",
                            {"search.num_iterations=3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto results = csv_rows(dir / "run" / "results.csv");
  std::map<std::string, std::string> value_of;  // trial id -> value
  std::multiset<std::string> values;
  for (const auto& row : results) {
    value_of[row.at("trial_id")] = row.at("value");
    values.insert(row.at("value"));
  }

  r = run(overseer_command({"export", (dir / "run").string(), "--format", "supervisor"}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "wrote 7 file(s) in " + (dir / "run" / "supervisor").string() + " (" +
                       std::to_string(results.size()) + " trials)\n");
  const auto hpo = csv_rows(dir / "run" / "supervisor" / "hpo.csv");
  ASSERT_EQ(hpo.size(), results.size());
  std::multiset<std::string> hpo_values;
  std::set<std::string> iterations;
  for (const auto& row : hpo) {
    EXPECT_EQ(row.at("metric"), "value");
    hpo_values.insert(row.at("result"));
    iterations.insert(row.at("iteration"));
    EXPECT_TRUE(row.count("x6"));
  }
  EXPECT_EQ(hpo_values, values);
  EXPECT_EQ(iterations, (std::set<std::string>{"0", "1", "2"}));
  EXPECT_EQ(hpo.front().at("sample"), "0");
  for (int g = 0; g < 3; ++g) {
    const std::string n = std::to_string(g);
    std::istringstream population(
        read_text(dir / "run" / "supervisor" / ("population-" + n + ".txt")));
    std::istringstream fitnesses(
        read_text(dir / "run" / "supervisor" / ("fitnesses-" + n + ".txt")));
    std::size_t members = 0;
    for (std::string member, fitness; std::getline(population, member);) {
      ASSERT_TRUE(std::getline(fitnesses, fitness));
      EXPECT_EQ(overseer::json::parse(member).size(), 6u) << member;
      EXPECT_TRUE(values.count(fitness)) << fitness;
      ++members;
    }
    EXPECT_EQ(members, 20u) << "generation " << g;
  }

  r = run(overseer_command({"export", (dir / "run").string(), "--format", "deephyper", "-o",
                            (dir / "dh").string()}),
          dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto deephyper = csv_rows(dir / "dh" / "results.csv");
  ASSERT_EQ(deephyper.size(), results.size());
  for (const auto& row : deephyper) {
    EXPECT_EQ(row.at("job_status"), "DONE");
    // DeepHyper maximizes: the minimized value, negated.
    EXPECT_DOUBLE_EQ(std::stod(row.at("objective")), -std::stod(value_of.at(row.at("job_id"))));
    EXPECT_TRUE(row.count("p:x1"));
  }

  r = run(overseer_command({"export", (dir / "run").string(), "--format", "optuna"}), dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
}
