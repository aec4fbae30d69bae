// Importers on the bundled real data, the HDF5 round trip, and bad input with its message.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <sstream>

#include <gtest/gtest.h>

#include "input_error.hpp"
#include "overseer/core/error.hpp"
#include "overseer/data/duplicates.hpp"
#include "overseer/data/h5_file.hpp"
#include "overseer/data/importers.hpp"
#include "overseer/data/morgan_fingerprint.hpp"
#include "overseer/data/split.hpp"
#include "overseer/data/summary.hpp"
#include "process.hpp"
#include "small_inputs.hpp"

using namespace overseer;
using namespace overseer::data;
using overseer::test::input_error;
using overseer::test::InputFiles;
using overseer::test::ScratchDir;
using overseer::test::small_gdsc;
using overseer::test::small_nci60;
using overseer::test::source_dir;
using overseer::test::with_file;
using overseer::test::write_files;
using overseer::test::write_text;

namespace {

const Dataset& nci60() {
  static const Dataset dataset = import_nci60(source_dir() / "data/nci60");
  return dataset;
}

struct CsvFiles {
  ScratchDir dir;
  CsvOptions options;
  CsvFiles(const std::string& responses, const std::string& cells, const std::string& drugs) {
    write_text(dir / "responses.csv", responses);
    write_text(dir / "cells.csv", cells);
    write_text(dir / "drugs.tsv", drugs);
    options.responses = dir / "responses.csv";
    options.cell_features = dir / "cells.csv";
    options.drug_features = dir / "drugs.tsv";
  }
  std::string error() const {
    return input_error([&] { import_csv(options); });
  }
  std::string file(const std::string& name) const { return (dir / name).string(); }
};

// A bad-input case of a directory importer: one file of valid inputs replaced (or left out,
// without text), and the message, which starts with that file's name in the directory.
struct BrokenFile {
  std::string file;
  std::optional<std::string> text;
  std::string message;
};

template <typename Import>
void expect_messages(const InputFiles& valid, const std::vector<BrokenFile>& cases, Import import) {
  for (const auto& c : cases) {
    ScratchDir dir;
    write_files(dir.path(), with_file(valid, c.file, c.text));
    EXPECT_EQ(input_error([&] { import(dir.path()); }), (dir / c.message).string());
  }
}

const char* kCells = "cell,g1,\"g2, quoted\"\nA,1,0\nB,0,1\n";
const char* kDrugs = "drug\tfp1\nX\t0.5\nY\t2\n";

}  // namespace

TEST(DataImport, Nci60CountsMatchTheDataReadme) {
  const Dataset& d = nci60();
  EXPECT_EQ(d.cells.rows(), 55u);
  EXPECT_EQ(d.cells.cols(), 2729u);
  EXPECT_EQ(d.drugs.rows(), 244u);
  EXPECT_EQ(d.drugs.cols(), 2048u);
  EXPECT_TRUE(d.cells.binary);
  EXPECT_TRUE(d.drugs.binary);
  EXPECT_EQ(d.responses.size(), 14343u);
  const auto s = summarize(d);
  EXPECT_EQ(s.original_parts, (std::array<std::size_t, 3>{8605, 2869, 2869}));
  EXPECT_EQ(s.duplicated_keys, 1232u);
  EXPECT_EQ(s.duplicate_rows, 1340u);
  EXPECT_NEAR(s.y_sd, 0.92, 0.01);
  EXPECT_EQ(d.cells.columns[0], "AADAC");
  EXPECT_EQ(d.cells.ids[1], "DU145_PROSTATE");
}

TEST(DataImport, MorganBitsFromSmilesEqualNci60Fingerprints) {
  const Dataset& d = nci60();
  std::vector<float> bits(2048);
  for (std::size_t i = 0; i < d.drugs.rows(); i += 20) {
    ASSERT_TRUE(morgan_fingerprint(d.drugs.ids[i], 2, 2048, bits.data()));
    EXPECT_TRUE(std::equal(bits.begin(), bits.end(), d.drugs.row(i))) << d.drugs.ids[i];
  }
  EXPECT_FALSE(morgan_fingerprint("C1CC(", 2, 2048, bits.data()));
}

TEST(DataImport, GdscWithMorganDrugsSkipsDrugsWithoutSmiles) {
  GdscOptions options;
  options.dir = source_dir() / "data/gdsc1000";
  const Dataset d = import_gdsc(options);
  EXPECT_EQ(d.cells.rows(), 988u);
  EXPECT_EQ(d.cells.cols(), 678u + 27u);  // MSI + 677 genomic + 27 tissues one-hot
  EXPECT_EQ(d.cells.columns.back(), "tissue_urogenital_system_other");
  EXPECT_TRUE(d.cells.binary);
  EXPECT_EQ(d.drugs.rows(), 237u);
  EXPECT_EQ(d.drugs.cols(), 2048u);
  EXPECT_EQ(d.responses.size(), 191265u);
  EXPECT_EQ(d.studies, std::vector<std::string>{"GDSC1000"});
  // Quoted commas in the CNA names stay inside one column.
  EXPECT_NE(std::find(d.cells.columns.begin(), d.cells.columns.end(),
                      "loss_cnaPANCAN38, loss_cnaPANCAN39"),
            d.cells.columns.end());
}

