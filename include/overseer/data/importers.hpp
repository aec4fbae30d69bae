#pragma once

#include <filesystem>
#include <string>

#include "overseer/data/dataset.hpp"

namespace overseer::data {

// Importers from the formats described in docs/data.md. Bad input throws InputError naming
// the file and line.

// NCI-60 in DrugCell's directory format (cell2ind, cell2mut, gene2ind, drug2ind,
// drug2fingerprint, train/val/test_DNA). Drugs are identified by SMILES; each response keeps
// the file it came from as its original part.
Dataset import_nci60(const std::filesystem::path& dir);

enum class DrugEncoding { Morgan, OneHot };
enum class TissueEncoding { OneHot, Drop };
// What a GDSC response's study is: GDSC1000 for all, or the cell line's tissue (pseudo-studies
// for a cross-study analysis within GDSC).
enum class GdscStudies { Single, ByTissue };

struct GdscOptions {
  std::filesystem::path dir;  // gdsctools' IC50 and genomic features, DeepCDR's drug list
  // Morgan bits from PubChem SMILES drop the drugs without one; one-hot keeps every drug.
  DrugEncoding drugs = DrugEncoding::Morgan;
  TissueEncoding tissue = TissueEncoding::OneHot;
  unsigned morgan_radius = 2;
  unsigned morgan_bits = 2048;
  GdscStudies studies = GdscStudies::Single;
  // ByTissue: tissues with fewer responses than this are pooled into one study, "other".
  std::size_t min_study_rows = 0;
};
Dataset import_gdsc(const GdscOptions& options);

// Long-format responses (one row per measurement) plus a cell and a drug feature table whose
// first column holds the id. Commas or tabs, with headers; .gz is read as well.
struct CsvOptions {
  std::filesystem::path responses;
  std::filesystem::path cell_features;
  std::filesystem::path drug_features;
  std::string cell_column = "cell";
  std::string drug_column = "drug";
  std::string y_column = "y";
  std::string study_column;  // empty: every row belongs to one study, "all"
};
Dataset import_csv(const CsvOptions& options);

}  // namespace overseer::data
