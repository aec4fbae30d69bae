#include <unordered_map>

#include "overseer/core/error.hpp"
#include "overseer/data/importers.hpp"
#include "overseer/data/text_input.hpp"

namespace overseer::data {
namespace {

// First column: the id; every other column: a numeric feature named by the header.
FeatureTable read_feature_table(const std::filesystem::path& path) {
  HeaderedReader in(path);
  FeatureTable t;
  t.columns.assign(in.header().begin() + 1, in.header().end());
  std::unordered_map<std::string, std::size_t> seen;
  std::vector<std::string> fields;
  while (in.next(fields)) {
    if (!seen.emplace(fields[0], t.ids.size()).second) {
      in.fail("id \"" + fields[0] + "\" appears twice");
    }
    t.ids.push_back(fields[0]);
    for (std::size_t j = 1; j < fields.size(); ++j) {
      t.values.push_back(parse_number(fields[j], in.reader(), "column \"" + in.header()[j] + "\""));
    }
  }
  t.mark_binary();
  return t;
}

}  // namespace

Dataset import_csv(const CsvOptions& options) {
  Dataset d;
  d.cells = read_feature_table(options.cell_features);
  d.drugs = read_feature_table(options.drug_features);
  const auto cell_index = d.cells.row_index();
  const auto drug_index = d.drugs.row_index();

  HeaderedReader in(options.responses);
  const std::size_t cell_column = in.column(options.cell_column);
  const std::size_t drug_column = in.column(options.drug_column);
  const std::size_t y_column = in.column(options.y_column);
  const std::string y_name = "column \"" + options.y_column + "\"";
  const bool by_study = !options.study_column.empty();
  const std::size_t study_column = by_study ? in.column(options.study_column) : 0;
  if (!by_study) d.studies = {"all"};

  std::unordered_map<std::string, std::uint16_t> study_index;
  std::vector<std::string> fields;
  while (in.next(fields)) {
    const auto cell = cell_index.find(fields[cell_column]);
    if (cell == cell_index.end()) {
      in.fail("unknown cell \"" + fields[cell_column] + "\" (not in " +
              options.cell_features.string() + ")");
    }
    const auto drug = drug_index.find(fields[drug_column]);
    if (drug == drug_index.end()) {
      in.fail("unknown drug \"" + fields[drug_column] + "\" (not in " +
              options.drug_features.string() + ")");
    }
    std::uint16_t study = 0;
    if (by_study) {
      const auto [it, fresh] =
          study_index.emplace(fields[study_column], static_cast<std::uint16_t>(d.studies.size()));
      if (fresh) {
        if (d.studies.size() == UINT16_MAX) in.fail("more than 65535 studies");
        d.studies.push_back(fields[study_column]);
      }
      study = it->second;
    }
    d.responses.push_back(cell->second, drug->second,
                          parse_number(fields[y_column], in.reader(), y_name), study);
  }
  if (d.responses.size() == 0) {
    throw InputError(options.responses.string(), "",
                     "no responses: the file has a header but no rows");
  }
  d.provenance = "Imported with `overseer data import csv` from " +
                 options.responses.filename().string() + ", " +
                 options.cell_features.filename().string() + " and " +
                 options.drug_features.filename().string();
  return d;
}

}  // namespace overseer::data