TEST(DataImport, GdscOneHotKeepsEveryDrugAndCanDropTissue) {
  GdscOptions options;
  options.dir = source_dir() / "data/gdsc1000";
  options.drugs = DrugEncoding::OneHot;
  options.tissue = TissueEncoding::Drop;
  const Dataset d = import_gdsc(options);
  EXPECT_EQ(d.cells.cols(), 678u);
  EXPECT_EQ(d.drugs.rows(), 265u);
  EXPECT_EQ(d.drugs.cols(), 265u);
  EXPECT_EQ(d.responses.size(), 213787u);
  const auto s = summarize(d);
  EXPECT_NEAR(s.y_mean, 2.05, 0.01);
  EXPECT_NEAR(s.y_sd, 2.71, 0.01);
  EXPECT_EQ(d.drugs.nonzeros(), 265u);
}

TEST(DataImport, CsvWithStudiesAndQuotedHeaders) {
  CsvFiles files("cell,drug,auc,source\nA,X,0.5,CCLE\nB,Y,1.5,GDSC\nA,Y,-1,CCLE\n", kCells, kDrugs);
  files.options.y_column = "auc";
  files.options.study_column = "source";
  const Dataset d = import_csv(files.options);
  EXPECT_EQ(d.cells.columns, (std::vector<std::string>{"g1", "g2, quoted"}));
  EXPECT_TRUE(d.cells.binary);
  EXPECT_FALSE(d.drugs.binary);
  EXPECT_EQ(d.studies, (std::vector<std::string>{"CCLE", "GDSC"}));
  EXPECT_EQ(d.responses.y, (std::vector<float>{0.5f, 1.5f, -1.0f}));
  EXPECT_EQ(d.responses.cell, (std::vector<std::uint32_t>{0, 1, 0}));
  EXPECT_EQ(d.responses.drug, (std::vector<std::uint32_t>{0, 1, 1}));
  EXPECT_EQ(d.responses.study, (std::vector<std::uint16_t>{0, 1, 0}));
  EXPECT_EQ(d.drugs.row(1)[0], 2.0f);
}

TEST(DataImport, CsvWithASecondDrugColumnHoldsCombinations) {
  CsvFiles files("cell,drug,partner,y\nA,X,Y,0.5\nB,Y,,1.5\nA,Y,X,2.5\n", kCells, kDrugs);
  files.options.second_drug_column = "partner";
  const Dataset d = import_csv(files.options);
  EXPECT_EQ(d.responses.drug, (std::vector<std::uint32_t>{0, 1, 1}));
  EXPECT_EQ(d.responses.drug2, (std::vector<std::uint32_t>{1, kNoSecondDrug, 0}));
  // (A, X+Y) measured twice, in both orders.
  EXPECT_EQ(group_by_key(d.responses).duplicated_keys(), 1u);
  files.options.second_drug_column = "missing";
  EXPECT_NE(files.error().find("missing"), std::string::npos) << files.error();
  CsvFiles unknown("cell,drug,partner,y\nA,X,Q,0.5\n", kCells, kDrugs);
  unknown.options.second_drug_column = "partner";
  EXPECT_NE(unknown.error().find("unknown drug \"Q\""), std::string::npos) << unknown.error();
}

