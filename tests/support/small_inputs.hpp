#pragma once

// Tiny, valid inputs for the importers, as file name -> content, so that a test can break one
// file at a time (replace or erase an entry) and check the importer's message.

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace overseer::test {

using InputFiles = std::map<std::string, std::string>;

// DrugCell's directory format: cells A and B with genes g1 and g2, one drug (CCO), one
// response in each of train_DNA.txt, val_DNA.txt and test_DNA.txt.
InputFiles small_nci60();
// gdsctools and DeepCDR: COSMIC ids 1 and 2, drug 1 with a SMILES and drug 2 without one
// (PubCHEM "none"), three measured IC50s of which one is drug 2's.
InputFiles small_gdsc();

// `files` with file `name` replaced by `text`, or left out when there is no text.
InputFiles with_file(InputFiles files, const std::string& name, std::optional<std::string> text);

// Writes each file into `dir`, which is created if needed.
void write_files(const std::filesystem::path& dir, const InputFiles& files);

}  // namespace overseer::test
