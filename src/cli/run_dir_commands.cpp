#include "overseer/cli/run_dir_commands.hpp"

#include <iostream>
#include <map>
#include <memory>

#include "overseer/cli/input_errors.hpp"
#include "overseer/core/error.hpp"
#include "overseer/report/html_report.hpp"
#include "overseer/report/status.hpp"
#include "overseer/store/deephyper_export.hpp"
#include "overseer/store/journal.hpp"
#include "overseer/store/results_export.hpp"
#include "overseer/store/results_h5.hpp"
#include "overseer/store/run_directory.hpp"
#include "overseer/store/run_exports.hpp"
#include "overseer/store/supervisor_export.hpp"

namespace overseer::cli {
namespace {

struct Options {
  std::string run_dir;
  std::string output;
  std::string format = "overseer";
  std::vector<std::string> pairs;
  CLI::App* status = nullptr;
  CLI::App* report = nullptr;
  CLI::App* exporter = nullptr;
};

std::pair<std::string, std::string> parse_pair(const std::string& text) {
  const auto comma = text.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == text.size()) {
    throw InputError("--pair", "", "expected two parameter names as A,B, not \"" + text + "\"");
  }
  return {text.substr(0, comma), text.substr(comma + 1)};
}

int status(const Options& o) {
  const RunHistory history = read_run_history(o.run_dir);
  const bool running = journal_in_use(history.dir / "journal.jsonl");
  std::cout << report::status_text(history,
                                   report::run_statistics(history, running, unix_time_now()));
  return kExitOk;
}

int report(const Options& o) {
  const RunHistory history = read_run_history(o.run_dir);
  const bool running = journal_in_use(history.dir / "journal.jsonl");
  report::ReportOptions options;
  for (const auto& p : o.pairs) options.pairs.push_back(parse_pair(p));
  const std::string html = report::html_report(
      history, report::run_statistics(history, running, unix_time_now()), options);
  const std::filesystem::path output =
      o.output.empty() ? history.dir / "report.html" : std::filesystem::path(o.output);
  write_file_atomically(output, html);
  std::cout << output.string() << "\n";
  return kExitOk;
}

// Supervisor's or DeepHyper's files, for the analysis scripts written for those tools, in
// RUN_DIR/supervisor/ or RUN_DIR/deephyper/ unless --output names a directory.
int export_foreign(const Options& o, const RunHistory& history) {
  std::map<std::string, std::string> files;
  if (o.format == "supervisor") {
    files = supervisor_files(history.campaign, history.finished, history.search_events);
  } else {
    files["results.csv"] = deephyper_results_csv(history.campaign, history.finished);
  }
  const std::filesystem::path dir =
      o.output.empty() ? history.dir / o.format : std::filesystem::path(o.output);
  std::filesystem::create_directories(dir);
  for (const auto& [name, content] : files) write_file_atomically(dir / name, content);
  std::cout << "wrote " << files.size() << " file(s) in " << dir.string() << " ("
            << history.finished.size() << " trials)\n";
  return kExitOk;
}

int export_results(const Options& o) {
  const RunHistory history = read_run_history(o.run_dir);
  if (o.format != "overseer") return export_foreign(o, history);
  const auto statistics = report::run_statistics(history, false, unix_time_now());
  const RunDirectory run = RunDirectory::open(history.dir, history.campaign, true, true);
  write_run_exports(run, history.campaign, history.finished, history.progress, history.created,
                    history.search_events);
  write_results_h5(run.results_h5(), history.campaign, history.finished, history.progress);
  if (statistics.best) {
    write_file_atomically(history.dir / "best.json", best_json(*statistics.best).dump(2) + "\n");
  }
  std::cout << "wrote " << run.results_csv().string() << " and " << run.results_h5().string()
            << " (" << history.finished.size() << " trials)\n";
  if (std::filesystem::exists(run.cross_study_csv())) {
    std::cout << "wrote " << run.cross_study_csv().string() << ", "
              << run.cross_study_long_csv().string() << " and IMPROVE's tables in "
              << run.improve_csa_dir().string() << "/\n";
  }
  return kExitOk;
}

}  // namespace

RunDirCommands add_run_dir_commands(CLI::App& app) {
  auto o = std::make_shared<Options>();
  o->status = app.add_subcommand("status",
                                 "Summarize a running or finished campaign from its run directory");
  o->status->add_option("run_dir", o->run_dir, "Run directory")->required();
  o->report = app.add_subcommand(
      "report", "Write an HTML report with charts (one self-contained file) of a run directory");
  o->report->add_option("run_dir", o->run_dir, "Run directory")->required();
  o->report->add_option("-o,--output", o->output, "HTML file (default: RUN_DIR/report.html)");
  o->report
      ->add_option("--pair", o->pairs,
                   "Draw a heatmap of parameters A,B (x, y) first; may be repeated")
      ->allow_extra_args(false);
  o->exporter = app.add_subcommand(
      "export",
      "Write results.csv, results.h5, best.json (and a cross-study campaign's tables) again from "
      "a run's journal, or the files Supervisor or DeepHyper write (--format)");
  o->exporter->add_option("run_dir", o->run_dir, "Run directory")->required();
  o->exporter
      ->add_option("--format", o->format,
                   "overseer (results.csv, results.h5, ...), supervisor (CANDLE/Supervisor's "
                   "hpo.csv and a GA's population-N.txt, fitnesses-N.txt) or deephyper "
                   "(DeepHyper's results.csv)")
      ->check(CLI::IsMember({"overseer", "supervisor", "deephyper"}));
  o->exporter->add_option(
      "-o,--output", o->output,
      "Directory of the supervisor or deephyper files (default: RUN_DIR/supervisor or "
      "RUN_DIR/deephyper)");

  RunDirCommands commands;
  commands.picked = [o] { return *o->status || *o->report || *o->exporter; };
  commands.run = [o] {
    return exit_on_input_error([&] {
      if (*o->status) return status(*o);
      return *o->report ? report(*o) : export_results(*o);
    });
  };
  return commands;
}

}  // namespace overseer::cli
