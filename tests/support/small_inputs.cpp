#include "small_inputs.hpp"

#include "process.hpp"

namespace overseer::test {

InputFiles small_nci60() {
  return {{"cell2ind.txt", "0\tA\n1\tB\n"},    {"gene2ind.txt", "0\tg1\n1\tg2\n"},
          {"cell2mut.txt", "0,1\n1,0\n"},      {"drug2ind.txt", "0\tCCO\n"},
          {"drug2fingerprint.csv", "1,0,1\n"}, {"train_DNA.txt", "A\tCCO\t0.5\n"},
          {"val_DNA.txt", "B\tCCO\t1\n"},      {"test_DNA.txt", "A\tCCO\t2\n"}};
}

InputFiles small_gdsc() {
  return {{"genomic_features_v17.csv",
           "COSMIC_ID,TISSUE_FACTOR,MSI_FACTOR,g_mut\n"
           "1,lung,0,1\n"
           "2,skin,1,0\n"},
          {"IC50_v17.csv", "COSMIC_ID,Drug_1_IC50,Drug_2_IC50\n1,0.5,\n2,-1.5,3\n"},
          {"gdsc_drug_list.csv", "drug_id,PubCHEM\n1,702\n2,none\n"},
          {"pubchem_smiles.txt", "702\tCCO\n"}};
}

InputFiles with_file(InputFiles files, const std::string& name, std::optional<std::string> text) {
  if (text) {
    files[name] = std::move(*text);
  } else {
    files.erase(name);
  }
  return files;
}

void write_files(const std::filesystem::path& dir, const InputFiles& files) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, text] : files) {
    std::filesystem::create_directories((dir / name).parent_path());
    write_text(dir / name, text);
  }
}

}  // namespace overseer::test