TEST(DataImport, BadCsvInputNamesFileAndLine) {
  const std::string ok_responses = "cell,drug,y\nA,X,1\n";
  struct Case {
    std::string responses, cells, drugs, file, message;
  };
  const std::vector<Case> cases = {
      {ok_responses, "cell,g1\nA,1\nB\n", kDrugs, "cells.csv:3",
       "expected 2 fields like the header, found 1"},
      {"cell,drug,y\nA,X,1\nC,X,2\n", kCells, kDrugs, "responses.csv:3", "unknown cell \"C\""},
      {"cell,drug,y\nA,Z,1\n", kCells, kDrugs, "responses.csv:2", "unknown drug \"Z\""},
      {ok_responses, "cell,g1\nA,nan\n", kDrugs, "cells.csv:2",
       "column \"g1\": missing value \"nan\" (--missing-features mean or zero fills missing "
       "values)"},
      {ok_responses, "cell,g1\nA,0.1x\n", kDrugs, "cells.csv:2",
       "column \"g1\": \"0.1x\" is not a number"},
      {"cell,drug,y\nA,X,\n", kCells, kDrugs, "responses.csv:2",
       "column \"y\": empty value where a number is expected"},
      {"cell,drug,ic50\nA,X,1\n", kCells, kDrugs, "responses.csv:1",
       "no column \"y\" (columns: cell, drug, ic50)"},
      {ok_responses, "cell,g1\nA,1\nA,0\n", kDrugs, "cells.csv:3", "id \"A\" appears twice"},
      {ok_responses, "cell,\"g1\nA,1\n", kDrugs, "cells.csv:1", "unterminated quoted field"},
      {ok_responses, "", kDrugs, "cells.csv", "empty file: expected a header line"},
      {ok_responses, "cell,g1\nA,-inf\n", kDrugs, "cells.csv:2",
       "column \"g1\": \"-inf\" is not a finite number"},
      {ok_responses, kCells, "drug\tfp1\nX\tNaN\n", "drugs.tsv:2",
       "column \"fp1\": missing value \"NaN\" (--missing-features mean or zero fills missing "
       "values)"},
      {ok_responses, "cell,g1\nA,1e39\n", kDrugs, "cells.csv:2",
       "column \"g1\": \"1e39\" is out of range for a 32-bit float"},
      {"cell,drug,y\nA,X,1,2\n", kCells, kDrugs, "responses.csv:2",
       "expected 3 fields like the header, found 4"},
      {"cell,drug,y\nA,X,inf\n", kCells, kDrugs, "responses.csv:2",
       "column \"y\": \"inf\" is not a finite number"},
      {"cell,drug,y\n\n", kCells, kDrugs, "responses.csv",
       "no responses: the file has a header but no rows"},
  };
  for (const auto& c : cases) {
    CsvFiles files(c.responses, c.cells, c.drugs);
    const std::string expected = files.file(c.file) + ": " + c.message;
    EXPECT_EQ(files.error().substr(0, expected.size()), expected);
  }
  CsvFiles files(ok_responses, kCells, kDrugs);
  files.options.drug_features = files.dir / "missing.tsv";
  EXPECT_EQ(files.error(), files.file("missing.tsv") + ": file does not exist");
}

// Drug rows of the bundled NCI-60, whose ids are their SMILES, as a SMILES table with a name
// column before the SMILES, and responses naming them.
struct SmilesCsv {
  CsvFiles files;
  explicit SmilesCsv(const std::string& extra_drugs = "")
      : files(responses(), kCells, drugs_table(extra_drugs)) {
    files.options.drug_features.clear();
    files.options.drug_smiles.path = files.dir / "drugs.tsv";
  }
  static std::string drugs_table(const std::string& extra) {
    std::string text = "drug_id\tname\tcanSMILES\n";
    for (std::size_t i = 0; i < 3; ++i) {
      text += "D" + std::to_string(i) + "\tname" + std::to_string(i) + "\t" +
              nci60().drugs.ids[i * 50] + "\n";
    }
    return text + extra;
  }
  static std::string responses() {
    return "cell,drug,y\nA,D0,1\nB,D2,2\nA,D1,3\nA,BAD,4\nB,BAD,5\n";
  }
};

TEST(DataImport, CsvDrugsFromSmilesAreMorganBitsAsRdkitComputesThem) {
  SmilesCsv smiles("BAD\tbroken\tC1CC(\n");
  EXPECT_EQ(smiles.files.error(), smiles.files.file("drugs.tsv") +
                                      ":5: drug \"BAD\": RDKit cannot parse the SMILES "
                                      "\"C1CC(\" (--skip-bad-smiles leaves such drugs out)");

  smiles.files.options.drug_smiles.skip_bad = true;
  const Dataset d = import_csv(smiles.files.options);
  EXPECT_EQ(d.drugs.ids, (std::vector<std::string>{"D0", "D1", "D2"}));
  ASSERT_EQ(d.drugs.cols(), 2048u);
  EXPECT_EQ(d.drugs.columns[7], "morgan_7");
  EXPECT_TRUE(d.drugs.binary);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(std::equal(d.drugs.row(i), d.drugs.row(i) + 2048, nci60().drugs.row(i * 50)));
  }
  // The two responses of the drug left out are left out with it.
  EXPECT_EQ(d.responses.y, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(d.responses.drug, (std::vector<std::uint32_t>{0, 2, 1}));
  EXPECT_NE(d.provenance.find("Morgan bits (radius 2, 2048 bits, RDKit)"), std::string::npos);

  smiles.files.options.drug_smiles.morgan = {3, 512};
  smiles.files.options.drug_smiles.smiles_column = "canSMILES";
  smiles.files.options.drug_smiles.id_column = "name";
  write_text(smiles.files.dir / "responses.csv", "cell,drug,y\nA,name1,1\n");
  const Dataset named = import_csv(smiles.files.options);
  EXPECT_EQ(named.drugs.cols(), 512u);
  EXPECT_EQ(named.drugs.ids.front(), "name0");
}

