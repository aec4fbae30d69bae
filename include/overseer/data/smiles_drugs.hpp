#pragma once

// Drug features computed from SMILES: Morgan bits through RDKit, for every importer that reads
// SMILES (GDSC through PubChem, the generic CSV importer, IMPROVE's drug_SMILES.tsv).

#include <filesystem>
#include <string>
#include <vector>

#include "overseer/data/dataset.hpp"

namespace overseer::data {

struct MorganOptions {
  unsigned radius = 2;  // 2: ECFP4
  unsigned bits = 2048;
};

// "Morgan bits (radius 2, 2048 bits, RDKit)", for provenance texts.
std::string describe(const MorganOptions& options);

// A drug table of Morgan bits, columns morgan_0 ... morgan_<bits-1>, one row per drug added.
class MorganTable {
 public:
  explicit MorganTable(MorganOptions options);
  // Appends the drug's row; false, appending nothing, when RDKit cannot parse the SMILES.
  bool add(const std::string& id, const std::string& smiles);
  FeatureTable take();

 private:
  MorganOptions options_;
  FeatureTable table_;
};

// Whether a column's name says it holds SMILES: it contains "smiles", in any case.
bool names_smiles(const std::string& column);

// A table of SMILES, one drug per row, with a header.
struct SmilesFile {
  std::filesystem::path path;
  std::string id_column;      // empty: the first column
  std::string smiles_column;  // empty: the one column whose name contains "smiles", in any case
  MorganOptions morgan;
  // A SMILES that RDKit cannot parse stops the import with the file, line and SMILES, or, when
  // set, leaves the drug out.
  bool skip_bad = false;
};

struct SmilesDrugs {
  FeatureTable drugs;
  std::vector<std::string> skipped;  // drugs left out for a SMILES RDKit cannot parse
};

SmilesDrugs read_smiles_drugs(const SmilesFile& file);

}  // namespace overseer::data
