#pragma once

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "overseer/core/error.hpp"
#include "process.hpp"

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

// What the binary does with bad input: exit code 2, nothing on stdout, and one line on stderr
// starting with `message`.
inline void expect_input_error(const ProcessResult& r, const std::string& message) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: " + message, 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace overseer::test
