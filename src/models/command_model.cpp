// command: an external program, in the manner of CANDLE/IMPROVE models (train.sh printing
// IMPROVE_RESULT, or writing val_scores.json), optionally inside a container. The program is
// exec'd with an argv built from a template; no hyperparameter ever passes through a shell.
#include <unistd.h>

#include <fstream>
#include <set>

#include "overseer/core/error.hpp"
#include "overseer/models/external_program.hpp"

namespace overseer {
namespace {

namespace fs = std::filesystem;

const char* const kLogName = "model.log";

// Placeholders every trial defines; any other {name} names a hyperparameter.
const std::set<std::string> kTrialPlaceholders = {
    "params_json", "run_dir", "data_dir", "device", "visible_devices", "trial_id", "seed", "image"};

enum class ResultForm { Improve, JsonFile };

// The campaign's `model.data` for this model, checked.
struct CommandSpec {
  std::vector<std::string> argv;
  fs::path data_dir;  // empty when not given
  ResultForm result = ResultForm::Improve;
  fs::path result_file;    // relative to the trial directory
  std::string result_key;  // the file's field reported as `metric`; empty: none
  std::string metric;
  ProgramOptions program;
  fs::path base_dir;
  std::set<std::string> param_placeholders;  // {names} that must be hyperparameters

  // Absolute, like every path handed to the program, since it runs in the trial directory.
  explicit CommandSpec(const Campaign& campaign)
      : base_dir(fs::absolute(campaign.base_dir.empty() ? fs::path(".") : campaign.base_dir)) {
    const JsonView data(campaign.model.data, campaign.file.string(),
                        json::json_pointer(campaign.model.data_pointer));
    if (campaign.model.data.is_null()) {
      data.fail("the command model needs model.data with at least \"argv\"");
    }
    data.only_keys({"argv", "launcher", "image", "data_dir", "result", "metric", "env", "grace_s",
                    "log_limit_mb"});
    for (const auto& element : data.at("argv").elements()) argv.push_back(element.string());
    if (argv.empty()) data.at("argv").fail("argv must name a program");
    program = read_program_options(data, campaign, base_dir);
    if (auto view = data.find("data_dir")) data_dir = absolute_path(view->string());
    read_result(data);
    metric = data.string_or(
        "metric", campaign.objective.metric.empty() ? "val_loss" : campaign.objective.metric);
    if (metric.empty()) data.at("metric").fail("must name a metric");
    for (const auto& view : data.at("argv").elements()) check_placeholders(view);
    if (auto view = data.find("launcher")) {
      for (const auto& element : view->elements()) check_placeholders(element);
    }
    if (auto view = data.find("env")) {
      for (const auto& [name, value] : view->value().items()) check_placeholders(view->at(name));
    }
    check_program(data.at("argv").at(std::size_t{0}));
  }

  // A path of the campaign's, resolved against the campaign file's directory.
  fs::path absolute_path(const std::string& text) const {
    const fs::path path(text);
    return (path.is_absolute() ? path : base_dir / path).lexically_normal();
  }

 private:
  // A program named by its path is checked now, so that a typo stops the campaign instead of
  // failing every trial. A bare name is left to the trial's PATH, which a batch job's modules
  // may change; a program inside a container is not on this file system.
  void check_program(const JsonView& where) const {
    const std::string& program_name = argv.front();
    if (!program.launcher.empty() || program_name.find('/') == std::string::npos ||
        !placeholders_in(program_name).empty()) {
      return;
    }
    const fs::path file = absolute_path(program_name);
    std::error_code error;
    if (!fs::exists(file, error)) where.fail(file.string() + ": file does not exist");
    if (fs::is_directory(file, error) || ::access(file.c_str(), X_OK) != 0) {
      where.fail(file.string() + ": not an executable file");
    }
  }

  void read_result(const JsonView& data) {
    auto view = data.find("result");
    if (!view) return;
    if (view->value().is_string()) {
      const std::string form = view->string();
      if (form == "improve") return;
      if (form != "val_scores")
        view->fail("expected \"improve\", \"val_scores\" or {\"file\": ...}");
      result = ResultForm::JsonFile;
      result_file = "val_scores.json";
      return;
    }
    view->only_keys({"file", "key"});
    result = ResultForm::JsonFile;
    result_file = view->at("file").string();
    if (result_file.empty()) view->at("file").fail("must name a file");
    result_key = view->string_or("key", "");
  }

  void check_placeholders(const JsonView& view) {
    for (const auto& name : placeholders_in(view.string())) {
      if (name == "data_dir" && data_dir.empty()) {
        view.fail("{data_dir} is used but model.data has no \"data_dir\"");
      }
      if (name == "image" && program.image.empty()) {
        view.fail("{image} is used but model.data has no \"image\"");
      }
      if (!kTrialPlaceholders.count(name)) param_placeholders.insert(name);
    }
  }
};

class CommandModel : public Model {
 public:
  explicit CommandModel(const Campaign& campaign) : spec_(campaign) {}

