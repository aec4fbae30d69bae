#include "overseer/models/external_program.hpp"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include <unistd.h>

extern char** environ;

namespace overseer {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kLogTailBytes = 2000;

const std::regex kPlaceholder(R"(\{([A-Za-z0-9_.-]+)\})");

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

std::vector<std::string> string_list(const JsonView& view) {
  std::vector<std::string> out;
  for (const auto& element : view.elements()) out.push_back(element.string());
  return out;
}

// A file, relative to the campaign file, or a URI the container runtime pulls (docker://,
// library://, oras://), passed on as written.
fs::path read_image(const JsonView& view, const fs::path& base_dir) {
  const std::string text = view.string();
  if (text.find("://") != std::string::npos) return text;
  const fs::path file = (fs::path(text).is_absolute() ? fs::path(text) : base_dir / text);
  std::error_code error;
  if (!fs::exists(file, error))
    view.fail(file.lexically_normal().string() + ": file does not exist");
  return file.lexically_normal();
}

double read_grace(const JsonView& data, const LimitsSpec& limits) {
  // The program must be gone before the trial runner abandons the model.
  double grace_s = std::min(3.0, limits.cancel_grace_s / 2);
  if (auto view = data.find("grace_s")) {
    grace_s = view->number();
    if (grace_s < 0 || grace_s > 3600) view->fail("grace_s must be between 0 and 3600");
    if (limits.task_timeout_s > 0 && grace_s > 0 && grace_s >= limits.cancel_grace_s) {
      view->fail("grace_s must be less than limits.cancel_grace_s (" +
                 json(limits.cancel_grace_s).dump() +
                 "), or the trial is abandoned before its program is ended");
    }
  }
  return grace_s;
}

}  // namespace

ProgramOptions read_program_options(const JsonView& data, const Campaign& campaign,
                                    const fs::path& base_dir) {
  ProgramOptions options;
  if (auto view = data.find("launcher")) options.launcher = string_list(*view);
  if (auto view = data.find("image")) options.image = read_image(*view, base_dir);
  if (auto view = data.find("env")) {
    view->require_object();
    for (const auto& [name, value] : view->value().items()) {
      const JsonView entry = view->at(name);
      if (name.empty() || name.find('=') != std::string::npos) {
        entry.fail("not a valid environment variable name");
      }
      options.env.emplace_back(name, entry.string());
    }
  }
  options.grace_s = read_grace(data, campaign.limits);
  if (auto view = data.find("log_limit_mb")) {
    const double mb = view->number();
    if (!(mb >= 0.001 && mb <= 1e6)) view->fail("log_limit_mb must be between 0.001 and 1e6");
    options.log_limit_bytes = static_cast<std::uint64_t>(mb * (1 << 20));
  }
  if (!options.image.empty() && options.launcher.empty()) {
    // The campaign leaves the container runtime to the machine it runs on.
    options.launcher = campaign.site_container_launcher;
    if (options.launcher.empty()) {
      data.at("image").fail(
          "an image needs a launcher: \"launcher\" here, e.g. [\"apptainer\", \"exec\", "
          "\"{image}\"], or a --site whose site file has container.exec");
    }
  }
  return options;
}

TrialWorkDir::TrialWorkDir(const fs::path& run_dir) : path_(run_dir) {
  if (!path_.empty()) {
    fs::create_directories(path_);
    return;
  }
  std::string pattern = (fs::temp_directory_path() / "overseer-trial-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
  temporary_ = true;
}

TrialWorkDir::~TrialWorkDir() {
  std::error_code ignored;
  if (temporary_) fs::remove_all(path_, ignored);
}

ProgramDevice program_device(const std::string& text) {
  ProgramDevice binding{text, "", ""};
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

std::vector<std::string> program_environment(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : overrides) vars[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  return out;
}

std::string argument_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::vector<std::string> placeholders_in(const std::string& text) {
  std::vector<std::string> names;
  for (std::sregex_iterator it(text.begin(), text.end(), kPlaceholder), end; it != end; ++it) {
    names.push_back((*it)[1]);
  }
  return names;
}

std::string substitute_placeholders(const std::string& text,
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

ProgramOutcome run_program(const std::vector<std::string>& command,
                           const std::vector<std::string>& env, const fs::path& dir,
                           const fs::path& log, std::uint64_t log_limit_bytes, double grace_s,
                           const RunContext& context, bool reports) {
  // Left over from an earlier attempt, it would stop this one at its first report.
  fs::remove(dir / kStopFileName);
  // The trial runner turns the deadline into cancel(), which keeps the status "timeout".
  ChildProcess child(command, env, dir, log, log_limit_bytes);
  const auto grace = std::chrono::duration<double>(grace_s);
  StopRequest stop(dir / kStopFileName, grace);
  ProgramOutcome outcome;
  ChildProcess::LineHandler on_line;
  if (reports) {
    on_line = [&](std::string_view line) {
      auto progress = parse_improve_progress(line);
      if (!progress) return;
      outcome.last = std::move(progress);
      if (context.report(outcome.last->step, outcome.last->metrics) != ProgressDecision::Continue)
        stop.ask();
    };
  }
  outcome.exit =
      child.wait([&] { return context.cancelled() || stop.grace_over(); }, grace, on_line);
  outcome.stopped = stop.asked();
  return outcome;
}

void fail_with_log(const std::string& message, const fs::path& log) {
  const std::string tail = file_tail(log, kLogTailBytes);
  throw std::runtime_error(message +
                           (tail.empty() ? "; its log is empty" : "; end of its log:\n" + tail));
}

}  // namespace overseer
