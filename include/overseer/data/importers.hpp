#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "overseer/data/dataset.hpp"
#include "overseer/data/feature_table_reader.hpp"
#include "overseer/data/smiles_drugs.hpp"

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
  MorganOptions morgan;
  GdscStudies studies = GdscStudies::Single;
  // ByTissue: tissues with fewer responses than this are pooled into one study, "other".
  std::size_t min_study_rows = 0;
};
Dataset import_gdsc(const GdscOptions& options);

// Long-format responses (one row per measurement) plus a cell and a drug feature table whose
// first column holds the id, or in place of the drug table a table of SMILES turned into
// Morgan bits. Commas or tabs, with headers; .gz is read as well.
struct CsvOptions {
  std::filesystem::path responses;
  std::filesystem::path cell_features;
  std::filesystem::path drug_features;  // empty: drug_smiles.path names the drugs
  SmilesFile drug_smiles;
  std::string cell_column = "cell";
  std::string drug_column = "drug";
  std::string y_column = "y";
  std::string study_column;  // empty: every row belongs to one study, "all"
  // The second drug of a combination (empty in a row: the drug alone); empty: no such column.
  std::string second_drug_column;
  MissingValues missing = MissingValues::Error;  // in either feature table
};
Dataset import_csv(const CsvOptions& options);

// The IMPROVE drug-response benchmark data (the cross-study "CSA" layout, docs/data.md): omics
// tables under x_data/ with their multi-line headers (or the single-line "v2" form), drugs from
// drug_SMILES.tsv through RDKit or from a descriptor table, y_data/response.tsv with the study
// of each response in `source`, and splits/ kept as the dataset's row lists.
enum class ImproveDrugFeatures { Smiles, Ecfp4, Mordred };
struct ImproveOptions {
  std::filesystem::path dir;
  // x_data tables by name, "gene_expression" for cancer_gene_expression.tsv; a cell line goes
  // in when every table has it.
  std::vector<std::string> omics = {"gene_expression"};
  // The header line that names the genes: Gene_Symbol, Entrez, Ensembl or (methylation) TSS.
  std::string gene_system = "Gene_Symbol";
  ImproveDrugFeatures drugs = ImproveDrugFeatures::Smiles;
  MorganOptions morgan;
  bool skip_bad_smiles = false;
  std::string y_column = "auc";
  MissingValues missing = MissingValues::Error;
};
Dataset import_improve(const ImproveOptions& options);

// The x_data tables import_improve knows, by name.
std::vector<std::string> improve_omics_names();

}  // namespace overseer::data
