#include "overseer/core/csv.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

namespace overseer {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_number(double value) {
  if (!std::isfinite(value)) return "";
  return nlohmann::json(value).dump();
}

}  // namespace overseer
