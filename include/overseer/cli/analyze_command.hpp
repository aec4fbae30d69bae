#pragma once

#include "overseer/cli/subcommand.hpp"

namespace overseer::cli {

// `overseer analyze errors RUN_DIR [--trial ID] [--bins N]`: the High Error Drug analysis of a
// trial's saved predictions (docs/workflows.md).
Subcommand add_analyze_command(CLI::App& app);

}  // namespace overseer::cli
