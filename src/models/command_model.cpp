// command: an external program, in the manner of CANDLE/IMPROVE models (train.sh printing
// IMPROVE_RESULT, or writing val_scores.json), optionally inside a container. The program is
// exec'd with an argv built from a template; no hyperparameter ever passes through a shell.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "overseer/core/error.hpp"
#include "overseer/models/child_process.hpp"
#include "overseer/models/external_result.hpp"
#include "overseer/models/model.hpp"

extern char** environ;

namespace overseer {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kLogTailBytes = 2000;
const char* const kLogName = "model.log";

// {name}: a placeholder. Braces around anything else (JSON, `{}`) are left alone.
const std::regex kPlaceholder(R"(\{([A-Za-z0-9_.-]+)\})");

// Placeholders every trial defines; any other {name} names a hyperparameter.
const std::set<std::string> kTrialPlaceholders = {
    "params_json", "run_dir", "data_dir", "device", "visible_devices", "trial_id", "seed", "image"};

std::vector<std::string> placeholders_in(const std::string& text) {
  std::vector<std::string> names;
  for (std::sregex_iterator it(text.begin(), text.end(), kPlaceholder), end; it != end; ++it) {
    names.push_back((*it)[1]);
  }
  return names;
}

// A hyperparameter as one argv element: strings verbatim, numbers and the rest as JSON.
std::string param_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

enum class ResultForm { Improve, JsonFile };

// The campaign's `model.data` for this model, checked.
struct CommandSpec {
  std::vector<std::string> launcher;  // container runtime prefix; empty: run argv directly
  std::vector<std::string> argv;
  fs::path image;
  fs::path data_dir;  // empty when not given
  ResultForm result = ResultForm::Improve;
  fs::path result_file;    // relative to the trial directory
  std::string result_key;  // the file's field reported as `metric`; empty: none
  std::string metric;
  std::vector<std::pair<std::string, std::string>> env;
  double grace_s = 3;
  std::uint64_t log_limit_bytes = ChildProcess::kDefaultLogLimitBytes;
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
    argv = string_list(data.at("argv"));
    if (argv.empty()) data.at("argv").fail("argv must name a program");
    if (auto view = data.find("launcher")) launcher = string_list(*view);
    if (auto view = data.find("image")) image = read_image(*view);
    if (auto view = data.find("data_dir")) data_dir = absolute_path(view->string());
    read_result(data);
    metric = data.string_or(
        "metric", campaign.objective.metric.empty() ? "val_loss" : campaign.objective.metric);
    if (metric.empty()) data.at("metric").fail("must name a metric");
    if (auto view = data.find("env")) {
      view->require_object();
      for (const auto& [name, value] : view->value().items()) {
        const JsonView entry = view->at(name);
        if (name.empty() || name.find('=') != std::string::npos) {
          entry.fail("not a valid environment variable name");
        }
        env.emplace_back(name, entry.string());
        check_placeholders(entry);
      }
    }
    read_grace(data, campaign.limits);
    if (auto view = data.find("log_limit_mb")) {
      const double mb = view->number();
      if (!(mb >= 0.001 && mb <= 1e6)) view->fail("log_limit_mb must be between 0.001 and 1e6");
      log_limit_bytes = static_cast<std::uint64_t>(mb * (1 << 20));
    }
    if (!image.empty() && launcher.empty()) {
      // The campaign leaves the container runtime to the machine it runs on.
      launcher = campaign.site_container_launcher;
      if (launcher.empty()) {
        data.at("image").fail(
            "an image needs a launcher: \"launcher\" here, e.g. [\"apptainer\", \"exec\", "
            "\"{image}\"], or a --site whose site file has container.exec");
      }
    }
    for (const auto& view : data.at("argv").elements()) check_placeholders(view);
    if (auto view = data.find("launcher")) {
      for (const auto& element : view->elements()) check_placeholders(element);
    }
    check_program(data.at("argv").at(std::size_t{0}));
  }

  // A path of the campaign's, resolved against the campaign file's directory.
  fs::path absolute_path(const std::string& text) const {
    const fs::path path(text);
    return (path.is_absolute() ? path : base_dir / path).lexically_normal();
  }

 private:
  // A file, relative to the campaign file, or a URI the container runtime pulls
  // (docker://, library://, oras://), passed on as written.
  fs::path read_image(const JsonView& view) const {
    const std::string text = view.string();
    if (text.find("://") != std::string::npos) return text;
    const fs::path file = absolute_path(text);
    std::error_code error;
    if (!fs::exists(file, error)) view.fail(file.string() + ": file does not exist");
    return file;
  }

