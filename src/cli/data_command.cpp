#include "overseer/cli/data_command.hpp"

#include <fstream>
#include <iostream>
#include <memory>

#include "overseer/cli/input_errors.hpp"
#include "overseer/core/error.hpp"
#include "overseer/data/data_options.hpp"
#include "overseer/data/h5_file.hpp"
#include "overseer/data/importers.hpp"
#include "overseer/data/prepared_data.hpp"
#include "overseer/data/summary.hpp"
#include "overseer/data/synthetic.hpp"

namespace overseer::cli {
namespace {

struct SplitCommandOptions {
  std::string file;
  std::string kind = "random";
  std::vector<double> fractions;
  std::uint64_t seed = 0;
  std::vector<std::string> train_sources;
  std::vector<std::string> test_sources;
};

struct DataCommandOptions {
  std::string output;
  std::string nci60_dir;
  data::GdscOptions gdsc;
  std::string gdsc_dir;
  std::string gdsc_drugs = "morgan";
  std::string gdsc_tissue = "onehot";
  std::string gdsc_studies = "single";
  data::CsvOptions csv;
  data::ImproveOptions improve;
  std::string improve_dir;
  std::string info_file;
  bool info_json = false;
  data::SynthSpec synth;
  SplitCommandOptions split;
};

// Morgan fingerprint settings of the importers that read SMILES.
void morgan_options(CLI::App* command, data::MorganOptions& morgan) {
  command->add_option("--radius", morgan.radius, "Morgan radius (2: ECFP4)")
      ->check(CLI::Range(0, 8))
      ->capture_default_str();
  command->add_option("--bits", morgan.bits, "Morgan fingerprint bits")
      ->check(CLI::Range(8, 1 << 16))
      ->capture_default_str();
}

void missing_features_option(CLI::App* command, data::MissingValues& missing) {
  command
      ->add_option("--missing-features", missing,
                   "Empty, NA or NaN features: error, mean (the column's) or zero")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, data::MissingValues>{{"error", data::MissingValues::Error},
                                                     {"mean", data::MissingValues::Mean},
                                                     {"zero", data::MissingValues::Zero}},
          CLI::ignore_case));
}

void write_and_report(const data::Dataset& dataset, const std::string& output) {
  data::write_h5(dataset, output);
  const auto summary = data::summarize(dataset);
  std::cout << output << ": " << summary.cells.rows << " cells, " << summary.drugs.rows
            << " drugs, " << summary.pairs << " pairs, " << summary.studies.size() << " studies\n";
}

// IMPROVE-style split files for programs outside Overseer: DIR/train.txt, val.txt and
// test.txt with one response row id per line, as "split": "files" reads them back.
void write_split_files(const SplitCommandOptions& o, const std::filesystem::path& dir) {
  json spec = {{"file", o.file}, {"split", o.kind}, {"split_seed", o.seed}};
  if (!o.fractions.empty()) spec["fractions"] = o.fractions;
  if (!o.train_sources.empty()) spec["train_sources"] = o.train_sources;
  if (!o.test_sources.empty()) spec["test_sources"] = o.test_sources;
  const auto options = data::parse_data_options(JsonView(spec, ""), "");
  const auto dataset = std::make_shared<const data::Dataset>(data::read_h5(options.file));
  const data::Split split = data::prepare_data(dataset, options)->split;

  std::filesystem::create_directories(dir);
  const std::pair<const char*, const std::vector<std::size_t>*> parts[] = {
      {"train.txt", &split.train}, {"val.txt", &split.val}, {"test.txt", &split.test}};
  for (const auto& [name, rows] : parts) {
    std::ofstream out(dir / name);
    for (auto row : *rows) out << row << "\n";
    if (!out.flush()) throw InputError((dir / name).string(), "", "cannot write the file");
  }
  std::cout << dir.string() << ": train " << split.train.size() << ", val " << split.val.size()
            << ", test " << split.test.size() << " rows\n";
}

}  // namespace

