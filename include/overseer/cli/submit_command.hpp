#pragma once

#include "overseer/cli/subcommand.hpp"

namespace overseer::cli {

// `overseer submit CAMPAIGN --site S --nodes N --time T`: writes submit.sh (and the site as
// site.json) into the run directory and queues it.
Subcommand add_submit_command(CLI::App& app);

}  // namespace overseer::cli
