#include <algorithm>
#include <regex>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "overseer/core/error.hpp"
#include "overseer/data/importers.hpp"
#include "overseer/data/text_input.hpp"

namespace overseer::data {
namespace {

// Each table's header lines, top to bottom, as improvelib's omics loader reads them.
struct OmicsTable {
  const char* name;
  std::vector<std::string> levels;
};
const OmicsTable kOmicsTables[] = {
    {"gene_expression", {"Ensembl", "Entrez", "Gene_Symbol"}},
    {"copy_number", {"Entrez", "Gene_Symbol", "Ensembl"}},
    {"discretized_copy_number", {"Entrez", "Gene_Symbol", "Ensembl"}},
    {"mutation_count", {"Entrez", "Gene_Symbol", "Ensembl"}},
    {"DNA_methylation", {"TSS", "Entrez", "Ensembl", "Gene_Symbol"}},
    {"miRNA_expression", {"miRNA_ID"}},
    {"RPPA", {"Antibody"}},
};
constexpr const char* kSampleId = "improve_sample_id";

const OmicsTable& omics_table(const std::string& given) {
  std::string name = given;
  if (name.rfind("cancer_", 0) == 0) name.erase(0, 7);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tsv") == 0)
    name.resize(name.size() - 4);
  for (const auto& t : kOmicsTables) {
    if (name == t.name) return t;
  }
  std::string known;
  for (const auto& t : kOmicsTables) known += (known.empty() ? "" : ", ") + std::string(t.name);
  throw InputError("--omics", "", "unknown table \"" + given + "\" (known: " + known + ")");
}

// One x_data table, columns named "<table>:<gene>". The single-line "v2" form starts with
// improve_sample_id; otherwise the header has one line per gene identifier system.
FeatureTable read_omics(const std::filesystem::path& x_data, const OmicsTable& table,
                        const ImproveOptions& options) {
  const auto path = x_data / ("cancer_" + std::string(table.name) + ".tsv");
  std::string first;
  {
    TextReader peek(path);
    if (!peek.next(first)) peek.fail("empty file: expected a header line");
  }
  const bool single_line = first.substr(0, first.find('\t')) == kSampleId;
  std::size_t name_row = 0;
  if (!single_line && table.levels.size() > 1) {
    const auto level = std::find(table.levels.begin(), table.levels.end(), options.gene_system);
    if (level == table.levels.end()) {
      std::string known;
      for (const auto& l : table.levels) known += (known.empty() ? "" : ", ") + l;
      throw InputError(path.string(), "",
                       "no header line for --gene-system " + options.gene_system +
                           " (this table names its genes by " + known + ")");
    }
    name_row = static_cast<std::size_t>(level - table.levels.begin());
  }
  HeaderedReader in(path, single_line ? 1 : table.levels.size(), name_row);
  FeatureTable t = read_feature_table(in, {options.missing, !single_line, ""});
  for (auto& column : t.columns) column = std::string(table.name) + ":" + column;
  return t;
}

// The cell lines that every table has, in the first table's order, with the tables' columns
// side by side.
FeatureTable join_cells(const std::vector<FeatureTable>& tables) {
  FeatureTable out;
  std::vector<std::unordered_map<std::string, std::uint32_t>> index;
  for (const auto& t : tables) {
    out.columns.insert(out.columns.end(), t.columns.begin(), t.columns.end());
    index.push_back(t.row_index());
  }
  for (const auto& id : tables.front().ids) {
    const bool everywhere = std::all_of(index.begin(), index.end(),
                                        [&](const auto& rows) { return rows.count(id) > 0; });
    if (!everywhere) continue;
    out.ids.push_back(id);
    for (std::size_t k = 0; k < tables.size(); ++k) {
      const float* row = tables[k].row(index[k].at(id));
      out.values.insert(out.values.end(), row, row + tables[k].cols());
    }
  }
  out.mark_binary();
  return out;
}

struct Drugs {
  FeatureTable table;
  std::size_t bad_smiles = 0;
  std::string described;
};

Drugs read_drugs(const std::filesystem::path& x_data, const ImproveOptions& options) {
  Drugs out;
  switch (options.drugs) {
    case ImproveDrugFeatures::Smiles: {
      SmilesDrugs drugs = read_smiles_drugs({x_data / "drug_SMILES.tsv", "improve_chem_id", "",
                                             options.morgan, options.skip_bad_smiles});
      out.table = std::move(drugs.drugs);
      out.bad_smiles = drugs.skipped.size();
      out.described = describe(options.morgan) + " from drug_SMILES.tsv";
      break;
    }
    case ImproveDrugFeatures::Ecfp4:
      out.table =
          read_feature_table(x_data / "drug_ecfp4_nbits512.tsv", {options.missing, false, ""});
      out.described = "drug_ecfp4_nbits512.tsv as given";
      break;
    case ImproveDrugFeatures::Mordred:
      out.table = read_feature_table(x_data / "drug_mordred.tsv", {options.missing, false, ""});
      out.described = "drug_mordred.tsv as given";
      break;
  }
  return out;
}

// Row ids of response.tsv, 0-based, one per line, as IMPROVE's split files hold them, mapped
// to the dataset's rows; ids of responses that were left out are dropped and counted.
std::vector<std::uint32_t> read_split_file(const std::filesystem::path& path,
                                           const std::vector<std::int64_t>& dataset_row,
                                           std::size_t& dropped) {
  TextReader reader(path);
  std::vector<std::uint32_t> rows;
  std::vector<bool> listed(dataset_row.size(), false);
  std::string line;
  while (reader.next(line)) {
    const auto given = parse_row_id(line, reader, "of response.tsv");
    if (!given) continue;
    const std::size_t id = *given;
    if (id >= dataset_row.size()) {
      reader.fail("row id " + std::to_string(id) + " is outside response.tsv's " +
                  std::to_string(dataset_row.size()) + " rows");
    }
    if (listed[id]) reader.fail("row id " + std::to_string(id) + " is listed twice");
    listed[id] = true;
    if (dataset_row[id] < 0) {
      ++dropped;
    } else {
      rows.push_back(static_cast<std::uint32_t>(dataset_row[id]));
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Every <STUDY>_split_<k>_{train,val,test}.txt and <STUDY>_all.txt in splits/, by file stem.
std::size_t read_splits(const std::filesystem::path& dir,
                        const std::vector<std::int64_t>& dataset_row, Dataset& d) {
  std::size_t dropped = 0;
  if (!std::filesystem::is_directory(dir)) return dropped;
  static const std::regex name(R"((.+_split_[0-9]+_(train|val|test)|.+_all)\.txt)");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && std::regex_match(entry.path().filename().string(), name)) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    d.row_lists[file.stem().string()] = read_split_file(file, dataset_row, dropped);
  }
  return dropped;
}

}  // namespace

std::vector<std::string> improve_omics_names() {
  std::vector<std::string> names;
  for (const auto& t : kOmicsTables) names.emplace_back(t.name);
  return names;
}

Dataset import_improve(const ImproveOptions& options) {
  require_directory(options.dir);
  const auto x_data = options.dir / "x_data";
  require_directory(x_data);
  if (options.omics.empty()) throw InputError("--omics", "", "name at least one x_data table");
  std::vector<FeatureTable> omics;
  for (const auto& name : options.omics)
    omics.push_back(read_omics(x_data, omics_table(name), options));

  Dataset d;
  d.cells = join_cells(omics);
  Drugs drugs = read_drugs(x_data, options);
  d.drugs = std::move(drugs.table);
  const auto cell_index = d.cells.row_index();
  const auto drug_index = d.drugs.row_index();

  const auto response_file = options.dir / "y_data" / "response.tsv";
  HeaderedReader in(response_file);
  const std::size_t source_column = in.column("source");
  const std::size_t cell_column = in.column(kSampleId);
  const std::size_t drug_column = in.column("improve_chem_id");
  const std::size_t y_column = in.column(options.y_column);
  const std::string y_name = "column \"" + options.y_column + "\"";
  std::unordered_map<std::string, std::uint16_t> study_index;
  std::vector<std::int64_t> dataset_row;  // per row of response.tsv; -1 when left out
  std::size_t missing_y = 0, missing_cell = 0, missing_drug = 0;
  std::vector<std::string> fields;
  while (in.next(fields)) {
    dataset_row.push_back(-1);
    if (is_missing_value(fields[y_column])) {
      ++missing_y;
      continue;
    }
    const float y = parse_number(fields[y_column], in.reader(), y_name);
    const auto cell = cell_index.find(fields[cell_column]);
    const auto drug = drug_index.find(fields[drug_column]);
    if (cell == cell_index.end() || drug == drug_index.end()) {
      ++(cell == cell_index.end() ? missing_cell : missing_drug);
      continue;
    }
    const auto [study, fresh] =
        study_index.emplace(fields[source_column], static_cast<std::uint16_t>(d.studies.size()));
    if (fresh) {
      if (d.studies.size() == UINT16_MAX) in.fail("more than 65535 studies");
      d.studies.push_back(fields[source_column]);
    }
    dataset_row.back() = static_cast<std::int64_t>(d.responses.size());
    d.responses.push_back(cell->second, drug->second, y, study->second);
  }
  if (d.responses.size() == 0) {
    throw InputError(response_file.string(), "",
                     "no responses: every row lacks " + options.y_column +
                         " or names a cell line or drug without features");
  }
  const std::size_t dropped = read_splits(options.dir / "splits", dataset_row, d);

  spdlog::info(
      "improve: kept {} of {} responses; left out {} without {}, {} whose cell line lacks an "
      "omics table, {} whose drug lacks features ({} drugs with a SMILES RDKit cannot parse); "
      "{} split files kept as row lists, {} of their rows left out with their responses",
      d.responses.size(), dataset_row.size(), missing_y, options.y_column, missing_cell,
      missing_drug, drugs.bad_smiles, d.row_lists.size(), dropped);
  std::string tables;
  for (const auto& name : options.omics) tables += (tables.empty() ? "" : ", ") + name;
  d.provenance = "IMPROVE drug-response benchmark data (CSA layout) from " +
                 std::filesystem::weakly_canonical(options.dir).filename().string() +
                 ", imported with `overseer data import improve`. Cells: " + tables +
                 " (genes by " + options.gene_system + "). Drugs: " + drugs.described +
                 ". Response: " + options.y_column + "; studies from `source`. " +
                 std::to_string(d.row_lists.size()) + " split files kept as row lists.";
  return d;
}

}  // namespace overseer::data
