#pragma once

#include "overseer/cli/subcommand.hpp"

namespace overseer::cli {

// `overseer sites [NAME|FILE...]`: lists the known sites, or checks and describes the given ones.
Subcommand add_sites_command(CLI::App& app);

}  // namespace overseer::cli
