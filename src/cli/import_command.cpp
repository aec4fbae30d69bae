#include "overseer/cli/import_command.hpp"

#include <iostream>
#include <memory>

#include "overseer/campaign/preparation.hpp"
#include "overseer/campaign/supervisor_import.hpp"
#include "overseer/cli/input_errors.hpp"
#include "overseer/core/error.hpp"
#include "overseer/store/run_directory.hpp"

namespace overseer::cli {
namespace {

struct ImportOptions {
  std::vector<std::string> files;
  std::vector<std::string> vars;
  std::string output;
  std::string model_dir;
  std::string input_dir;
  std::string space;
  std::string name;
  std::string train_source;
  std::int64_t split = 0;
};

int import_supervisor_files(const ImportOptions& o) {
  SupervisorImportOptions options;
  for (const auto& f : o.files) options.files.emplace_back(f);
  for (const auto& v : o.vars) {
    const auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw InputError("--var", "", "expected NAME=VALUE, not \"" + v + "\"");
    }
    options.given[v.substr(0, eq)] = v.substr(eq + 1);
  }
  options.model_dir = o.model_dir;
  options.input_dir = o.input_dir;
  options.space_file = o.space;
  options.name = o.name;
  options.train_source = o.train_source;
  options.split = o.split;
  const SupervisorImport imported = import_supervisor(options);

  const std::filesystem::path out =
      o.output.empty()
          ? std::filesystem::path(imported.campaign.at("name").get<std::string>() + ".json")
          : std::filesystem::path(o.output);
  write_file_atomically(out, imported.campaign.dump(2) + "\n");
  const json& search = imported.campaign.at("search");
  std::cout << "wrote " << out.string() << ": " << search.at("algorithm").get<std::string>()
            << " search of model " << imported.campaign.at("model").at("name").get<std::string>()
            << "\n";
  if (!imported.unmapped.empty()) {
    std::cout << "not mapped (" << imported.unmapped.size() << "):\n";
    for (const auto& line : imported.unmapped) std::cout << "  " << line << "\n";
  }
  if (!imported.submit_options.empty()) {
    std::cout << "submit it with: overseer submit " << out.string() << " --site SITE";
    for (const auto& option : imported.submit_options) std::cout << " " << option;
    std::cout << "\n";
  }
  // The campaign is checked as `overseer validate` would; a mistake is reported at its field.
  const PreparedCampaign prepared = prepare_campaign(out, {});
  std::cout << out.string() << ": ok: " << *prepared.campaign.search.budget << " trials, "
            << prepared.campaign.space.parameters().size() << " searched parameters\n";
  return kExitOk;
}

}  // namespace

Subcommand add_import_command(CLI::App& app) {
  auto o = std::make_shared<ImportOptions>();
  auto* command =
      app.add_subcommand("import", "Write a campaign from another tool's configuration files");
  command->require_subcommand(1);
  auto* supervisor = command->add_subcommand(
      "supervisor",
      "A campaign from CANDLE/Supervisor cfg files (GA or mlrMBO), read without running them");
  supervisor->add_option("files", o->files, "cfg-prm file, then cfg-sys or settings files")
      ->required()
      ->check(CLI::ExistingFile);
  supervisor->add_option("-o,--output", o->output, "Campaign file to write (default: NAME.json)");
  supervisor->add_option("--model-dir", o->model_dir,
                         "The IMPROVE-curated model the trials run (inside the image for "
                         "CANDLE_MODEL_TYPE=SINGULARITY)");
  supervisor->add_option("--input-dir", o->input_dir,
                         "IMPROVE's raw data directory (x_data, y_data, splits)");
  supervisor->add_option("--train-source", o->train_source,
                         "The study whose IMPROVE split the trials train on");
  supervisor->add_option("--split", o->split, "That split's number")->check(CLI::NonNegativeNumber);
  supervisor->add_option("--space", o->space, "The JSON search space, instead of PARAM_SET_FILE");
  supervisor->add_option("--var", o->vars,
                         "NAME=VALUE, as if set in the environment (e.g. EMEWS_PROJECT_ROOT)");
  supervisor->add_option("--name", o->name, "The campaign's name (default: MODEL_NAME-ga|mlrmbo)");
  return {command,
          [o] { return exit_on_input_error([&] { return import_supervisor_files(*o); }); }};
}

}  // namespace overseer::cli