DataCommand add_data_command(CLI::App& app) {
  auto o = std::make_shared<DataCommandOptions>();
  auto* data = app.add_subcommand("data", "Import, inspect and generate drug-response datasets");
  data->require_subcommand(1);

  auto* import = data->add_subcommand("import", "Convert a dataset to Overseer's HDF5 format");
  import->require_subcommand(1);
  auto output_option = [&](CLI::App* command, const char* what = "HDF5 file to write") {
    command->add_option("-o,--output", o->output, what)->required();
  };

  auto* nci60 = import->add_subcommand("nci60", "NCI-60 in DrugCell format (a directory)");
  nci60->add_option("dir", o->nci60_dir, "Directory with cell2ind.txt, train_DNA.txt, ...")
      ->required();
  output_option(nci60);

  auto* gdsc = import->add_subcommand("gdsc", "GDSC1000 from gdsctools and DeepCDR (a directory)");
  gdsc->add_option("dir", o->gdsc_dir, "Directory with IC50_v17.csv.gz, ...")->required();
  gdsc->add_option("--drug-features", o->gdsc_drugs,
                   "morgan (bits from SMILES; drugs without one are skipped) or onehot")
      ->check(CLI::IsMember({"morgan", "onehot"}));
  gdsc->add_option("--tissue", o->gdsc_tissue, "onehot (columns tissue_NAME) or drop")
      ->check(CLI::IsMember({"onehot", "drop"}));
  gdsc->add_option("--study-by", o->gdsc_studies,
                   "single (one study, GDSC1000) or tissue (one study per tissue)")
      ->check(CLI::IsMember({"single", "tissue"}));
  gdsc->add_option("--min-study-rows", o->gdsc.min_study_rows,
                   "With --study-by tissue: pool tissues with fewer responses into \"other\"");
  morgan_options(gdsc, o->gdsc.morgan);
  output_option(gdsc);

  auto* csv = import->add_subcommand("csv", "Long-format responses plus feature tables (CSV/TSV)");
  csv->add_option("--responses", o->csv.responses, "One row per measurement")->required();
  csv->add_option("--cell-features", o->csv.cell_features, "First column: cell id")->required();
  auto* drug_features =
      csv->add_option("--drug-features", o->csv.drug_features, "First column: drug id");
  auto* drug_smiles =
      csv->add_option("--drug-smiles", o->csv.drug_smiles.path,
                      "In place of --drug-features: a drug id column and a SMILES column, "
                      "turned into Morgan bits with RDKit")
          ->excludes(drug_features);
  csv->add_option("--drug-id-column", o->csv.drug_smiles.id_column,
                  "With --drug-smiles: the id column (default: the first)")
      ->needs(drug_smiles);
  csv->add_option("--smiles-column", o->csv.drug_smiles.smiles_column,
                  "With --drug-smiles: the SMILES column (default: the one named like smiles)")
      ->needs(drug_smiles);
  csv->add_flag("--skip-bad-smiles", o->csv.drug_smiles.skip_bad,
                "With --drug-smiles: leave out, and count, drugs whose SMILES RDKit cannot parse")
      ->needs(drug_smiles);
  morgan_options(csv, o->csv.drug_smiles.morgan);
  csv->add_option("--cell-column", o->csv.cell_column, "Cell id column in the responses");
  csv->add_option("--drug-column", o->csv.drug_column, "Drug id column in the responses");
  csv->add_option("--y-column", o->csv.y_column, "Response column");
  csv->add_option("--study-column", o->csv.study_column, "Study column (default: one study)");
  csv->add_option("--drug2-column", o->csv.second_drug_column,
                  "Second drug of a combination (an empty field: the drug alone)");
  missing_features_option(csv, o->csv.missing);
  output_option(csv);

  auto* improve = import->add_subcommand(
      "improve", "IMPROVE benchmark data: x_data/, y_data/response.tsv and splits/ (a directory)");
  improve->add_option("dir", o->improve_dir, "Directory with x_data/, y_data/ and splits/")
      ->required();
  improve->add_option("--omics", o->improve.omics, "x_data tables for the cell lines")
      ->delimiter(',')
      ->check(CLI::IsMember(data::improve_omics_names()))
      ->capture_default_str();
  improve
      ->add_option("--gene-system", o->improve.gene_system, "The header line that names the genes")
      ->check(CLI::IsMember({"Gene_Symbol", "Entrez", "Ensembl", "TSS"}))
      ->capture_default_str();
  improve
      ->add_option("--drug-features", o->improve.drugs,
                   "smiles (drug_SMILES.tsv as Morgan bits), ecfp4 (drug_ecfp4_nbits512.tsv) or "
                   "mordred (drug_mordred.tsv)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, data::ImproveDrugFeatures>{
              {"smiles", data::ImproveDrugFeatures::Smiles},
              {"ecfp4", data::ImproveDrugFeatures::Ecfp4},
              {"mordred", data::ImproveDrugFeatures::Mordred}},
          CLI::ignore_case));
  morgan_options(improve, o->improve.morgan);
  improve->add_flag("--skip-bad-smiles", o->improve.skip_bad_smiles,
                    "Leave out, and count, drugs whose SMILES RDKit cannot parse");
  improve->add_option("--y-column", o->improve.y_column, "Response column of response.tsv")
      ->check(CLI::IsMember(
          {"auc", "ic50", "ec50", "ec50se", "r2fit", "einf", "hs", "aac1", "auc1", "dss1"}))
      ->capture_default_str();
  missing_features_option(improve, o->improve.missing);
  output_option(improve);

  auto* info = data->add_subcommand("info", "Print what a dataset holds");
  info->add_option("file", o->info_file, "Overseer HDF5 dataset")->required();
  info->add_flag("--json", o->info_json, "Print JSON");

  auto* synth = data->add_subcommand(
      "synth", "Write a synthetic dataset with latent cell and drug factors (docs/data.md)");
  data::SynthSpec& s = o->synth;
  output_option(synth);
  synth->add_option("--cells", s.cells, "Cell lines")->capture_default_str();
  synth->add_option("--drugs", s.drugs, "Drugs")->capture_default_str();
  synth->add_option("--pairs", s.pairs, "Responses: distinct (cell, drug, study) triples")
      ->capture_default_str();
  synth->add_option("--cell-features", s.cell_features, "Features per cell line")
      ->capture_default_str();
  synth->add_option("--drug-features", s.drug_features, "Features per drug")->capture_default_str();
  synth->add_option("--rank", s.rank, "Latent factors per cell line and drug")
      ->capture_default_str();
  synth->add_option("--noise", s.noise, "Response noise sd (the signal has sd about 1)")
      ->capture_default_str();
  synth->add_option("--feature-noise", s.feature_noise, "Noise sd on each feature")
      ->capture_default_str();
  synth->add_option("--studies", s.studies, "Studies the pairs are spread over")
      ->capture_default_str();
  synth
      ->add_option("--batch-effect", s.batch_effect,
                   "Per-study offset sd and log-scale sd (0: studies agree)")
      ->capture_default_str();
  synth->add_option("--seed", s.seed, "Random seed")->capture_default_str();
  synth->add_flag("--binary-drug-features", s.binary_drug_features,
                  "0/1 drug features (about 10% ones), like fingerprints");
  synth->add_flag("--combinations", s.combinations,
                  "Each response is to its drug combined with a second drug (drug pairs)");
  synth
      ->add_option("--interaction", s.interaction,
                   "Weight of a combination's interaction term (with --combinations)")
      ->capture_default_str();

  auto* split = data->add_subcommand(
      "split", "Write IMPROVE-style split files (row ids) for a split of a dataset");
  split->add_option("file", o->split.file, "Overseer HDF5 dataset")->required();
  output_option(split, "Directory for train.txt, val.txt and test.txt");
  split->add_option("--split", o->split.kind, "random, cell, drug, study or original")
      ->capture_default_str();
  split->add_option("--fractions", o->split.fractions, "Train, val and test shares")
      ->delimiter(',')
      ->expected(3);
  split->add_option("--seed", o->split.seed, "Split seed")->capture_default_str();
  split->add_option("--train-sources", o->split.train_sources, "Training studies")->delimiter(',');
  split->add_option("--test-sources", o->split.test_sources, "Test studies")->delimiter(',');

  DataCommand command;
  command.command = data;
  command.run = [o, nci60, gdsc, csv, improve, info, synth, split]() {
    return exit_on_input_error([&] {
      if (*nci60) write_and_report(data::import_nci60(o->nci60_dir), o->output);
      if (*gdsc) {
        o->gdsc.dir = o->gdsc_dir;
        o->gdsc.drugs =
            o->gdsc_drugs == "morgan" ? data::DrugEncoding::Morgan : data::DrugEncoding::OneHot;
        o->gdsc.tissue =
            o->gdsc_tissue == "onehot" ? data::TissueEncoding::OneHot : data::TissueEncoding::Drop;
        o->gdsc.studies =
            o->gdsc_studies == "tissue" ? data::GdscStudies::ByTissue : data::GdscStudies::Single;
        if (o->gdsc.studies == data::GdscStudies::Single && o->gdsc.min_study_rows > 0) {
          throw InputError("--min-study-rows", "", "needs --study-by tissue");
        }
        write_and_report(data::import_gdsc(o->gdsc), o->output);
      }
      if (*csv) {
        if (o->csv.drug_features.empty() && o->csv.drug_smiles.path.empty()) {
          throw InputError("--drug-features", "", "give --drug-features or --drug-smiles");
        }
        write_and_report(data::import_csv(o->csv), o->output);
      }
      if (*improve) {
        o->improve.dir = o->improve_dir;
        write_and_report(data::import_improve(o->improve), o->output);
      }
      if (*synth) {
        data::write_synthetic(o->synth, o->output);
        std::cout << o->output << ": " << o->synth.cells << " cells, " << o->synth.drugs
                  << " drugs, " << o->synth.pairs << " pairs, " << o->synth.studies << " studies\n";
      }
      if (*info) {
        const auto summary = data::summarize(data::read_h5(o->info_file));
        if (o->info_json) {
          std::cout << summary.to_json().dump(2) << "\n";
        } else {
          std::cout << o->info_file << "\n" << summary.to_text();
        }
      }
      if (*split) write_split_files(o->split, o->output);
      return kExitOk;
    });
  };
  return command;
}

}  // namespace overseer::cli
