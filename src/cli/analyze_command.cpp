#include "overseer/cli/analyze_command.hpp"

#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "overseer/cli/input_errors.hpp"
#include "overseer/core/csv.hpp"
#include "overseer/core/error.hpp"
#include "overseer/core/json_view.hpp"
#include "overseer/report/error_analysis.hpp"
#include "overseer/store/run_directory.hpp"
#include "overseer/store/run_history.hpp"

namespace overseer::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
  std::string run_dir;
  std::optional<std::int64_t> trial;
  bool all = false;
  int bins = 10;
};

// A trial's predictions of each part with their analyses; the analyses point into `kept`.
struct TrialAnalysis {
  std::vector<std::vector<report::Prediction>> kept;
  std::vector<report::PartAnalysis> parts;
};

TrialAnalysis analyze_trial(const fs::path& trial_dir, int bins) {
  TrialAnalysis t;
  t.kept.reserve(2);
  for (const char* part : {"val", "test"}) {
    auto predictions = report::read_predictions(trial_dir, part);
    if (predictions.empty()) continue;
    t.kept.push_back(std::move(predictions));
    const auto& rows = t.kept.back();
    t.parts.push_back({part, report::analyze_errors(rows, bins), report::errors_by_range(rows, 2)});
  }
  return t;
}

// Every trial's errors by response range in one long table per part and bin count: the HED
// study's comparison of moves and weights.
int analyze_all(const Options& o) {
  const RunHistory history = read_run_history(o.run_dir);
  const fs::path out = fs::path(o.run_dir) / "analysis";
  std::map<std::string, std::string> tables;  // file name -> rows
  std::size_t analyzed = 0;
  for (const auto& trial : history.finished) {
    const auto t = analyze_trial(fs::path(o.run_dir) / "trials" / std::to_string(trial.id), o.bins);
    analyzed += !t.parts.empty();
    for (const auto& p : t.parts) {
      for (const auto& [count, ranges] :
           {std::pair{o.bins, &p.analysis.by_range}, {2, &p.two_ranges}}) {
        if (ranges == &p.two_ranges && o.bins == 2) continue;  // the same table
        const std::string name =
            "errors_by_range_" + std::to_string(count) + "_" + p.part + "_by_trial.csv";
        std::istringstream lines(report::ranges_csv(*ranges));
        std::string line;
        std::getline(lines, line);  // the header
        if (!tables.count(name)) tables[name] = "trial,label," + line + "\n";
        while (std::getline(lines, line)) {
          tables[name] +=
              std::to_string(trial.id) + "," + csv_field(trial.label) + "," + line + "\n";
        }
      }
    }
  }
  if (analyzed == 0) {
    throw InputError(o.run_dir, "", "no finished trial of the run saved its predictions");
  }
  fs::create_directories(out);
  for (const auto& [name, content] : tables) write_file_atomically(out / name, content);
  std::cout << "wrote the errors by response range of " << analyzed << " trials to " << out.string()
            << "/\n";
  return kExitOk;
}

// The trial asked for, or the best one of the run.
std::int64_t chosen_trial(const Options& o) {
  if (o.trial) return *o.trial;
  const fs::path best = fs::path(o.run_dir) / "best.json";
  if (!fs::exists(best)) {
    throw InputError(best.string(), "",
                     "no best trial to analyze (the run has no successful trial yet): name one "
                     "with --trial");
  }
  return read_json_file(best).at("trial_id").get<std::int64_t>();
}

int analyze_errors(const Options& o) {
  if (o.all) return analyze_all(o);
  const std::int64_t trial = chosen_trial(o);
  const fs::path trial_dir = fs::path(o.run_dir) / "trials" / std::to_string(trial);
  const fs::path out = fs::path(o.run_dir) / "analysis" / ("trial-" + std::to_string(trial));
  const TrialAnalysis analyzed = analyze_trial(trial_dir, o.bins);
  const auto& parts = analyzed.parts;
  if (parts.empty()) {
    throw InputError(trial_dir.string(), "",
                     "holds no predictions_val.csv or predictions_test.csv (nor an IMPROVE "
                     "model's *_y_data_predicted.csv); was the trial run with trial directories?");
  }
  fs::create_directories(out);
  for (const auto& p : parts) {
    const auto& a = p.analysis;
    write_file_atomically(out / ("errors_by_drug_" + p.part + ".csv"),
                          report::groups_csv(a.by_drug, "drug"));
    write_file_atomically(out / ("errors_by_cell_" + p.part + ".csv"),
                          report::groups_csv(a.by_cell, "cell"));
    write_file_atomically(out / ("errors_" + p.part + ".csv"), report::row_errors_csv(a.rows));
    write_file_atomically(
        out / ("errors_by_range_" + std::to_string(o.bins) + "_" + p.part + ".csv"),
        report::ranges_csv(a.by_range));
    write_file_atomically(out / ("errors_by_range_2_" + p.part + ".csv"),
                          report::ranges_csv(p.two_ranges));
  }
  write_file_atomically(out / "errors.html",
                        report::errors_html("Errors of trial " + std::to_string(trial), parts));
  std::cout << "wrote the error analysis of trial " << trial << " to " << out.string() << "/\n";
  return kExitOk;
}

}  // namespace

Subcommand add_analyze_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  auto* command = app.add_subcommand("analyze", "Analyze a run's results");
  command->require_subcommand(1);
  auto* errors = command->add_subcommand(
      "errors",
      "Per-drug, per-cell and per-response-range errors of a trial's predictions (the High "
      "Error Drug analysis), as CSV files and errors.html in RUN_DIR/analysis/trial-ID");
  errors->add_option("run_dir", o->run_dir, "Run directory")->required();
  auto* trial = errors->add_option("--trial", o->trial, "Trial id (default: the best trial)");
  errors
      ->add_flag("--all", o->all,
                 "Every finished trial's errors by response range, in one table per part "
                 "(RUN_DIR/analysis/errors_by_range_N_PART_by_trial.csv)")
      ->excludes(trial);
  errors->add_option("--bins", o->bins, "Equal-width response ranges (besides 2)")
      ->check(CLI::Range(1, 1000));
  return {command, [o] { return exit_on_input_error([&] { return analyze_errors(*o); }); }};
}

}  // namespace overseer::cli
