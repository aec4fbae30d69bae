#include <charconv>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "overseer/core/error.hpp"
#include "overseer/data/importers.hpp"
#include "overseer/data/text_input.hpp"

namespace overseer::data {
namespace {

// "idx<TAB>name" lines, in any order, whose indices are exactly 0..n-1.
std::vector<std::string> read_index_file(const std::filesystem::path& path) {
  TextReader reader(path);
  std::vector<std::string> names;
  std::vector<bool> seen;
  std::unordered_map<std::string, std::size_t> index_of_name;
  std::string line;
  std::vector<std::string> fields;
  while (reader.next(line)) {
    if (line.empty()) continue;
    split_fields(line, '\t', reader, fields);
    if (fields.size() != 2) {
      reader.fail("expected \"index<TAB>name\", found " + std::to_string(fields.size()) +
                  " field(s)");
    }
    std::size_t i = 0;
    const char* end = fields[0].data() + fields[0].size();
    const auto parsed = std::from_chars(fields[0].data(), end, i);
    if (parsed.ec != std::errc() || parsed.ptr != end || i > (1u << 30)) {
      reader.fail("index \"" + fields[0] + "\" is not a non-negative integer");
    }
    if (i >= names.size()) {
      names.resize(i + 1);
      seen.resize(i + 1, false);
    }
    if (seen[i]) reader.fail("index " + fields[0] + " appears twice");
    seen[i] = true;
    const auto [previous, fresh] = index_of_name.emplace(fields[1], i);
    if (!fresh) {
      reader.fail("\"" + fields[1] + "\" appears twice (also index " +
                  std::to_string(previous->second) + ")");
    }
    names[i] = fields[1];
  }
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) reader.fail("index " + std::to_string(i) + " is missing");
  }
  return names;
}

// A headerless comma-separated matrix with one row per line. Without column names, the first
// row sets their number and they are named PREFIX0, PREFIX1, ...
std::vector<float> read_matrix(const std::filesystem::path& path, std::size_t rows,
                               std::vector<std::string>& column_names, const std::string& prefix) {
  TextReader reader(path);
  std::vector<float> values;
  std::string line;
  std::vector<std::string> fields;
  std::size_t row = 0;
  while (reader.next(line)) {
    if (line.empty()) continue;
    split_fields(line, ',', reader, fields);
    if (row == 0 && column_names.empty()) {
      for (std::size_t j = 0; j < fields.size(); ++j) {
        column_names.push_back(prefix + std::to_string(j));
      }
    }
    const std::size_t cols = column_names.size();
    if (fields.size() != cols) {
      reader.fail("expected " + std::to_string(cols) + " values, found " +
                  std::to_string(fields.size()));
    }
    for (std::size_t j = 0; j < cols; ++j) {
      values.push_back(parse_number(fields[j], reader, "column \"" + column_names[j] + "\""));
    }
    ++row;
  }
  if (row != rows) {
    reader.fail("expected " + std::to_string(rows) + " rows (one per index entry), found " +
                std::to_string(row));
  }
  return values;
}

FeatureTable read_table(const std::filesystem::path& index_file,
                        const std::filesystem::path& matrix_file, std::vector<std::string> columns,
                        const std::string& prefix) {
  FeatureTable t;
  t.ids = read_index_file(index_file);
  t.columns = std::move(columns);
  t.values = read_matrix(matrix_file, t.rows(), t.columns, prefix);
  t.mark_binary();
  return t;
}

std::string read_whole(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Dataset import_nci60(const std::filesystem::path& dir) {
  require_directory(dir);
  Dataset d;
  auto genes = read_index_file(dir / "gene2ind.txt");
  d.cells = read_table(dir / "cell2ind.txt", dir / "cell2mut.txt", std::move(genes), "");
  d.drugs = read_table(dir / "drug2ind.txt", dir / "drug2fingerprint.csv", {}, "morgan_");
  d.studies = {"NCI60"};

  const auto cell_index = d.cells.row_index();
  const auto drug_index = d.drugs.row_index();
  const std::pair<const char*, OriginalPart> parts[] = {
      {"train_DNA.txt", kTrainPart}, {"val_DNA.txt", kValPart}, {"test_DNA.txt", kTestPart}};
  std::string line;
  std::vector<std::string> fields;
  for (const auto& [name, part] : parts) {
    TextReader reader(dir / name);
    while (reader.next(line)) {
      if (line.empty()) continue;
      split_fields(line, '\t', reader, fields);
      if (fields.size() != 3) {
        reader.fail("expected \"cell<TAB>SMILES<TAB>response\", found " +
                    std::to_string(fields.size()) + " field(s)");
      }
      const auto cell = cell_index.find(fields[0]);
      if (cell == cell_index.end()) reader.fail("unknown cell line \"" + fields[0] + "\"");
      const auto drug = drug_index.find(fields[1]);
      if (drug == drug_index.end()) reader.fail("unknown drug (SMILES) \"" + fields[1] + "\"");
      d.responses.push_back(cell->second, drug->second, parse_number(fields[2], reader, "response"),
                            0, part);
    }
  }
  if (d.responses.size() == 0) {
    throw InputError(dir.string(), "",
                     "train_DNA.txt, val_DNA.txt and test_DNA.txt hold no responses");
  }
  d.provenance = "NCI-60 in DrugCell format, imported with `overseer data import nci60` from " +
                 (dir / "").parent_path().filename().string() + "/";
  if (std::filesystem::exists(dir / "SOURCE.txt")) {
    d.provenance += "\n" + read_whole(dir / "SOURCE.txt");
  }
  return d;
}

}  // namespace overseer::data
