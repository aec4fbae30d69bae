#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace overseer::cli {

// `overseer status|report|export RUN_DIR`, which read a run directory, running or finished.
// Registered on the app before parsing; after it, `picked` says whether the user chose one of
// them and `run` executes it and returns the exit code.
struct RunDirCommands {
  std::function<bool()> picked;
  std::function<int()> run;
};

RunDirCommands add_run_dir_commands(CLI::App& app);

}  // namespace overseer::cli
