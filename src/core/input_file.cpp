#include "overseer/core/input_file.hpp"

namespace overseer {

std::string file_problem(const std::filesystem::path& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) return "file does not exist";
  if (error) return error.message();
  if (status.type() == std::filesystem::file_type::directory) return "is a directory, not a file";
  if (status.type() != std::filesystem::file_type::regular) return "not a regular file";
  return "";
}

}  // namespace overseer
