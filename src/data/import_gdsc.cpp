#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "overseer/core/error.hpp"
#include "overseer/data/importers.hpp"
#include "overseer/data/smiles_drugs.hpp"
#include "overseer/data/text_input.hpp"

namespace overseer::data {
namespace {

// gdsctools ships its tables compressed; a decompressed copy works as well.
std::filesystem::path find_input(const std::filesystem::path& dir, const std::string& name) {
  const auto compressed = dir / (name + ".gz");
  if (std::filesystem::exists(compressed)) return compressed;
  if (!std::filesystem::exists(dir / name)) {
    throw InputError((dir / name).string(), "", "file does not exist (nor " + name + ".gz)");
  }
  return dir / name;
}

// Genomic features per COSMIC id: MSI and the binary mutation and copy-number columns, plus the
// tissue as one-hot columns "tissue_NAME" when asked for.
FeatureTable read_cells(const std::filesystem::path& path, TissueEncoding tissue,
                        std::vector<std::string>& tissues) {
  HeaderedReader in(path);
  const auto& header = in.header();
  const std::size_t id_column = in.column("COSMIC_ID");
  const std::size_t tissue_column = in.column("TISSUE_FACTOR");

  FeatureTable t;
  for (std::size_t j = 0; j < header.size(); ++j) {
    if (j != id_column && j != tissue_column) t.columns.push_back(header[j]);
  }
  std::unordered_map<std::string, std::size_t> seen;
  std::vector<std::string> fields;
  while (in.next(fields)) {
    if (!seen.emplace(fields[id_column], t.ids.size()).second) {
      in.fail("COSMIC_ID " + fields[id_column] + " appears twice");
    }
    t.ids.push_back(fields[id_column]);
    tissues.push_back(fields[tissue_column]);
    for (std::size_t j = 0; j < header.size(); ++j) {
      if (j != id_column && j != tissue_column) {
        t.values.push_back(parse_number(fields[j], in.reader(), "column \"" + header[j] + "\""));
      }
    }
  }
  if (tissue == TissueEncoding::OneHot) {
    std::vector<std::string> names = tissues;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    const std::size_t numeric = t.cols();
    std::vector<float> values;
    values.reserve(t.rows() * (numeric + names.size()));
    for (std::size_t i = 0; i < t.rows(); ++i) {
      values.insert(values.end(), t.row(i), t.row(i) + numeric);
      const auto k = std::lower_bound(names.begin(), names.end(), tissues[i]) - names.begin();
      for (std::ptrdiff_t j = 0; j < static_cast<std::ptrdiff_t>(names.size()); ++j) {
        values.push_back(j == k ? 1.0f : 0.0f);
      }
    }
    for (const auto& name : names) t.columns.push_back("tissue_" + name);
    t.values = std::move(values);
  }
  t.mark_binary();
  return t;
}

// GDSC drug id -> SMILES through DeepCDR's drug list (drug_id -> PubChem CID) and its
// CID<TAB>SMILES file. Drugs with "none" or "several" CIDs have no entry.
std::unordered_map<std::string, std::string> read_smiles(const std::filesystem::path& dir) {
  std::unordered_map<std::string, std::string> smiles_by_cid;
  {
    TextReader reader(dir / "pubchem_smiles.txt");
    std::string line;
    std::vector<std::string> fields;
    while (reader.next(line)) {
      if (line.empty()) continue;
      split_fields(line, '\t', reader, fields);
      if (fields.size() != 2) reader.fail("expected \"CID<TAB>SMILES\"");
      smiles_by_cid[fields[0]] = fields[1];
    }
  }
  std::unordered_map<std::string, std::string> smiles_by_drug;
  HeaderedReader in(dir / "gdsc_drug_list.csv");
  const std::size_t id_column = in.column("drug_id");
  const std::size_t cid_column = in.column("PubCHEM");
  std::vector<std::string> fields;
  while (in.next(fields)) {
    const auto smiles = smiles_by_cid.find(fields[cid_column]);
    if (smiles != smiles_by_cid.end()) smiles_by_drug[fields[id_column]] = smiles->second;
  }
  return smiles_by_drug;
}

// Each response's study becomes its cell line's tissue; tissues with fewer than `min_rows`
// responses share the study "other".
void study_by_tissue(Dataset& d, const std::vector<std::string>& tissue_of_cell,
                     std::size_t min_rows) {
  std::map<std::string, std::size_t> rows_of_tissue;
  for (auto cell : d.responses.cell) ++rows_of_tissue[tissue_of_cell[cell]];
  std::map<std::string, std::string> study_of_tissue;
  for (const auto& [tissue, rows] : rows_of_tissue) {
    study_of_tissue[tissue] = rows >= min_rows ? tissue : "other";
  }
  std::set<std::string> names;
  for (const auto& [tissue, study] : study_of_tissue) names.insert(study);
  d.studies.assign(names.begin(), names.end());
  for (std::size_t i = 0; i < d.responses.size(); ++i) {
    const auto& study = study_of_tissue[tissue_of_cell[d.responses.cell[i]]];
    const auto index = std::lower_bound(d.studies.begin(), d.studies.end(), study);
    d.responses.study[i] = static_cast<std::uint16_t>(index - d.studies.begin());
  }
}

// "Drug_<id>_IC50" -> "<id>".
std::string drug_id_of(const std::string& column, const TextReader& reader) {
  const std::string prefix = "Drug_", suffix = "_IC50";
  if (column.size() <= prefix.size() + suffix.size() || column.rfind(prefix, 0) != 0 ||
      column.compare(column.size() - suffix.size(), suffix.size(), suffix) != 0) {
    reader.fail("column \"" + column + "\" is not named Drug_<id>_IC50");
  }
  return column.substr(prefix.size(), column.size() - prefix.size() - suffix.size());
}

}  // namespace

Dataset import_gdsc(const GdscOptions& options) {
  const auto& dir = options.dir;
  require_directory(dir);
  Dataset d;
  std::vector<std::string> tissue_of_cell;
  d.cells = read_cells(find_input(dir, "genomic_features_v17.csv"), options.tissue, tissue_of_cell);
  d.studies = {"GDSC1000"};
  const auto smiles = options.drugs == DrugEncoding::Morgan
                          ? read_smiles(dir)
                          : std::unordered_map<std::string, std::string>();

  HeaderedReader in(find_input(dir, "IC50_v17.csv"));
  const auto& header = in.header();
  const std::size_t id_column = in.column("COSMIC_ID");

  // Per IC50 column: its drug's row in the drug table, or -1 for a skipped drug.
  std::vector<std::int64_t> drug_row(header.size(), -1);
  std::size_t skipped = 0, drugs = 0;
  MorganTable morgan(options.morgan);
  std::vector<std::string> onehot_ids;
  std::unordered_set<std::string> seen;
  for (std::size_t j = 0; j < header.size(); ++j) {
    if (j == id_column) continue;
    const std::string id = drug_id_of(header[j], in.reader());
    if (!seen.insert(id).second) {
      in.fail("column \"" + header[j] + "\": drug " + id + " appears twice");
    }
    if (options.drugs == DrugEncoding::Morgan) {
      const auto it = smiles.find(id);
      if (it == smiles.end() || !morgan.add(id, it->second)) {
        ++skipped;
        continue;
      }
    } else {
      onehot_ids.push_back(id);
    }
    drug_row[j] = static_cast<std::int64_t>(drugs++);
  }
  if (options.drugs == DrugEncoding::Morgan) {
    d.drugs = morgan.take();
  } else {
    d.drugs.ids = std::move(onehot_ids);
    const std::size_t n = d.drugs.ids.size();
    d.drugs.values.assign(n * n, 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
      d.drugs.columns.push_back("drug_" + d.drugs.ids[i]);
      d.drugs.values[i * n + i] = 1.0f;
    }
  }
  d.drugs.mark_binary();

  const auto cell_index = d.cells.row_index();
  std::size_t skipped_responses = 0;
  std::vector<std::string> fields;
  while (in.next(fields)) {
    const auto cell = cell_index.find(fields[id_column]);
    if (cell == cell_index.end()) {
      in.fail("COSMIC_ID " + fields[id_column] + " has no genomic features");
    }
    for (std::size_t j = 0; j < header.size(); ++j) {
      if (j == id_column || fields[j].empty()) continue;  // empty: not measured
      if (drug_row[j] < 0) {
        ++skipped_responses;
        continue;
      }
      d.responses.push_back(cell->second, static_cast<std::uint32_t>(drug_row[j]),
                            parse_number(fields[j], in.reader(), "column \"" + header[j] + "\""),
                            0);
    }
  }
  if (d.responses.size() == 0) {
    throw InputError(in.reader().path().string(), "",
                     "no responses (every IC50 is empty or belongs to a drug without a SMILES)");
  }
  if (options.studies == GdscStudies::ByTissue) {
    study_by_tissue(d, tissue_of_cell, options.min_study_rows);
  }
  if (skipped > 0) {
    spdlog::info("gdsc: skipped {} of {} drugs without a usable SMILES ({} responses)", skipped,
                 header.size() - 1, skipped_responses);
  }
  d.provenance =
      "GDSC1000 (gdsctools IC50_v17: ln IC50 in uM; genomic_features_v17), imported with "
      "`overseer data import gdsc`. Drug features: " +
      (options.drugs == DrugEncoding::Morgan
           ? describe(options.morgan) + " from PubChem SMILES via DeepCDR's drug list"
           : std::string("one-hot drug identity")) +
      ". Tissue: " + (options.tissue == TissueEncoding::OneHot ? "one-hot" : "dropped") +
      (options.studies == GdscStudies::ByTissue
           ? ". Studies: one per tissue, tissues with fewer than " +
                 std::to_string(options.min_study_rows) + " responses pooled as \"other\""
           : std::string()) +
      ". Cite GDSC (Iorio et al., Cell 2016) and DeepCDR (Liu et al., Bioinformatics 2020).";
  return d;
}

}  // namespace overseer::data