TEST(DataImport, BadSmilesInputNamesFileLineAndColumn) {
  SmilesCsv empty("BAD\tbroken\t\n");
  EXPECT_EQ(empty.files.error(), empty.files.file("drugs.tsv") +
                                     ":5: drug \"BAD\": empty SMILES (--skip-bad-smiles leaves "
                                     "such drugs out)");
  SmilesCsv unknown;
  EXPECT_EQ(unknown.files.error(), unknown.files.file("responses.csv") +
                                       ":5: unknown drug \"BAD\" (not in " +
                                       unknown.files.file("drugs.tsv") + ")");
  SmilesCsv twice("D1\tagain\tCCO\n");
  EXPECT_EQ(twice.files.error(), twice.files.file("drugs.tsv") + ":5: drug \"D1\" appears twice");

  CsvFiles two_columns(SmilesCsv::responses(), kCells, "drug\tsmiles\tiso_smiles\nD0\tC\tC\n");
  two_columns.options.drug_features.clear();
  two_columns.options.drug_smiles.path = two_columns.dir / "drugs.tsv";
  EXPECT_EQ(two_columns.error(),
            two_columns.file("drugs.tsv") +
                ":1: more than one column named like \"smiles\" (columns: drug, smiles, "
                "iso_smiles); name it with --smiles-column");

  // SMILES handed over as numeric features: the message says where they go.
  SmilesCsv as_features;
  as_features.files.options.drug_features = as_features.files.dir / "drugs.tsv";
  const std::string expected =
      as_features.files.file("drugs.tsv") + ":2: column \"name\": \"name0\" is not a number";
  EXPECT_EQ(as_features.files.error(), expected);
  CsvFiles smiles_only(SmilesCsv::responses(), kCells, "drug,SMILES\nD0,CCO\n");
  EXPECT_EQ(smiles_only.error(),
            smiles_only.file("drugs.tsv") +
                ":2: column \"SMILES\": \"CCO\" is not a number; SMILES go in with "
                "--drug-smiles drugs.tsv");
}

TEST(DataImport, CsvReadsAByteOrderMarkAndValuesTooSmallForAFloat) {
  // Spreadsheets save UTF-8 with a byte order mark; a p-value of 1e-50 is a float's 0.
  CsvFiles files(
      "\xEF\xBB\xBF"
      "cell,drug,y\nA,X,1e-50\n",
      "\xEF\xBB\xBF"
      "cell,g1\nA,-1e-60\n",
      kDrugs);
  const Dataset d = import_csv(files.options);
  EXPECT_EQ(d.cells.columns, std::vector<std::string>{"g1"});
  EXPECT_EQ(d.cells.values, std::vector<float>{0.0f});
  EXPECT_EQ(d.responses.y, std::vector<float>{0.0f});
}

TEST(DataImport, BadNci60InputNamesFileAndLine) {
  const std::vector<BrokenFile> cases = {
      {"cell2mut.txt", "0,1\n1,nan\n",
       "cell2mut.txt:2: column \"g2\": \"nan\" is not a finite number"},
      {"cell2mut.txt", "0,1\n1\n", "cell2mut.txt:2: expected 2 values, found 1"},
      {"cell2mut.txt", "0,1\n", "cell2mut.txt:1: expected 2 rows (one per index entry), found 1"},
      {"drug2fingerprint.csv", "1,inf,1\n",
       "drug2fingerprint.csv:1: column \"morgan_1\": \"inf\" is not a finite number"},
      {"cell2ind.txt", "0\tA\n0\tB\n", "cell2ind.txt:2: index 0 appears twice"},
      {"cell2ind.txt", "0\tA\n1\tA\n", "cell2ind.txt:2: \"A\" appears twice (also index 0)"},
      {"gene2ind.txt", "0\tg1\n2\tg2\n", "gene2ind.txt:2: index 1 is missing"},
      {"drug2ind.txt", "0 CCO\n", "drug2ind.txt:1: expected \"index<TAB>name\", found 1 field(s)"},
      {"train_DNA.txt", "A\tCCO\n",
       "train_DNA.txt:1: expected \"cell<TAB>SMILES<TAB>response\", found 2 field(s)"},
      {"val_DNA.txt", "B\tCCO\t1\nC\tCCO\t1\n", "val_DNA.txt:2: unknown cell line \"C\""},
      {"test_DNA.txt", "A\tCCN\t2\n", "test_DNA.txt:1: unknown drug (SMILES) \"CCN\""},
      {"test_DNA.txt", "A\tCCO\tNaN\n", "test_DNA.txt:1: response: \"NaN\" is not a finite number"},
      {"val_DNA.txt", std::nullopt, "val_DNA.txt: file does not exist"},
  };
  expect_messages(small_nci60(), cases,
                  [](const std::filesystem::path& dir) { import_nci60(dir); });

  ScratchDir dir;
  InputFiles files = small_nci60();
  files["train_DNA.txt"] = files["val_DNA.txt"] = files["test_DNA.txt"] = "\n";
  write_files(dir.path(), files);
  EXPECT_EQ(
      input_error([&] { import_nci60(dir.path()); }),
      dir.path().string() + ": train_DNA.txt, val_DNA.txt and test_DNA.txt hold no responses");
}

