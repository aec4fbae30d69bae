#pragma once

#include "overseer/cli/subcommand.hpp"

namespace overseer::cli {

// `overseer data import|info|synth|split`.
using DataCommand = Subcommand;

DataCommand add_data_command(CLI::App& app);

}  // namespace overseer::cli
