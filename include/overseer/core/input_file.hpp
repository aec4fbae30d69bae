#pragma once

#include <filesystem>
#include <string>

namespace overseer {

// Why `path` cannot be read as a file ("file does not exist", "is a directory, not a file",
// "not a regular file"), or an empty string when it can. Opening a directory as a stream
// succeeds on Linux and reads nothing, which would surface as a misleading parse error.
std::string file_problem(const std::filesystem::path& path);

}  // namespace overseer