TEST(DataImport, GdscSkipsDrugsWithoutSmilesAndRejectsBadInput) {
  ScratchDir ok;
  write_files(ok.path(), small_gdsc());
  GdscOptions options;
  options.dir = ok.path();
  const Dataset d = import_gdsc(options);
  EXPECT_EQ(d.cells.columns,
            (std::vector<std::string>{"MSI_FACTOR", "g_mut", "tissue_lung", "tissue_skin"}));
  EXPECT_EQ(d.drugs.ids, std::vector<std::string>{"1"});  // drug 2 has no SMILES
  EXPECT_EQ(d.responses.y, (std::vector<float>{0.5f, -1.5f}));

  const std::string genomic = "genomic_features_v17.csv", ic50 = "IC50_v17.csv";
  const std::vector<BrokenFile> cases = {
      {genomic, "COSMIC_ID,TISSUE_FACTOR,MSI_FACTOR,g_mut\n1,lung,0,1\n2,skin,nan,0\n",
       genomic + ":3: column \"MSI_FACTOR\": \"nan\" is not a finite number"},
      {genomic, "COSMIC_ID,TISSUE_FACTOR,MSI_FACTOR,g_mut\n1,lung,0,1\n2,skin,1\n",
       genomic + ":3: expected 4 fields like the header, found 3"},
      {genomic, "COSMIC_ID,TISSUE_FACTOR,MSI_FACTOR,g_mut\n1,lung,0,1\n1,skin,1,0\n",
       genomic + ":3: COSMIC_ID 1 appears twice"},
      {genomic, "COSMIC_ID,MSI_FACTOR,g_mut\n1,0,1\n",
       genomic + ":1: no column \"TISSUE_FACTOR\" (columns: COSMIC_ID, MSI_FACTOR, g_mut)"},
      {ic50, "COSMIC_ID,Drug_1_IC50\n1,0.5\n3,1\n",
       ic50 + ":3: COSMIC_ID 3 has no genomic features"},
      {ic50, "COSMIC_ID,Drug_1_IC50\n1,inf\n",
       ic50 + ":2: column \"Drug_1_IC50\": \"inf\" is not a finite number"},
      {ic50, "COSMIC_ID,Drug_1_IC50,Drug_1_IC50\n1,0.5,0.6\n",
       ic50 + ":1: column \"Drug_1_IC50\": drug 1 appears twice"},
      {ic50, "COSMIC_ID,Drug_1_IC50,Drug_2_IC50\n1,,\n2,,3\n",
       ic50 + ": no responses (every IC50 is empty or belongs to a drug without a SMILES)"},
      {ic50, std::nullopt, ic50 + ": file does not exist (nor " + ic50 + ".gz)"},
      {"pubchem_smiles.txt", "702 CCO\n", "pubchem_smiles.txt:1: expected \"CID<TAB>SMILES\""},
  };
  expect_messages(small_gdsc(), cases, [&](const std::filesystem::path& dir) {
    options.dir = dir;
    import_gdsc(options);
  });
}

TEST(DataH5, RoundTripKeepsEveryTable) {
  ScratchDir dir;
  Dataset d = nci60();
  d.studies.push_back("other");
  d.responses.study[5] = 1;
  write_h5(d, dir / "x.h5");
  const Dataset back = read_h5(dir / "x.h5");
  EXPECT_EQ(back.cells.ids, d.cells.ids);
  EXPECT_EQ(back.cells.columns, d.cells.columns);
  EXPECT_EQ(back.cells.values, d.cells.values);
  EXPECT_EQ(back.drugs.ids, d.drugs.ids);
  EXPECT_EQ(back.drugs.values, d.drugs.values);
  EXPECT_TRUE(back.drugs.binary);
  EXPECT_EQ(back.responses.cell, d.responses.cell);
  EXPECT_EQ(back.responses.drug, d.responses.drug);
  EXPECT_EQ(back.responses.y, d.responses.y);
  EXPECT_EQ(back.responses.study, d.responses.study);
  EXPECT_EQ(back.responses.original_part, d.responses.original_part);
  EXPECT_EQ(back.studies, d.studies);
  EXPECT_EQ(back.provenance, d.provenance);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.h5.partial"));
}

TEST(DataH5, BundledFileEqualsAFreshImport) {
  const Dataset bundled = read_h5(source_dir() / "data/nci60.h5");
  EXPECT_EQ(bundled.cells.values, nci60().cells.values);
  EXPECT_EQ(bundled.drugs.ids, nci60().drugs.ids);
  EXPECT_EQ(bundled.responses.y, nci60().responses.y);
  EXPECT_EQ(bundled.responses.original_part, nci60().responses.original_part);
}

