#pragma once

// What the fuzz targets share: a directory for the files a parser reads, and the line between
// input the program rejects (fine) and everything else (a crash, which libFuzzer reports).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "overseer/core/error.hpp"

namespace overseer::fuzz {

// A directory of this process's own, made on first use and removed when the process exits.
const std::filesystem::path& scratch_dir();

// The input as the file scratch_dir()/name, replacing what an earlier input left there.
std::filesystem::path write_input(const std::string& name, const std::uint8_t* data,
                                  std::size_t size);

// What `body` returns, or nothing when it rejected the input as the CLI reports a user's
// mistake (exit code 2): InputError, or a filesystem_error (cli/input_errors.cpp). Any other
// exception escapes, and libFuzzer reports it as a crash, since the real program would die of
// it too.
template <typename Body>
auto unless_rejected(Body body) -> std::optional<decltype(body())> {
  try {
    return body();
  } catch (const InputError&) {
  } catch (const std::filesystem::filesystem_error&) {
  }
  return std::nullopt;
}

// Ends the process with `what` on stderr: a property that must hold for every accepted input
// (such as reading back what Overseer itself writes) did not, which libFuzzer reports as a crash.
[[noreturn]] void property_failed(const std::string& what);

}  // namespace overseer::fuzz
