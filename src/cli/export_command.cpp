#include "overseer/cli/export_command.hpp"

#include <iostream>

#include "overseer/cli/input_errors.hpp"
#include "overseer/core/error.hpp"
#include "overseer/store/journal.hpp"
#include "overseer/store/run_exports.hpp"

namespace overseer::cli {

int export_run(const std::string& run_dir) {
  return exit_on_input_error([&] {
    const std::filesystem::path dir = run_dir;
    for (const char* name : {"campaign.json", "journal.jsonl"}) {
      if (!std::filesystem::exists(dir / name)) {
        throw InputError(dir.string(), "", std::string("not a run directory: no ") + name);
      }
    }
    const Campaign campaign =
        parse_campaign(read_json_file(dir / "campaign.json"), dir / "campaign.json");
    const RunDirectory run = RunDirectory::open(dir, campaign, true, true);
    const auto finished = finished_trials(read_journal(run.journal_file()));
    write_run_exports(run, campaign, finished);
    std::cout << run.results_csv().string() << ": " << finished.size() << " trials\n";
    if (std::filesystem::exists(run.cross_study_csv())) {
      std::cout << run.cross_study_csv().string() << ", " << run.cross_study_long_csv().string()
                << "\n";
    }
    return kExitOk;
  });
}

}  // namespace overseer::cli
