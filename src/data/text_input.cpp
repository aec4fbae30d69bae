#include "overseer/data/text_input.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "overseer/core/error.hpp"
#include "overseer/core/input_file.hpp"

namespace overseer::data {

TextReader::TextReader(const std::filesystem::path& path) : path_(path), buffer_(1 << 16) {
  if (const std::string problem = file_problem(path); !problem.empty()) {
    throw InputError(path.string(), "", problem);
  }
  file_ = gzopen(path.c_str(), "rb");
  if (file_ == nullptr) throw InputError(path.string(), "", "cannot open the file");
  gzbuffer(file_, 1 << 17);
}

TextReader::~TextReader() {
  if (file_ != nullptr) gzclose(file_);
}

bool TextReader::next(std::string& line) {
  line.clear();
  bool any = false;
  while (gzgets(file_, buffer_.data(), static_cast<int>(buffer_.size())) != nullptr) {
    any = true;
    line += buffer_.data();
    if (!line.empty() && line.back() == '\n') break;
  }
  if (!any) {
    int error = Z_OK;
    const char* message = gzerror(file_, &error);
    if (error != Z_OK && error != Z_STREAM_END) {
      ++line_;
      fail(std::string("cannot read (corrupt compressed data?): ") + message);
    }
    return false;
  }
  ++line_;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  // Spreadsheets save UTF-8 with a byte order mark; left in, it hides in the first column's
  // name, and "no column \"cell\"" would list a column that looks like "cell".
  if (line_ == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  return true;
}

void TextReader::fail(const std::string& message) const {
  if (line_ == 0) throw InputError(path_.string(), "", message);
  throw InputError(path_.string() + ":" + std::to_string(line_), "", message);
}

void require_directory(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) {
    throw InputError(dir.string(), "",
                     std::filesystem::exists(dir) ? "not a directory" : "directory does not exist");
  }
}

void split_fields(const std::string& line, char delimiter, const TextReader& reader,
                  std::vector<std::string>& fields) {
  fields.clear();
  if (delimiter == '\t') {
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      fields.push_back(line.substr(start, tab - start));
    }
    fields.push_back(line.substr(start));
    return;
  }
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  if (quoted) reader.fail("unterminated quoted field");
  fields.push_back(std::move(field));
}

char detect_delimiter(const std::string& header) {
  return header.find('\t') != std::string::npos ? '\t' : ',';
}

HeaderedReader::HeaderedReader(const std::filesystem::path& path) : HeaderedReader(path, 1, 0) {}

HeaderedReader::HeaderedReader(const std::filesystem::path& path, std::size_t header_rows,
                               std::size_t name_row)
    : reader_(path) {
  std::vector<std::string> fields;
  for (std::size_t row = 0; row < header_rows; ++row) {
    if (!reader_.next(line_)) {
      reader_.fail(header_rows == 1 ? std::string("empty file: expected a header line")
                                    : "expected " + std::to_string(header_rows) + " header lines");
    }
    if (row == 0) delimiter_ = detect_delimiter(line_);
    split_fields(line_, delimiter_, reader_, fields);
    if (row > 0 && fields.size() != header_.size()) {
      reader_.fail("header line " + std::to_string(row + 1) + " has " +
                   std::to_string(fields.size()) + " fields, the first " +
                   std::to_string(header_.size()));
    }
    if (row == 0 || row == name_row) header_ = fields;
  }
}

std::size_t HeaderedReader::column(const std::string& name) const {
  const auto it = std::find(header_.begin(), header_.end(), name);
  if (it == header_.end()) {
    std::string names;
    for (const auto& h : header_) names += (names.empty() ? "" : ", ") + h;
    reader_.fail("no column \"" + name + "\" (columns: " + names + ")");
  }
  return static_cast<std::size_t>(it - header_.begin());
}

bool HeaderedReader::next(std::vector<std::string>& fields) {
  do {
    if (!reader_.next(line_)) return false;
  } while (line_.empty());
  split_fields(line_, delimiter_, reader_, fields);
  if (fields.size() != header_.size()) {
    reader_.fail("expected " + std::to_string(header_.size()) + " fields like the header, found " +
                 std::to_string(fields.size()));
  }
  return true;
}

float parse_number(const std::string& text, const TextReader& reader, const std::string& column) {
  std::size_t begin = text.find_first_not_of(" \t");
  std::size_t end = text.find_last_not_of(" \t");
  if (begin == std::string::npos) reader.fail(column + ": empty value where a number is expected");
  if (text[begin] == '+') ++begin;
  float value = 0;
  const char* first = text.data() + begin;
  const char* last = text.data() + end + 1;
  auto result = std::from_chars(first, last, value);
  if (result.ec == std::errc::result_out_of_range) {
    // from_chars says this of values too close to 0 as well (a p-value of 1e-50); as floats
    // they are 0, so only a magnitude above the largest float is an error.
    double wide = 0;
    result = std::from_chars(first, last, wide);
    if (result.ec != std::errc() || std::fabs(wide) > std::numeric_limits<float>::max()) {
      reader.fail(column + ": \"" + text + "\" is out of range for a 32-bit float");
    }
    value = static_cast<float>(wide);
  }
  if (result.ec != std::errc() || result.ptr != last) {
    reader.fail(column + ": \"" + text + "\" is not a number");
  }
  if (!std::isfinite(value)) reader.fail(column + ": \"" + text + "\" is not a finite number");
  return value;
}

std::optional<std::size_t> parse_row_id(const std::string& line, const TextReader& reader,
                                        const std::string& indexes) {
  const auto text = line.substr(0, line.find('#'));
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return std::nullopt;
  const auto end = text.find_last_not_of(" \t") + 1;
  std::size_t row = 0;
  const auto parsed = std::from_chars(text.data() + begin, text.data() + end, row);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + end) {
    reader.fail("\"" + text.substr(begin, end - begin) + "\" is not a row id " + indexes);
  }
  return row;
}

}  // namespace overseer::data
