#pragma once

#include <string>

#include "overseer/core/error.hpp"

namespace overseer::test {

// The message of the InputError that `body` throws, or a note that it threw none, so a test
// can compare the whole message.
template <typename Body>
std::string input_error(Body body) {
  try {
    body();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace overseer::test
