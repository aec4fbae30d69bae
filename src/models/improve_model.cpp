// improve: a model curated to IMPROVE's interface, run stage by stage with IMPROVE's own flags.
// Preprocessing is made once per distinct (data, split, preprocessing parameters) and shared by
// every trial that needs it (models/preprocess_cache.hpp); each trial trains, then infers on its
// own test split and on each other study's whole data, which gives IMPROVE's cross-study table.
// Programs are exec'd with argv; no hyperparameter passes through a shell.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "overseer/core/error.hpp"
#include "overseer/core/stable_hash.hpp"
#include "overseer/models/external_program.hpp"
#include "overseer/models/preprocess_cache.hpp"

namespace overseer {
namespace {

namespace fs = std::filesystem;

const char* const kStages[] = {"preprocess", "train", "infer"};
// The split placeholders' own parameters, which select data rather than configure the model.
const std::set<std::string> kSplitParameters = {"train_sources", "split_seed", "test_sources"};
// What `launcher` and `env` may use: each stage's surroundings.
const std::set<std::string> kStagePlaceholders = {
    "image", "data_dir", "input_dir", "ml_data_dir", "run_dir", "visible_devices", "trial_id"};

// A study's name becomes part of file names (<STUDY>_all.txt, infer/<STUDY>/): it must not
// lead elsewhere, nor take the place of the trial's own test set.
void check_study_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name == "test" ||
      name.find('/') != std::string::npos) {
    throw std::invalid_argument(
        "\"" + name + "\" cannot be a study's name here: it is empty, \"test\", or a path");
  }
}

// improvelib v0.1's flags, or those of the v0.0.3 scripts.
enum class FlagSet { V01, V003 };
// <model>_<stage>_improve.py run by a Python interpreter, or <stage>.sh DEVICE DATA_DIR as a
// container's entry points are.
enum class Scripts { Python, Shell };

fs::path resolve(const fs::path& base, const std::string& text) {
  const fs::path path(text);
  return (path.is_absolute() ? path : base / path).lexically_normal();
}

// The campaign's `model.data` for this model, checked.
struct ImproveSpec {
  fs::path model_dir;  // on this file system, or inside the image when there is one
  std::string model_name;
  Scripts scripts = Scripts::Python;
  std::string python = "python3";
  FlagSet flags = FlagSet::V01;
  fs::path input_dir;  // IMPROVE's raw data (x_data, y_data, splits); empty under v0.0.3
  fs::path data_dir;   // CANDLE_DATA_DIR and IMPROVE_DATA_DIR
  fs::path config_file;
  std::string config_identity;  // what of the configuration keys preprocessing
  std::string y_col_name = "auc";
  std::string split_files[3];  // train, val, test; {placeholders} of parameters
  std::set<std::string> split_placeholders;
  json data_fields;  // train_sources, split_seed, test_sources given in model.data
  std::set<std::string> preprocess_params;
  bool infer = true;
  fs::path ml_data_dir;  // the preprocessing cache; empty: the run directory's ml_data
  std::string metric;
  ProgramOptions program;
  fs::path base_dir;