  // A program named by its path is checked now, so that a typo stops the campaign instead of
  // failing every trial. A bare name is left to the trial's PATH, which a batch job's modules
  // may change; a program inside a container is not on this file system.
  void check_program(const JsonView& where) const {
    const std::string& program = argv.front();
    if (!launcher.empty() || program.find('/') == std::string::npos ||
        !placeholders_in(program).empty()) {
      return;
    }
    const fs::path file = absolute_path(program);
    std::error_code error;
    if (!fs::exists(file, error)) where.fail(file.string() + ": file does not exist");
    if (fs::is_directory(file, error) || ::access(file.c_str(), X_OK) != 0) {
      where.fail(file.string() + ": not an executable file");
    }
  }

  static std::vector<std::string> string_list(const JsonView& view) {
    std::vector<std::string> out;
    for (const auto& element : view.elements()) out.push_back(element.string());
    return out;
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

  void read_grace(const JsonView& data, const LimitsSpec& limits) {
    // The program must be gone before the trial runner abandons the model.
    grace_s = std::min(3.0, limits.cancel_grace_s / 2);
    if (auto view = data.find("grace_s")) {
      grace_s = view->number();
      if (grace_s < 0 || grace_s > 3600) view->fail("grace_s must be between 0 and 3600");
      if (limits.task_timeout_s > 0 && grace_s > 0 && grace_s >= limits.cancel_grace_s) {
        view->fail("grace_s must be less than limits.cancel_grace_s (" +
                   json(limits.cancel_grace_s).dump() +
                   "), or the trial is abandoned before its program is ended");
      }
    }
  }

  void check_placeholders(const JsonView& view) {
    for (const auto& name : placeholders_in(view.string())) {
      if (name == "data_dir" && data_dir.empty()) {
        view.fail("{data_dir} is used but model.data has no \"data_dir\"");
      }
      if (name == "image" && image.empty()) {
        view.fail("{image} is used but model.data has no \"image\"");
      }
      if (!kTrialPlaceholders.count(name)) param_placeholders.insert(name);
    }
  }
};

// Where a trial's program runs: the trial directory, or a temporary one removed afterwards
// when the campaign keeps no trial directories.
class WorkDir {
 public:
  explicit WorkDir(const fs::path& run_dir) : path_(run_dir) {
    if (!path_.empty()) {
      fs::create_directories(path_);
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "overseer-trial-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    temporary_ = true;
  }
  ~WorkDir() {
    std::error_code ignored;
    if (temporary_) fs::remove_all(path_, ignored);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool temporary_ = false;
};

// A scheduler's stop, as a program hears it: a STOP file in its trial directory, then, once
// `grace` has passed, SIGTERM to its group.
class StopRequest {
 public:
  StopRequest(fs::path file, std::chrono::duration<double> grace)
      : file_(std::move(file)), grace_(grace) {}

  void ask() {
    if (asked_) return;
    std::ofstream(file_) << "stopped by the scheduler\n";
    asked_ = std::chrono::steady_clock::now();
  }
  bool asked() const { return asked_.has_value(); }
  bool grace_over() const { return asked_ && std::chrono::steady_clock::now() - *asked_ >= grace_; }

 private:
  fs::path file_;
  std::chrono::duration<double> grace_;
  std::optional<std::chrono::steady_clock::time_point> asked_;
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
    const WorkDir dir(context.run_dir);
    const fs::path params_file = dir.path() / "params.json";
    {
      std::ofstream out(params_file);
      out << params.dump(2) << '\n';
      if (!out) throw std::runtime_error("cannot write " + params_file.string());
    }
    // Left over from an earlier attempt, they would pass for this one's result.
    const fs::path log = dir.path() / kLogName;
    fs::remove(log);
    fs::remove(dir.path() / kStopFileName);
    if (spec_.result == ResultForm::JsonFile) fs::remove(result_path(dir.path()));

    const Binding binding = bind_device(params, context);
    std::map<std::string, std::string> values = {
        {"params_json", params_file.string()},  {"run_dir", dir.path().string()},
        {"data_dir", spec_.data_dir.string()},  {"device", binding.device},
        {"visible_devices", binding.visible},   {"trial_id", std::to_string(context.trial)},
        {"seed", std::to_string(context.seed)}, {"image", spec_.image.string()},
    };
    for (const auto& name : spec_.param_placeholders) values[name] = param_text(params.at(name));

    std::vector<std::string> command;
    for (const auto& part : spec_.launcher) command.push_back(substitute(part, values));
    for (const auto& part : spec_.argv) command.push_back(substitute(part, values));
    // The program runs in the trial directory; a relative path in the campaign is meant
    // relative to the campaign file, like every other path there.
    if (command[0].find('/') != std::string::npos && fs::path(command[0]).is_relative()) {
      command[0] = spec_.absolute_path(command[0]).string();
    }

    // The trial runner turns the deadline into cancel(), which keeps the status "timeout".
    ChildProcess child(command, environment(dir.path(), context, binding, values), dir.path(), log,
                       spec_.log_limit_bytes);
    const auto grace = std::chrono::duration<double>(spec_.grace_s);
    StopRequest stop(dir.path() / kStopFileName, grace);
    std::optional<ProgressLine> last;
    const auto exit =
        child.wait([&] { return context.cancelled() || stop.grace_over(); }, grace,
                   [&](std::string_view line) {
                     auto progress = parse_improve_progress(line);
                     if (!progress) return;
                     last = std::move(progress);
                     if (context.report(last->step, last->metrics) != ProgressDecision::Continue)
                       stop.ask();
                   });
    // Told to stop, the program may exit by itself or be ended: either way it reached `last`.
    if (stop.asked() && last) return last->metrics;
    if (!exit) throw std::runtime_error("cancelled; the program's process group was ended");
    if (!exit->success()) {
      fail(command[0] + " failed with " + exit->describe(), log);
    }
    try {
      return read_result(dir.path(), log);
    } catch (const std::runtime_error& e) {
      fail(e.what(), log);
    }
  }

 private:
  struct Binding {
    std::string device;    // as the program sees it
    std::string variable;  // the visible-device variable to set; empty: none
    std::string visible;   // its value
  };

  // The trial's device: the `device` parameter when there is one, else the worker's. Its index
  // counts the devices this process sees. When the rank is already restricted (a site's binding,
  // or the user's CUDA_VISIBLE_DEVICES=3,2), the program's variable replaces ours, so it has to
  // name the N-th device of our list, not device N of the node.
  static Binding bind_device(const json& params, const RunContext& context) {
    const std::string text = params.contains("device") ? device_param(params).text : context.device;
    Binding binding{text, "", ""};
    const auto colon = text.find(':');
    if (colon == std::string::npos) return binding;
    const std::string kind = text.substr(0, colon);
    const std::string index = text.substr(colon + 1);
    // The variable shows the program this one GPU, which it numbers 0.
    binding.device = kind + ":0";
    binding.variable = kind == "rocm"  ? "ROCR_VISIBLE_DEVICES"
                       : kind == "xpu" ? "ZE_AFFINITY_MASK"
                                       : "CUDA_VISIBLE_DEVICES";
    const char* ours = std::getenv(binding.variable.c_str());
    if (ours == nullptr || *ours == '\0') {
      binding.visible = index;
      return binding;
    }
    std::vector<std::string> visible;
    std::stringstream list(ours);
    for (std::string entry; std::getline(list, entry, ',');) visible.push_back(entry);
    const auto n = static_cast<std::size_t>(std::stoul(index));
    if (n >= visible.size()) {
      throw std::runtime_error("device " + text + ", but " + binding.variable + "=" + ours +
                               " shows " + std::to_string(visible.size()) + " device(s)");
    }
    binding.visible = visible[n];
    return binding;
  }

  static std::string substitute(const std::string& text,
                                const std::map<std::string, std::string>& values) {
    std::string out;
    auto last = text.cbegin();
    for (std::sregex_iterator it(text.begin(), text.end(), kPlaceholder), end; it != end; ++it) {
      out.append(last, (*it)[0].first);
      out += values.at((*it)[1]);
      last = (*it)[0].second;
    }
    out.append(last, text.cend());
    return out;
  }

  std::vector<std::string> environment(const fs::path& dir, const RunContext& context,
                                       const Binding& binding,
                                       const std::map<std::string, std::string>& values) const {
    std::map<std::string, std::string> vars;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      const auto eq = entry.find('=');
      if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    if (!spec_.data_dir.empty()) vars["CANDLE_DATA_DIR"] = spec_.data_dir.string();
    vars["OVERSEER_RUN_DIR"] = dir.string();
    vars["OVERSEER_TRIAL_ID"] = std::to_string(context.trial);
    if (!binding.variable.empty()) vars[binding.variable] = binding.visible;
    for (const auto& [name, value] : spec_.env) vars[name] = substitute(value, values);
    std::vector<std::string> out;
    for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
    return out;
  }

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

  [[noreturn]] static void fail(const std::string& message, const fs::path& log) {
    const std::string tail = file_tail(log, kLogTailBytes);
    throw std::runtime_error(message +
                             (tail.empty() ? "; its log is empty" : "; end of its log:\n" + tail));
  }

  CommandSpec spec_;
};

const bool registered = ModelRegistry::instance().add(
    "command", {{"val_loss"},
                [](const Campaign& campaign) { return std::make_unique<CommandModel>(campaign); },
                /*any_metric=*/true});

}  // namespace
}  // namespace overseer
