#include "overseer/core/csv.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "overseer/core/error.hpp"

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

std::vector<std::string> csv_record(const std::string& line) {
  std::vector<std::string> fields(1);
  const std::size_t end = !line.empty() && line.back() == '\r' ? line.size() - 1 : line.size();
  bool quoted = false;
  for (std::size_t i = 0; i < end; ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < end && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) throw std::invalid_argument("an unterminated quote");
  return fields;
}

CsvTable read_csv_table(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw InputError(file.string(), "", "cannot read the file");
  CsvTable table;
  std::string text;
  int line = 0;
  const auto fields_of = [&]() {
    try {
      return csv_record(text);
    } catch (const std::invalid_argument& e) {
      throw InputError(file.string(), "", "line " + std::to_string(line) + ": " + e.what());
    }
  };
  while (std::getline(in, text)) {
    const int first = ++line;
    // A quoted field may hold line breaks (a failed trial's message does): while a quote is
    // open, the record goes on.
    for (std::string more;
         std::count(text.begin(), text.end(), '"') % 2 == 1 && std::getline(in, more); ++line) {
      text += "\n" + more;
    }
    if (text.empty() || text == "\r") continue;
    if (table.header.empty()) {
      table.header = fields_of();
      continue;
    }
    CsvTable::Row row{first, fields_of()};
    if (row.fields.size() != table.header.size()) {
      throw InputError(file.string(), "",
                       "line " + std::to_string(line) + ": " + std::to_string(row.fields.size()) +
                           " fields, but the header has " + std::to_string(table.header.size()));
    }
    table.rows.push_back(std::move(row));
  }
  if (table.header.empty()) throw InputError(file.string(), "", "the file is empty");
  return table;
}

}  // namespace overseer