  explicit ImproveSpec(const Campaign& campaign)
      : base_dir(fs::absolute(campaign.base_dir.empty() ? fs::path(".") : campaign.base_dir)) {
    const JsonView data(campaign.model.data, campaign.file.string(),
                        json::json_pointer(campaign.model.data_pointer));
    if (campaign.model.data.is_null()) {
      data.fail("the improve model needs model.data with at least \"model_dir\" and \"input_dir\"");
    }
    data.only_keys({"model_dir",      "model_name",
                    "scripts",        "python",
                    "flags",          "input_dir",
                    "data_dir",       "config_file",
                    "y_col_name",     "train_split_file",
                    "val_split_file", "test_split_file",
                    "train_sources",  "split_seed",
                    "test_sources",   "preprocess_params",
                    "infer",          "ml_data_dir",
                    "metric",         "launcher",
                    "image",          "env",
                    "grace_s",        "log_limit_mb"});
    program = read_program_options(data, campaign, base_dir);
    check_stage_placeholders(data);
    const bool contained = !program.image.empty() || !program.launcher.empty();
    scripts = contained ? Scripts::Shell : Scripts::Python;
    if (auto view = data.find("scripts")) {
      const std::string kind = view->string();
      if (kind != "python" && kind != "shell") view->fail("expected \"python\" or \"shell\"");
      scripts = kind == "python" ? Scripts::Python : Scripts::Shell;
    }
    const std::string dir_text = data.at("model_dir").string();
    model_dir = contained ? fs::path(dir_text) : resolve(base_dir, dir_text);
    if (!contained) check_directory(data.at("model_dir"), model_dir);
    read_model_name(data, contained);
    python = data.string_or("python", python);
    if (python.empty()) data.at("python").fail("must name an interpreter");
    read_flags(data);
    read_directories(data);
    read_config(data, contained);
    y_col_name = data.string_or("y_col_name", y_col_name);
    if (y_col_name.empty()) data.at("y_col_name").fail("must name a response column");
    read_splits(data);
    if (auto view = data.find("preprocess_params")) {
      for (const auto& element : view->elements()) preprocess_params.insert(element.string());
    }
    infer = data.boolean_or("infer", infer);
    if (auto view = data.find("ml_data_dir")) ml_data_dir = resolve(base_dir, view->string());
    metric = data.string_or(
        "metric", campaign.objective.metric.empty() ? "val_loss" : campaign.objective.metric);
    if (metric.empty()) data.at("metric").fail("must name a metric");
  }

  // The program and the arguments before the flags of one stage.
  std::vector<std::string> stage_command(const std::string& stage,
                                         const std::string& visible_devices) const {
    if (scripts == Scripts::Shell) {
      return {(model_dir / (stage + ".sh")).string(), visible_devices, data_dir.string()};
    }
    return {python, (model_dir / (model_name + "_" + stage + "_improve.py")).string()};
  }

 private:
  static void check_stage_placeholders(const JsonView& data) {
    const auto check = [](const JsonView& view) {
      for (const auto& name : placeholders_in(view.string())) {
        if (!kStagePlaceholders.count(name)) {
          std::string known;
          for (const auto& k : kStagePlaceholders) known += (known.empty() ? "{" : ", {") + k + "}";
          view.fail("{" + name + "} is not a placeholder of the improve model; it has " + known);
        }
      }
    };
    if (auto view = data.find("launcher")) {
      for (const auto& element : view->elements()) check(element);
    }
    if (auto view = data.find("env")) {
      for (const auto& [name, value] : view->value().items()) check(view->at(name));
    }
  }

  static void check_directory(const JsonView& where, const fs::path& dir) {
    std::error_code error;
    if (!fs::is_directory(dir, error)) where.fail(dir.string() + ": not a directory");
  }

  static void check_file(const JsonView& where, const fs::path& file) {
    std::error_code error;
    if (!fs::is_regular_file(file, error)) where.fail(file.string() + ": file does not exist");
  }

