#pragma once

#include <functional>

namespace overseer::cli {

// Runs a subcommand's body. A mistake the user can fix (an InputError, or a file system error
// on a path they gave) becomes one "error: ..." line on stderr and exit code 2.
int exit_on_input_error(const std::function<int()>& body);

}  // namespace overseer::cli
