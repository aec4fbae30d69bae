#pragma once

// Line-oriented reading of the text formats the importers accept: CSV/TSV and DrugCell's
// files, plain or gzip-compressed.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <zlib.h>

namespace overseer::data {

// Reads a text file line by line through zlib, which passes uncompressed files through, so
// .gz and plain inputs take the same path. Messages name the file and the current line.
class TextReader {
 public:
  explicit TextReader(const std::filesystem::path& path);
  ~TextReader();
  TextReader(const TextReader&) = delete;
  TextReader& operator=(const TextReader&) = delete;

  // The next line without its line ending; false at the end of the file.
  bool next(std::string& line);
  std::size_t line_number() const { return line_; }
  const std::filesystem::path& path() const { return path_; }
  [[noreturn]] void fail(const std::string& message) const;

 private:
  std::filesystem::path path_;
  gzFile file_ = nullptr;
  std::size_t line_ = 0;
  std::vector<char> buffer_;
};

// Fails unless `dir` is a directory, before an importer looks for its files there.
void require_directory(const std::filesystem::path& dir);

// Splits one line into fields. With a quote-aware delimiter (CSV) a field may be quoted and
// contain the delimiter, with "" for a quote; tab-separated lines split at every tab. Fails
// through `reader` on an unterminated quote.
void split_fields(const std::string& line, char delimiter, const TextReader& reader,
                  std::vector<std::string>& fields);

// A tab when the header line holds one, else a comma.
char detect_delimiter(const std::string& header);

// A delimited file with a header line: columns by name, and rows checked against the header's
// width. Empty lines are skipped.
class HeaderedReader {
 public:
  explicit HeaderedReader(const std::filesystem::path& path);
  // A header of `header_rows` lines of equal width (IMPROVE's omics tables name each gene in
  // several systems, one per line) whose line `name_row` (0-based) names the columns.
  HeaderedReader(const std::filesystem::path& path, std::size_t header_rows, std::size_t name_row);

  const std::vector<std::string>& header() const { return header_; }
  // The index of the column named `name`; fails listing the columns when there is none.
  std::size_t column(const std::string& name) const;
  bool next(std::vector<std::string>& fields);
  const TextReader& reader() const { return reader_; }
  [[noreturn]] void fail(const std::string& message) const { reader_.fail(message); }

 private:
  TextReader reader_;
  std::vector<std::string> header_;
  char delimiter_ = ',';
  std::string line_;
};

// Parses a finite number, failing through `reader` with the column's name otherwise.
float parse_number(const std::string& text, const TextReader& reader, const std::string& column);

// A line of a file of row ids (split files): the id, or nothing for a blank line. Text after
// '#' is a comment. Fails through `reader` for anything else, saying what the ids index
// (`indexes`, e.g. "(0-based)").
std::optional<std::size_t> parse_row_id(const std::string& line, const TextReader& reader,
                                        const std::string& indexes);

}  // namespace overseer::data