TEST(DataH5, BadFilesNameTheDataset) {
  ScratchDir dir;
  const std::string file = (dir / "x.h5").string();
  EXPECT_EQ(input_error([&] { read_h5(dir / "x.h5"); }), file + ": file does not exist");
  write_text(dir / "x.h5", "cell,drug\n");
  EXPECT_EQ(input_error([&] { read_h5(dir / "x.h5"); }), file + ": not an HDF5 file");

  Dataset d;
  d.cells = {{"A"}, {"g"}, {std::nanf("")}, false};
  d.drugs = {{"X"}, {"f"}, {1.0f}, true};
  d.studies = {"s"};
  d.responses.push_back(0, 0, 1.0f, 0);
  write_h5(d, dir / "x.h5");
  EXPECT_EQ(input_error([&] { read_h5(dir / "x.h5"); }),
            file + ": /cells/features: row 0 (\"A\"), column \"g\": not a finite number");
  d.cells.values = {0.0f};
  d.responses.push_back(0, 3, 1.0f, 0);
  write_h5(d, dir / "x.h5");
  EXPECT_EQ(input_error([&] { read_h5(dir / "x.h5"); }),
            file + ": /responses/drug: row 1: index 3 is outside the 1 drugs");
  EXPECT_EQ(input_error([&] { write_h5(d, dir / "missing-dir" / "x.h5"); }),
            (dir / "missing-dir" / "x.h5").string() +
                ": cannot write the file (is its directory missing or read-only?)");
}

TEST(DataDuplicates, AveragesWithinAStudyOnly) {
  Responses r;
  r.push_back(0, 0, 1.0f, 0, kTrainPart);
  r.push_back(1, 0, 5.0f, 0, kTrainPart);
  r.push_back(0, 0, 3.0f, 0, kTestPart);
  r.push_back(0, 0, 7.0f, 1, kValPart);
  const KeyGroups groups = group_by_key(r);
  EXPECT_EQ(groups.groups(), 3u);
  EXPECT_EQ(groups.duplicated_keys(), 1u);
  const Responses merged = average_duplicates(r, groups);
  EXPECT_EQ(merged.y, (std::vector<float>{2.0f, 5.0f, 7.0f}));
  EXPECT_EQ(merged.study, (std::vector<std::uint16_t>{0, 0, 1}));
  EXPECT_EQ(merged.original_part, (std::vector<std::int8_t>{kTrainPart, kTrainPart, kValPart}));

  const Responses nci60_merged =
      average_duplicates(nci60().responses, group_by_key(nci60().responses));
  EXPECT_EQ(nci60_merged.size(), 13003u);
}

namespace {

const std::filesystem::path kImproveFixture = source_dir() / "tests/data/improve/csa";

// The fixture tree as files, relative to its root, for cases that break one of them.
InputFiles improve_fixture() {
  InputFiles files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kImproveFixture)) {
    if (entry.is_regular_file()) {
      files[std::filesystem::relative(entry.path(), kImproveFixture).string()] =
          overseer::test::read_text(entry.path());
    }
  }
  return files;
}

// A tab-separated file's lines split into fields, CR dropped.
std::vector<std::vector<std::string>> read_tsv(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(overseer::test::read_text(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> fields;
    std::istringstream fields_in(line);
    for (std::string field; std::getline(fields_in, field, '\t');) fields.push_back(field);
    if (!line.empty() && line.back() == '\t') fields.emplace_back();
    rows.push_back(std::move(fields));
  }
  return rows;
}

ImproveOptions improve_options() {
  ImproveOptions options;
  options.dir = kImproveFixture;
  return options;
}

}  // namespace

