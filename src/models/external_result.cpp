#include "overseer/models/external_result.hpp"

#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "overseer/core/json_view.hpp"

namespace overseer {
namespace {

constexpr const char* kKeyword = "IMPROVE_RESULT";

void skip_spaces(const std::string& s, std::size_t& i) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
}

// The number after IMPROVE_RESULT on `line`: an optional ":", then an optional "name:".
std::optional<double> value_after_keyword(const std::string& line, std::size_t at) {
  std::size_t i = at + std::char_traits<char>::length(kKeyword);
  if (i < line.size() && line[i] == ':') ++i;
  skip_spaces(line, i);
  std::size_t name_end = i;
  while (name_end < line.size() && (std::isalnum(static_cast<unsigned char>(line[name_end])) ||
                                    line[name_end] == '_' || line[name_end] == '.')) {
    ++name_end;
  }
  if (name_end < line.size() && line[name_end] == ':') {
    i = name_end + 1;
    skip_spaces(line, i);
  }
  const char* start = line.c_str() + i;
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(start, &end);
  if (end == start || errno == ERANGE) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> last_improve_result(std::istream& log) {
  std::string line, last;
  std::size_t last_at = std::string::npos;
  while (std::getline(log, line)) {
    const auto at = line.rfind(kKeyword);
    if (at == std::string::npos) continue;
    last = line;
    last_at = at;
  }
  if (last_at == std::string::npos) return std::nullopt;
  auto value = value_after_keyword(last, last_at);
  if (!value) throw std::runtime_error("the last IMPROVE_RESULT line has no number: " + last);
  return value;
}

std::optional<ProgressLine> parse_improve_progress(std::string_view line) {
  constexpr std::string_view kProgress = "IMPROVE_PROGRESS";
  const auto at = line.find(kProgress);
  if (at == std::string_view::npos) return std::nullopt;
  std::istringstream pairs{std::string(line.substr(at + kProgress.size()))};
  ProgressLine progress;
  bool has_step = false;
  for (std::string pair; pairs >> pair;) {
    const auto eq = pair.find('=');
    if (eq == 0 || eq == std::string::npos) return std::nullopt;
    const std::string name = pair.substr(0, eq);
    const std::string text = pair.substr(eq + 1);
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno == ERANGE) return std::nullopt;
    if ((name == "epoch" || name == "step") && !has_step) {
      if (value != std::floor(value) || value < 0) return std::nullopt;
      progress.step = static_cast<std::int64_t>(value);
      has_step = true;
    } else {
      progress.metrics[name] = value;
    }
  }
  if (!has_step) return std::nullopt;
  return progress;
}

std::string format_improve_progress(std::int64_t step,
                                    const std::map<std::string, double>& metrics) {
  std::string line = "IMPROVE_PROGRESS step=" + std::to_string(step);
  for (const auto& [name, value] : metrics) {
    // to_chars writes the shortest text that reads back as the same double.
    std::array<char, 32> text{};
    const auto written = std::to_chars(text.data(), text.data() + text.size(), value);
    line += ' ' + name + '=' + std::string(text.data(), written.ptr);
  }
  return line;
}

std::map<std::string, double> numeric_fields(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) {
    throw std::runtime_error("the program wrote no " + file.filename().string());
  }
  json document;
  try {
    document = read_json_file(file);
  } catch (const std::exception& e) {
    throw std::runtime_error(e.what());
  }
  if (!document.is_object()) {
    throw std::runtime_error(file.string() + " holds " + json_type_name(document) +
                             ", not a JSON object");
  }
  std::map<std::string, double> out;
  for (const auto& [key, value] : document.items()) {
    if (value.is_number()) out[key] = value.get<double>();
  }
  return out;
}

std::string file_tail(const std::filesystem::path& file, std::size_t max_bytes) {
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff start = size > static_cast<std::streamoff>(max_bytes)
                                   ? size - static_cast<std::streamoff>(max_bytes)
                                   : 0;
  in.seekg(start);
  std::string text(static_cast<std::size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (start > 0) {
    const auto newline = text.find('\n');
    if (newline != std::string::npos) text.erase(0, newline + 1);
  }
  return text;
}

}  // namespace overseer