  // <model> of <model>_train_improve.py: as given, or the one such script in model_dir. A
  // model in a container is not on this file system, so there it must be given (Python) or is
  // not needed (the shell entry points).
  void read_model_name(const JsonView& data, bool contained) {
    const std::string suffix = "_train_improve.py";
    if (auto view = data.find("model_name")) {
      model_name = view->string();
      if (model_name.empty()) view->fail("must name the model");
    } else if (scripts == Scripts::Python && !contained) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(model_dir)) {
        const std::string name = entry.path().filename().string();
        if (name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
          found.push_back(name.substr(0, name.size() - suffix.size()));
        }
      }
      if (found.size() != 1) {
        data.at("model_dir")
            .fail(model_dir.string() + " holds " + std::to_string(found.size()) + " files *" +
                  suffix + "; name the model with \"model_name\"");
      }
      model_name = found.front();
    } else if (scripts == Scripts::Python) {
      data.fail("a Python model in a container needs \"model_name\"");
    }
    if (contained) return;
    for (const char* stage : kStages) {
      const std::vector<std::string> command = stage_command(stage, "");
      const fs::path script(scripts == Scripts::Shell ? command[0] : command[1]);
      check_file(data.at("model_dir"), script);
      if (scripts == Scripts::Shell && ::access(script.c_str(), X_OK) != 0) {
        data.at("model_dir").fail(script.string() + ": not an executable file");
      }
    }
  }

  void read_flags(const JsonView& data) {
    const std::string text = data.string_or("flags", "v0.1");
    if (text == "v0.0.3") {
      flags = FlagSet::V003;
    } else if (text != "v0.1") {
      data.at("flags").fail("expected \"v0.1\" (improvelib's flags) or \"v0.0.3\"");
    }
  }

  // The raw data is on this file system: a container sees it at the same path (see
  // ImproveModel::environment).
  void read_directories(const JsonView& data) {
    if (auto view = data.find("input_dir")) {
      input_dir = resolve(base_dir, view->string());
      check_directory(*view, input_dir);
      check_file(*view, input_dir / "y_data" / "response.tsv");
    } else if (flags == FlagSet::V01) {
      data.fail(
          "the improve model needs \"input_dir\", IMPROVE's raw data directory (x_data, "
          "y_data, splits)");
    }
    if (auto view = data.find("data_dir")) {
      data_dir = resolve(base_dir, view->string());
      check_directory(*view, data_dir);
    } else if (!input_dir.empty()) {
      data_dir = input_dir;
    } else {
      data.fail("the v0.0.3 flags need \"data_dir\", the IMPROVE_DATA_DIR the model reads from");
    }
  }

  // --config_file: as given, or <model>_params.txt beside the scripts when there is one. Its
  // content keys the preprocessing cache, since its [Preprocess] section shapes the output.
  void read_config(const JsonView& data, bool contained) {
    if (auto view = data.find("config_file")) {
      if (contained) {
        config_file = view->string();
        config_identity = config_file.string();
        return;
      }
      config_file = resolve(base_dir, view->string());
      check_file(*view, config_file);
    } else if (!contained && !model_name.empty() &&
               fs::is_regular_file(model_dir / (model_name + "_params.txt"))) {
      config_file = model_dir / (model_name + "_params.txt");
    }
    if (config_file.empty()) return;
    std::ifstream in(config_file);
    std::stringstream text;
    text << in.rdbuf();
    config_identity = stable_hash_hex(text.str());
  }

  void read_splits(const JsonView& data) {
    const char* fields[] = {"train_split_file", "val_split_file", "test_split_file"};
    const char* parts[] = {"train", "val", "test"};
    for (int i = 0; i < 3; ++i) {
      split_files[i] = data.string_or(
          fields[i], std::string("{train_sources}_split_{split_seed}_") + parts[i] + ".txt");
      if (split_files[i].empty()) data.at(fields[i]).fail("must name a split file");
      for (const auto& name : placeholders_in(split_files[i])) split_placeholders.insert(name);
    }
    data_fields = json::object();
    for (const auto& name : kSplitParameters) {
      if (auto view = data.find(name)) data_fields[name] = view->value();
    }
    if (auto view = data.find("test_sources")) {
      const json& value = view->value();
      if (!(value == "*" || value.is_array())) {
        view->fail("expected \"*\" (every study of input_dir/splits) or a list of studies");
      }
      if (value.is_array()) {
        for (const auto& element : view->elements()) {
          try {
            check_study_name(element.string());
          } catch (const std::invalid_argument& e) {
            element.fail(e.what());
          }
        }
      }
      if (value == "*" && input_dir.empty()) {
        view->fail("\"*\" lists the studies of input_dir/splits, but there is no \"input_dir\"");
      }
    }
  }
};

// A value of the split placeholders: the trial's parameter, else model.data's.
std::optional<json> split_value(const json& params, const ImproveSpec& spec,
                                const std::string& name) {
  if (params.contains(name)) return params.at(name);
  if (spec.data_fields.contains(name)) return spec.data_fields.at(name);
  return std::nullopt;
}

class ImproveModel : public Model {
 public:
  explicit ImproveModel(const Campaign& campaign) : spec_(campaign), run_dir_(campaign.run_dir) {}

  void check(const json& params) const override {
    for (const auto& file : spec_.split_files) {
      for (const auto& name : placeholders_in(file)) {
        const std::optional<json> value = split_value(params, spec_, name);
        if (!value) {
          throw ParameterError(name, "the split file name \"" + file + "\" uses {" + name +
                                         "}, which is neither a parameter nor in model.data");
        }
        try {
          check_study_name(argument_text(*value));
        } catch (const std::invalid_argument& e) {
          throw ParameterError(name, e.what());
        }
      }
    }
    for (const auto& name : spec_.preprocess_params) {
      if (!params.contains(name)) {
        throw ParameterError(name, "model.data.preprocess_params names it, but it is no parameter");
      }
    }
    if (split_value(params, spec_, "test_sources") &&
        !split_value(params, spec_, "train_sources")) {
      throw ParameterError("train_sources",
                           "test_sources is given, so the training study must be known too");
    }
    if (params.contains("device")) device_param(params);
  }

