#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace overseer::cli {

// `overseer data import|info|synth|split`: registered on the app before parsing; `run` executes the
// subcommand the user picked and returns the exit code.
struct DataCommand {
  CLI::App* command = nullptr;
  std::function<int()> run;
};

DataCommand add_data_command(CLI::App& app);

}  // namespace overseer::cli
