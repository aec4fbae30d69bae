#include <optional>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "overseer/core/error.hpp"
#include "overseer/data/feature_table_reader.hpp"
#include "overseer/data/importers.hpp"
#include "overseer/data/text_input.hpp"

namespace overseer::data {

Dataset import_csv(const CsvOptions& options) {
  const bool from_smiles = options.drug_features.empty();
  const auto& drug_file = from_smiles ? options.drug_smiles.path : options.drug_features;
  Dataset d;
  d.cells = read_feature_table(options.cell_features, {options.missing, false, ""});
  std::unordered_set<std::string> skipped_drugs;
  if (from_smiles) {
    SmilesDrugs drugs = read_smiles_drugs(options.drug_smiles);
    d.drugs = std::move(drugs.drugs);
    skipped_drugs.insert(drugs.skipped.begin(), drugs.skipped.end());
  } else {
    d.drugs = read_feature_table(
        options.drug_features,
        {options.missing, false,
         "SMILES go in with --drug-smiles " + options.drug_features.filename().string()});
  }
  const auto cell_index = d.cells.row_index();
  const auto drug_index = d.drugs.row_index();

  HeaderedReader in(options.responses);
  const std::size_t cell_column = in.column(options.cell_column);
  const std::size_t drug_column = in.column(options.drug_column);
  const std::size_t y_column = in.column(options.y_column);
  const std::string y_name = "column \"" + options.y_column + "\"";
  const bool pairs = !options.second_drug_column.empty();
  const std::size_t second_column = pairs ? in.column(options.second_drug_column) : 0;
  const bool by_study = !options.study_column.empty();
  const std::size_t study_column = by_study ? in.column(options.study_column) : 0;
  if (!by_study) d.studies = {"all"};

  std::unordered_map<std::string, std::uint16_t> study_index;
  std::size_t skipped_responses = 0;
  std::vector<std::string> fields;
  // A drug's row; nothing for a drug left out for its SMILES, whose responses are skipped.
  const auto drug_row = [&](const std::string& id) -> std::optional<std::uint32_t> {
    const auto drug = drug_index.find(id);
    if (drug != drug_index.end()) return drug->second;
    if (skipped_drugs.count(id) == 0) {
      in.fail("unknown drug \"" + id + "\" (not in " + drug_file.string() + ")");
    }
    return std::nullopt;
  };
  while (in.next(fields)) {
    const auto cell = cell_index.find(fields[cell_column]);
    if (cell == cell_index.end()) {
      in.fail("unknown cell \"" + fields[cell_column] + "\" (not in " +
              options.cell_features.string() + ")");
    }
    const auto drug = drug_row(fields[drug_column]);
    std::optional<std::uint32_t> second = kNoSecondDrug;
    if (pairs && !fields[second_column].empty()) second = drug_row(fields[second_column]);
    if (!drug || !second) {
      ++skipped_responses;
      continue;
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
    d.responses.push_back(cell->second, *drug, parse_number(fields[y_column], in.reader(), y_name),
                          study, kNoPart, *second);
  }
  if (d.responses.size() == 0) {
    throw InputError(options.responses.string(), "",
                     "no responses: the file has a header but no rows");
  }
  if (!skipped_drugs.empty()) {
    spdlog::info("csv: left out {} drugs whose SMILES RDKit cannot parse ({} responses)",
                 skipped_drugs.size(), skipped_responses);
  }
  d.provenance =
      "Imported with `overseer data import csv` from " + options.responses.filename().string() +
      ", " + options.cell_features.filename().string() + " and " + drug_file.filename().string() +
      (from_smiles ? " (drugs as " + describe(options.drug_smiles.morgan) + ")" : "");
  return d;
}

}  // namespace overseer::data