TEST(DataImport, ImproveResponsesAndSplitsFollowResponseTsvRowByRow) {
  Dataset d = import_improve(improve_options());
  const auto response = read_tsv(kImproveFixture / "y_data/response.tsv");
  ASSERT_EQ(response[0][4], "auc");
  // Every row of response.tsv with an auc is a response (every fixture cell line has gene
  // expression and every drug a SMILES RDKit parses), in file order.
  std::vector<std::size_t> kept;
  for (std::size_t i = 1; i < response.size(); ++i) {
    const auto& r = response[i];
    if (r[4].empty()) continue;
    const auto cell = std::find(d.cells.ids.begin(), d.cells.ids.end(), r[1]);
    if (cell == d.cells.ids.end()) continue;
    kept.push_back(i - 1);
    const std::size_t row = kept.size() - 1;
    ASSERT_LT(row, d.responses.size());
    EXPECT_EQ(d.cells.ids[d.responses.cell[row]], r[1]);
    EXPECT_EQ(d.drugs.ids[d.responses.drug[row]], r[2]);
    EXPECT_EQ(d.studies[d.responses.study[row]], r[0]);
    EXPECT_FLOAT_EQ(d.responses.y[row], std::stof(r[4]));
  }
  EXPECT_EQ(d.responses.size(), kept.size());
  EXPECT_EQ(d.studies, (std::vector<std::string>{"CCLE", "gCSI", "GDSCv1"}));

  // A split file's row ids are rows of response.tsv: each maps to the response of that row.
  ASSERT_EQ(d.row_lists.size(), 30u);
  for (const std::string name : {"CCLE_split_0_train", "gCSI_split_2_test", "GDSCv1_all"}) {
    std::vector<std::uint32_t> expected;
    for (const auto& line : read_tsv(kImproveFixture / "splits" / (name + ".txt"))) {
      const auto at = std::find(kept.begin(), kept.end(), std::stoul(line.at(0)));
      if (at != kept.end()) expected.push_back(static_cast<std::uint32_t>(at - kept.begin()));
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(d.row_lists.at(name), expected) << name;
    EXPECT_GT(expected.size(), 20u);
  }
  for (const auto row : d.row_lists.at("GDSCv1_all")) {
    EXPECT_EQ(d.studies[d.responses.study[row]], "GDSCv1");
  }

  ScratchDir dir;
  write_h5(d, dir / "x.h5");
  EXPECT_EQ(read_h5(dir / "x.h5").row_lists, d.row_lists);
  // Trained on CCLE's split 1, tested on gCSI's _all, then on every study at once.
  auto improve_split = [&](std::vector<std::string> test_sources) {
    SplitSpec spec;
    spec.kind = SplitKind::Improve;
    spec.train_sources = {"CCLE"};
    spec.seed = 1;
    spec.test_sources = std::move(test_sources);
    spec.origin_file = "c.json";
    spec.origin_pointer = "/model/data";
    return make_split(d.responses, d.studies, spec, {}, d.responses.size(), d.row_lists);
  };
  const auto rows = [&](const std::string& name) { return d.row_lists.at(name).size(); };
  Split split = improve_split({"gCSI"});
  EXPECT_EQ(split.test.size(), rows("gCSI_all"));
  EXPECT_EQ(split.train.size(), rows("CCLE_split_1_train"));
  EXPECT_EQ(split.val.size(), rows("CCLE_split_1_val"));
  EXPECT_EQ(improve_split({}).test.size(), rows("CCLE_split_1_test"));
  split = improve_split({"*"});
  EXPECT_EQ(split.test.size(), rows("CCLE_split_1_test") + rows("gCSI_all") + rows("GDSCv1_all"));
  std::vector<std::size_t> own(d.row_lists.at("CCLE_split_1_test").begin(),
                               d.row_lists.at("CCLE_split_1_test").end());
  EXPECT_TRUE(std::includes(split.test.begin(), split.test.end(), own.begin(), own.end()));

  EXPECT_EQ(input_error([&] { improve_split({"CTRPv2"}); }),
            "c.json: /model/data/test_sources/0: unknown study \"CTRPv2\"; the dataset has: CCLE, "
            "gCSI, GDSCv1");
  d.row_lists.erase("gCSI_all");
  EXPECT_EQ(input_error([&] { improve_split({"*"}); }),
            "c.json: /model/data/split: the dataset has no row list \"gCSI_all\" (it has: "
            "CCLE_all, CCLE_split_0_test, CCLE_split_0_train, CCLE_split_0_val, CCLE_split_1_test, "
            "CCLE_split_1_train, ... (29 in all; `overseer data info` lists them))");
}

TEST(DataImport, ImproveOmicsTablesJoinByCellAndNameGenesByTheChosenHeaderLine) {
  ImproveOptions options = improve_options();
  options.omics = {"gene_expression", "DNA_methylation", "miRNA_expression", "RPPA"};
  // Methylation has empty values: an error unless they are filled.
  EXPECT_EQ(input_error([&] { import_improve(options); }),
            (kImproveFixture / "x_data/cancer_DNA_methylation.tsv").string() +
                ":9: column \"ACACA\": missing value (--missing-features mean or zero fills "
                "missing values)");
  options.missing = MissingValues::Mean;
  const Dataset d = import_improve(options);
  // Methylation lacks two cell lines: the join keeps the 34 that every table has.
  EXPECT_EQ(d.cells.rows(), 34u);
  ASSERT_EQ(d.cells.cols(), 24u + 24u + 6u + 2u);
  EXPECT_EQ(d.cells.columns[0], "gene_expression:ABCB1");
  EXPECT_EQ(d.cells.columns[24], "DNA_methylation:ABCB1");
  EXPECT_EQ(d.cells.columns[48], "miRNA_expression:hsa-mir-100");
  EXPECT_EQ(d.cells.columns.back(), "RPPA:EGFR_pY1068");

  const auto expression = read_tsv(kImproveFixture / "x_data/cancer_gene_expression.tsv");
  ASSERT_EQ(expression[4][0], d.cells.ids[0]);
  EXPECT_FLOAT_EQ(d.cells.row(0)[5], std::stof(expression[4][6]));
  // An empty methylation value becomes its column's mean over the cell lines that have it.
  const auto methylation = read_tsv(kImproveFixture / "x_data/cancer_DNA_methylation.tsv");
  const std::size_t column = 6, cell_row = 5 + 7;
  ASSERT_EQ(methylation[cell_row][column], "");
  double sum = 0;
  int n = 0;
  for (std::size_t r = 5; r < methylation.size(); ++r) {
    if (!methylation[r][column].empty()) sum += std::stod(methylation[r][column]), ++n;
  }
  const auto cell = std::find(d.cells.ids.begin(), d.cells.ids.end(), methylation[cell_row][0]);
  ASSERT_NE(cell, d.cells.ids.end());
  EXPECT_NEAR(d.cells.row(static_cast<std::size_t>(cell - d.cells.ids.begin()))[24 + column - 1],
              sum / n, 1e-5);

  options.omics = {"copy_number"};
  options.gene_system = "Entrez";
  EXPECT_EQ(import_improve(options).cells.columns[0], "copy_number:9000");
  options.gene_system = "TSS";
  EXPECT_EQ(input_error([&] { import_improve(options); }),
            (kImproveFixture / "x_data/cancer_copy_number.tsv").string() +
                ": no header line for --gene-system TSS (this table names its genes by Entrez, "
                "Gene_Symbol, Ensembl)");
}

TEST(DataImport, ImproveEcfp4TableEqualsMorganBitsOfItsSmiles) {
  ImproveOptions options = improve_options();
  options.drugs = ImproveDrugFeatures::Ecfp4;
  const Dataset given = import_improve(options);
  options.drugs = ImproveDrugFeatures::Smiles;
  options.morgan = {2, 512};
  const Dataset computed = import_improve(options);
  EXPECT_EQ(given.drugs.ids, computed.drugs.ids);
  EXPECT_EQ(given.drugs.values, computed.drugs.values);
  EXPECT_TRUE(given.drugs.binary);

  options.drugs = ImproveDrugFeatures::Mordred;
  options.missing = MissingValues::Zero;
  const Dataset mordred = import_improve(options);
  EXPECT_EQ(mordred.drugs.cols(), 7u);
  EXPECT_FALSE(mordred.drugs.binary);
}

TEST(DataImport, ImproveSingleHeaderTablesAndBadInputNameTheFile) {
  InputFiles v2 = improve_fixture();
  // The "v2" form: one header line of gene symbols.
  auto expression = read_tsv(kImproveFixture / "x_data/cancer_gene_expression.tsv");
  std::string single = "improve_sample_id";
  for (std::size_t j = 1; j < expression[2].size(); ++j) single += "\t" + expression[2][j];
  single += "\n";
  for (std::size_t r = 4; r < expression.size(); ++r) {
    for (std::size_t j = 0; j < expression[r].size(); ++j)
      single += (j ? "\t" : "") + expression[r][j];
    single += "\n";
  }
  v2["x_data/cancer_gene_expression.tsv"] = single;
  ScratchDir dir;
  write_files(dir.path(), v2);
  ImproveOptions options = improve_options();
  options.dir = dir.path();
  const Dataset d = import_improve(options);
  const Dataset reference = import_improve(improve_options());
  EXPECT_EQ(d.cells.columns, reference.cells.columns);
  EXPECT_EQ(d.cells.values, reference.cells.values);

  const std::string response = "y_data/response.tsv";
  const std::vector<BrokenFile> cases = {
      {response, std::nullopt, response + ": file does not exist"},
      {response, "source\timprove_sample_id\timprove_chem_id\tic50\r\n",
       response + ":1: no column \"auc\" (columns: source, improve_sample_id, improve_chem_id, "
                  "ic50)"},
      {"splits/CCLE_all.txt", "0\r\nx\r\n",
       "splits/CCLE_all.txt:2: \"x\" is not a row id of response.tsv"},
      {"splits/CCLE_all.txt", "5000\r\n",
       "splits/CCLE_all.txt:1: row id 5000 is outside response.tsv's 899 rows"},
      {"splits/CCLE_all.txt", "3\r\n3\r\n", "splits/CCLE_all.txt:2: row id 3 is listed twice"},
      {"x_data/drug_SMILES.tsv", "improve_chem_id\tcanSMILES\nDrug_1\tC1CC(\n",
       "x_data/drug_SMILES.tsv:2: drug \"Drug_1\": RDKit cannot parse the SMILES \"C1CC(\" "
       "(--skip-bad-smiles leaves such drugs out)"},
      {"x_data/cancer_gene_expression.tsv", std::nullopt,
       "x_data/cancer_gene_expression.tsv: file does not exist"},
  };
  expect_messages(improve_fixture(), cases, [&](const std::filesystem::path& root) {
    options.dir = root;
    import_improve(options);
  });
}