  Metrics evaluate(const json& params, const RunContext& context) override {
    check(params);
    const TrialWorkDir dir(context.run_dir);
    const ProgramDevice device =
        program_device(params.contains("device") ? device_param(params).text : context.device);
    const PreprocessCache cache(!spec_.ml_data_dir.empty() ? spec_.ml_data_dir
                                : !run_dir_.empty()        ? run_dir_ / "ml_data"
                                                           : dir.path() / "ml_data");
    Stage stage{*this, dir.path(), device, cache.root(), context};

    const std::optional<json> source = split_value(params, spec_, "train_sources");
    std::vector<std::string> targets;
    if (source) targets.push_back(argument_text(*source));
    for (const auto& target : other_targets(params, targets)) targets.push_back(target);

    const fs::path own_data = preprocess(cache, stage, params, "");
    for (const char* name : {"train.log", "val_scores.json"}) fs::remove(dir.path() / name);
    const ProgramOutcome trained = stage.run("train", train_flags(params, own_data, dir.path()),
                                             dir.path() / "train.log", /*reports=*/true);
    if (trained.stopped && trained.last) return trained.last->metrics;
    Metrics metrics = read_validation(dir.path());
    if (!spec_.infer) return metrics;
    for (std::size_t i = 0; i < std::max<std::size_t>(targets.size(), 1); ++i) {
      const bool own = i == 0;
      const std::string target = targets.empty() ? "" : targets[i];
      const fs::path data = own ? own_data : preprocess(cache, stage, params, target);
      const fs::path out = dir.path() / "infer" / (own ? "test" : target);
      fs::remove_all(out);
      fs::create_directories(out);
      stage.run("infer", infer_flags(data, dir.path(), out), out / "infer.log", false);
      for (const auto& [name, value] : numeric_fields(out / "test_scores.json")) {
        if (own) metrics["test_" + name] = value;
        if (!target.empty()) metrics["test_" + name + "@" + target] = value;
      }
    }
    return metrics;
  }

 private:
  // One stage's program, run in the trial directory with the trial's device and environment.
  struct Stage {
    const ImproveModel& model;
    fs::path trial_dir;
    ProgramDevice device;
    fs::path ml_data_root;
    const RunContext& context;

    ProgramOutcome run(const std::string& name, const std::vector<std::string>& flags,
                       const fs::path& log, bool reports) const {
      const ImproveSpec& spec = model.spec_;
      const std::map<std::string, std::string> values = {
          {"image", spec.program.image.string()},
          {"data_dir", spec.data_dir.string()},
          {"input_dir", spec.input_dir.string()},
          {"ml_data_dir", ml_data_root.string()},
          {"run_dir", trial_dir.string()},
          {"visible_devices", device.visible},
          {"trial_id", std::to_string(context.trial)}};
      std::vector<std::string> command;
      for (const auto& part : spec.program.launcher) {
        command.push_back(substitute_placeholders(part, values));
      }
      const std::vector<std::string> program = spec.stage_command(name, device.visible);
      command.insert(command.end(), program.begin(), program.end());
      command.insert(command.end(), flags.begin(), flags.end());
      const std::string& script = program[spec.scripts == Scripts::Shell ? 0 : 1];
      const ProgramOutcome outcome =
          run_program(command, program_environment(environment(values)), trial_dir, log,
                      spec.program.log_limit_bytes, spec.program.grace_s, context, reports);
      if (outcome.stopped && outcome.last) return outcome;
      if (!outcome.exit) {
        throw std::runtime_error("cancelled in " + name +
                                 "; the program's process group was ended");
      }
      if (!outcome.exit->success()) {
        fail_with_log(name + ": " + script + " failed with " + outcome.exit->describe(), log);
      }
      return outcome;
    }

