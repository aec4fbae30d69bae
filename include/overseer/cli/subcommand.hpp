#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace overseer::cli {

// A subcommand registered on the app before parsing; `run` executes it when the user picked it
// and returns the exit code.
struct Subcommand {
  CLI::App* command = nullptr;
  std::function<int()> run;
};

}  // namespace overseer::cli
