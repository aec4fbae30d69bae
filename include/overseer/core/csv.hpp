#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace overseer {

// `text` as one CSV field (RFC 4180): quoted, with quotes doubled, only when it holds a comma,
// a quote or a line break, so that ids from user data cannot shift the columns.
std::string csv_field(const std::string& text);

// A number as a CSV field: the shortest text that reads back as the same double, and an empty
// field for NaN and infinities (as pandas reads a missing value).
std::string csv_number(double value);

// The fields of one CSV record (RFC 4180 quoting: "a,b", doubled quotes and line breaks inside;
// a trailing \r is dropped). Throws std::invalid_argument for an unterminated quote.
std::vector<std::string> csv_record(const std::string& line);

// A small CSV file with a header line (an initial population, an earlier run's results.csv):
// the header's fields and each record's, with the line it starts on; blank lines are skipped.
struct CsvTable {
  struct Row {
    int line = 0;
    std::vector<std::string> fields;
  };
  std::vector<std::string> header;
  std::vector<Row> rows;
};
// Every line must have as many fields as the header. Throws InputError naming the file (and the
// line) when it cannot be read, is empty, or has a bad line.
CsvTable read_csv_table(const std::filesystem::path& file);

}  // namespace overseer
