#include "overseer/core/error.hpp"

namespace overseer {
namespace {

std::string compose(const std::string& file, const std::string& pointer,
                    const std::string& message) {
  std::string where = file.empty() ? std::string("<command line>") : file;
  if (!pointer.empty()) where += ": " + pointer;
  return where + ": " + message;
}

}  // namespace

InputError::InputError(std::string file, std::string pointer, const std::string& message)
    : std::runtime_error(compose(file, pointer, message)),
      file_(std::move(file)),
      pointer_(std::move(pointer)),
      message_(message) {}

}  // namespace overseer