    std::map<std::string, std::string> environment(
        const std::map<std::string, std::string>& values) const {
      const ImproveSpec& spec = model.spec_;
      // improvelib refuses to run when the two differ.
      std::map<std::string, std::string> env = {
          {"CANDLE_DATA_DIR", spec.data_dir.string()},
          {"IMPROVE_DATA_DIR", spec.data_dir.string()},
          {"OVERSEER_RUN_DIR", trial_dir.string()},
          {"OVERSEER_TRIAL_ID", std::to_string(context.trial)}};
      if (!device.variable.empty()) env[device.variable] = device.visible;
      if (!spec.program.launcher.empty()) {
        // The stages are handed paths of this file system; Apptainer (and Singularity) mount
        // them at the same paths inside the container.
        std::string binds =
            spec.data_dir.string() + "," + ml_data_root.string() + "," + trial_dir.string();
        if (!spec.input_dir.empty()) binds += "," + spec.input_dir.string();
        for (const char* variable : {"APPTAINER_BIND", "SINGULARITY_BIND"}) {
          const char* site = std::getenv(variable);
          env[variable] =
              site != nullptr && *site != '\0' ? std::string(site) + "," + binds : binds;
        }
      }
      for (const auto& [name, value] : spec.program.env) {
        env[name] = substitute_placeholders(value, values);
      }
      return env;
    }
  };

  // The studies scored besides the training study's own test split, each on its whole data
  // (<STUDY>_all.txt), as IMPROVE's cross-study analysis does.
  std::vector<std::string> other_targets(const json& params,
                                         const std::vector<std::string>& own) const {
    const std::optional<json> given = split_value(params, spec_, "test_sources");
    std::vector<std::string> out;
    if (!given) return out;
    std::set<std::string> studies;
    if (*given == "*") {
      const std::string suffix = "_all.txt";
      const fs::path splits = spec_.input_dir / "splits";
      std::error_code error;
      for (const auto& entry : fs::directory_iterator(splits, error)) {
        const std::string name = entry.path().filename().string();
        if (name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
          studies.insert(name.substr(0, name.size() - suffix.size()));
        }
      }
      if (error) throw std::runtime_error(splits.string() + ": " + error.message());
    } else {
      const json list = given->is_array() ? *given : json::array({*given});
      for (const auto& study : list) studies.insert(argument_text(study));
    }
    for (const auto& study : studies) {
      check_study_name(study);
      if (std::find(own.begin(), own.end(), study) == own.end()) out.push_back(study);
    }
    return out;
  }

  std::string split_file(int part, const json& params) const {
    std::map<std::string, std::string> values;
    for (const auto& name : placeholders_in(spec_.split_files[part])) {
      values[name] = argument_text(*split_value(params, spec_, name));
      check_study_name(values[name]);
    }
    return substitute_placeholders(spec_.split_files[part], values);
  }

  // The preprocessed data of this trial's split, with `target`'s whole data as the test set
  // when given: made once for its inputs, whichever worker asks first.
  fs::path preprocess(const PreprocessCache& cache, const Stage& stage, const json& params,
                      const std::string& target) const {
    std::vector<std::string> splits = {
        split_file(0, params), split_file(1, params),
        target.empty() ? split_file(2, params) : target + "_all.txt"};
    json key = {{"model_dir", spec_.model_dir.string()},
                {"model_name", spec_.model_name},
                {"image", spec_.program.image.string()},
                {"flags", spec_.flags == FlagSet::V01 ? "v0.1" : "v0.0.3"},
                {"input_dir", spec_.input_dir.string()},
                {"data_dir", spec_.data_dir.string()},
                {"config", spec_.config_identity},
                {"y_col_name", spec_.y_col_name},
                {"splits", splits},
                {"inputs", input_stamps(splits)}};
    json preprocess_values = json::object();
    for (const auto& name : spec_.preprocess_params) preprocess_values[name] = params.at(name);
    key["params"] = preprocess_values;
    return cache.obtain(
        key,
        [&](const fs::path& out) {
          std::vector<std::string> flags;
          if (spec_.flags == FlagSet::V01) {
            flags = {"--input_dir", spec_.input_dir.string(), "--output_dir", out.string()};
          } else {
            flags = {"--ml_data_outdir", out.string()};
          }
          add_common_flags(flags);
          const char* names[] = {"--train_split_file", "--val_split_file", "--test_split_file"};
          for (int i = 0; i < 3; ++i) {
            flags.push_back(names[i]);
            flags.push_back(splits[i]);
          }
          for (const auto& [name, value] : preprocess_values.items()) {
            flags.push_back("--" + name);
            flags.push_back(argument_text(value));
          }
          stage.run("preprocess", flags, out / "preprocess.log", false);
        },
        [&] { return stage.context.cancelled(); });
  }

