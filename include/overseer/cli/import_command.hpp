#pragma once

#include "overseer/cli/subcommand.hpp"

namespace overseer::cli {

// `overseer import supervisor CFG.sh [SETTINGS.sh]`: a campaign from CANDLE/Supervisor files.
Subcommand add_import_command(CLI::App& app);

}  // namespace overseer::cli