  void check(const json& params) const override {
    for (const auto& name : spec_.param_placeholders) {
      if (!params.contains(name)) {
        throw ParameterError(name, "model.data uses {" + name +
                                       "}, which is neither a placeholder of the command model "
                                       "nor a parameter");
      }
    }
    if (params.contains("device")) device_param(params);
  }

  Metrics evaluate(const json& params, const RunContext& context) override {
    check(params);
    const TrialWorkDir dir(context.run_dir);
    const fs::path params_file = dir.path() / "params.json";
    {
      std::ofstream out(params_file);
      out << params.dump(2) << '\n';
      if (!out) throw std::runtime_error("cannot write " + params_file.string());
    }
    // Left over from an earlier attempt, they would pass for this one's result.
    const fs::path log = dir.path() / kLogName;
    fs::remove(log);
    if (spec_.result == ResultForm::JsonFile) fs::remove(result_path(dir.path()));

    // The trial's device: the `device` parameter when there is one, else the worker's.
    const ProgramDevice device =
        program_device(params.contains("device") ? device_param(params).text : context.device);
    std::map<std::string, std::string> values = {
        {"params_json", params_file.string()},  {"run_dir", dir.path().string()},
        {"data_dir", spec_.data_dir.string()},  {"device", device.device},
        {"visible_devices", device.visible},    {"trial_id", std::to_string(context.trial)},
        {"seed", std::to_string(context.seed)}, {"image", spec_.program.image.string()},
    };
    for (const auto& name : spec_.param_placeholders) values[name] = argument_text(params.at(name));

    std::vector<std::string> command;
    for (const auto& part : spec_.program.launcher)
      command.push_back(substitute_placeholders(part, values));
    for (const auto& part : spec_.argv) command.push_back(substitute_placeholders(part, values));
    // The program runs in the trial directory; a relative path in the campaign is meant
    // relative to the campaign file, like every other path there.
    if (command[0].find('/') != std::string::npos && fs::path(command[0]).is_relative()) {
      command[0] = spec_.absolute_path(command[0]).string();
    }

    std::map<std::string, std::string> env;
    if (!spec_.data_dir.empty()) env["CANDLE_DATA_DIR"] = spec_.data_dir.string();
    env["OVERSEER_RUN_DIR"] = dir.path().string();
    env["OVERSEER_TRIAL_ID"] = std::to_string(context.trial);
    if (!device.variable.empty()) env[device.variable] = device.visible;
    for (const auto& [name, value] : spec_.program.env)
      env[name] = substitute_placeholders(value, values);

    const ProgramOutcome outcome = run_program(command, program_environment(env), dir.path(), log,
                                               spec_.program.log_limit_bytes, spec_.program.grace_s,
                                               context, /*reports=*/true);
    // Told to stop, the program may exit by itself or be ended: either way it reached `last`.
    if (outcome.stopped && outcome.last) return outcome.last->metrics;
    if (!outcome.exit) throw std::runtime_error("cancelled; the program's process group was ended");
    if (!outcome.exit->success()) {
      fail_with_log(command[0] + " failed with " + outcome.exit->describe(), log);
    }
    try {
      return read_result(dir.path(), log);
    } catch (const std::runtime_error& e) {
      fail_with_log(e.what(), log);
    }
  }

 private:
  fs::path result_path(const fs::path& dir) const {
    return spec_.result_file.is_absolute() ? spec_.result_file : dir / spec_.result_file;
  }

  Metrics read_result(const fs::path& dir, const fs::path& log) const {
    Metrics metrics;
    if (spec_.result == ResultForm::Improve) {
      std::ifstream in(log);
      const auto value = last_improve_result(in);
      if (!value) throw std::runtime_error("the program printed no IMPROVE_RESULT line");
      metrics[spec_.metric] = *value;
      return metrics;
    }
    const fs::path file = result_path(dir);
    metrics = numeric_fields(file);
    const std::string& key = spec_.result_key.empty() ? spec_.metric : spec_.result_key;
    auto it = metrics.find(key);
    if (it == metrics.end()) {
      std::string names;
      for (const auto& [name, value] : metrics) names += (names.empty() ? "" : ", ") + name;
      throw std::runtime_error(file.filename().string() + " has no number \"" + key +
                               "\"; its numbers: " + (names.empty() ? "none" : names));
    }
    metrics[spec_.metric] = it->second;
    return metrics;
  }

  CommandSpec spec_;
};

const bool registered = ModelRegistry::instance().add(
    "command", {{"val_loss"},
                [](const Campaign& campaign) { return std::make_unique<CommandModel>(campaign); },
                /*any_metric=*/true,
                /*own_data=*/true});

}  // namespace
}  // namespace overseer