  // Sizes and modification times of the response table and the split files: data changed in
  // place is preprocessed again.
  json input_stamps(const std::vector<std::string>& splits) const {
    json stamps = json::array();
    if (spec_.input_dir.empty()) return stamps;
    std::vector<fs::path> files = {spec_.input_dir / "y_data" / "response.tsv"};
    for (const auto& split : splits) files.push_back(spec_.input_dir / "splits" / split);
    for (const auto& file : files) {
      std::error_code error;
      const auto size = fs::file_size(file, error);
      const auto time = fs::last_write_time(file, error);
      stamps.push_back(error ? json(nullptr)
                             : json::array({size, time.time_since_epoch().count()}));
    }
    return stamps;
  }

  void add_common_flags(std::vector<std::string>& flags) const {
    if (!spec_.config_file.empty()) {
      flags.push_back("--config_file");
      flags.push_back(spec_.config_file.string());
    }
    flags.push_back("--y_col_name");
    flags.push_back(spec_.y_col_name);
  }

  std::vector<std::string> train_flags(const json& params, const fs::path& data,
                                       const fs::path& out) const {
    std::vector<std::string> flags;
    if (spec_.flags == FlagSet::V01) {
      flags = {"--input_dir", data.string(), "--output_dir", out.string()};
    } else {
      flags = {"--train_ml_data_dir", data.string(),    "--val_ml_data_dir",
               data.string(),         "--model_outdir", out.string()};
    }
    add_common_flags(flags);
    for (const auto& [name, value] : params.items()) {
      if (kSplitParameters.count(name) || spec_.split_placeholders.count(name) ||
          spec_.preprocess_params.count(name) || name == "device") {
        continue;
      }
      flags.push_back("--" + name);
      flags.push_back(argument_text(value));
    }
    return flags;
  }

  std::vector<std::string> infer_flags(const fs::path& data, const fs::path& model,
                                       const fs::path& out) const {
    std::vector<std::string> flags;
    if (spec_.flags == FlagSet::V01) {
      flags = {"--input_data_dir", data.string(), "--input_model_dir",   model.string(),
               "--output_dir",     out.string(),  "--calc_infer_scores", "true"};
    } else {
      flags = {"--test_ml_data_dir", data.string(),    "--model_dir",
               model.string(),       "--infer_outdir", out.string()};
    }
    add_common_flags(flags);
    return flags;
  }

  // val_scores.json's numbers as val_<name> (val_loss as it is); the objective, when the file
  // does not give it, from the IMPROVE_RESULT line.
  Metrics read_validation(const fs::path& dir) const {
    Metrics metrics;
    const fs::path log = dir / "train.log";
    try {
      const fs::path scores = dir / "val_scores.json";
      if (fs::exists(scores)) {
        for (const auto& [name, value] : numeric_fields(scores)) {
          metrics[name.rfind("val_", 0) == 0 ? name : "val_" + name] = value;
        }
      }
      if (!metrics.count(spec_.metric)) {
        std::ifstream in(log);
        if (const auto result = last_improve_result(in)) metrics[spec_.metric] = *result;
      }
      if (!metrics.count(spec_.metric)) {
        std::string names;
        for (const auto& [name, value] : metrics) names += (names.empty() ? "" : ", ") + name;
        throw std::runtime_error("train gave no \"" + spec_.metric +
                                 "\": no IMPROVE_RESULT line, and val_scores.json's numbers "
                                 "(as val_NAME) are: " +
                                 (names.empty() ? "none" : names));
      }
    } catch (const std::runtime_error& e) {
      fail_with_log(e.what(), log);
    }
    return metrics;
  }

  ImproveSpec spec_;
  fs::path run_dir_;
};

const bool registered = ModelRegistry::instance().add(
    "improve", {{"val_loss"},
                [](const Campaign& campaign) { return std::make_unique<ImproveModel>(campaign); },
                /*any_metric=*/true,
                /*own_data=*/true});

}  // namespace
}  // namespace overseer
