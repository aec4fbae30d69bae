#include "overseer/cli/input_errors.hpp"

#include <filesystem>
#include <iostream>

#include "overseer/core/error.hpp"

namespace overseer::cli {

int exit_on_input_error(const std::function<int()>& body) {
  try {
    return body();
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitInputError;
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "error: " << e.path1().string() << ": " << e.code().message() << "\n";
    return kExitInputError;
  }
}

}  // namespace overseer::cli
