#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "overseer/core/json_view.hpp"
#include "overseer/models/child_process.hpp"
#include "overseer/models/external_result.hpp"
#include "overseer/models/model.hpp"

namespace overseer {

// What the models that run external programs (command, improve) share: where a trial's program
// runs, which GPU it is shown, its environment, and how its progress and a scheduler's stop
// pass between it and the campaign.

// The fields of model.data about a program's surroundings that both models read: launcher,
// image, env, grace_s and log_limit_mb (docs/external-models.md).
struct ProgramOptions {
  std::vector<std::string> launcher;  // container runtime prefix; empty: run the program directly
  std::filesystem::path image;        // absolute, or a URI the runtime pulls
  std::vector<std::pair<std::string, std::string>> env;  // as written, placeholders and all
  double grace_s = 3;
  std::uint64_t log_limit_bytes = ChildProcess::kDefaultLogLimitBytes;
};
// Reads them from `data`, resolving a relative image path against `base_dir`. An image without
// a launcher gets the site's container runtime (campaign.site_container_launcher).
ProgramOptions read_program_options(const JsonView& data, const Campaign& campaign,
                                    const std::filesystem::path& base_dir);

// Where a trial's program runs: the trial directory, or a temporary one removed afterwards
// when the campaign keeps no trial directories.
class TrialWorkDir {
 public:
  explicit TrialWorkDir(const std::filesystem::path& run_dir);
  ~TrialWorkDir();
  TrialWorkDir(const TrialWorkDir&) = delete;
  TrialWorkDir& operator=(const TrialWorkDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool temporary_ = false;
};

// The trial's device as a program sees it.
struct ProgramDevice {
  std::string device;    // as the program sees it: "cuda:0", or the text given ("cpu", "auto")
  std::string variable;  // the visible-device variable to set; empty: none
  std::string visible;   // its value
};

// `device` is "cuda:N", "rocm:N" or "xpu:N" (N counting the devices this process sees), or
// anything else, which is passed on as it is. When the rank is already restricted (a site's
// binding, or the user's CUDA_VISIBLE_DEVICES=3,2), the program's variable replaces ours, so it
// names the N-th device of our list, not device N of the node. Throws std::runtime_error when
// N is beyond that list.
ProgramDevice program_device(const std::string& device);

// This process's environment with `overrides` on top, as "NAME=value" entries.
std::vector<std::string> program_environment(const std::map<std::string, std::string>& overrides);

// A parameter as one argument of a program: strings verbatim, numbers and the rest as JSON.
std::string argument_text(const json& value);

// {name} placeholders. Braces around anything else (JSON, `{}`) are left alone.
std::vector<std::string> placeholders_in(const std::string& text);
// `text` with each {name} replaced by values.at(name).
std::string substitute_placeholders(const std::string& text,
                                    const std::map<std::string, std::string>& values);

// How a program run with run_program ended.
struct ProgramOutcome {
  std::optional<ChildExit> exit;     // nullopt: the campaign ended it (cancelled or stopped)
  bool stopped = false;              // a scheduler's stop (or a pause) was asked of it
  std::optional<ProgressLine> last;  // its last IMPROVE_PROGRESS report
};

// Runs `command` in `dir` (its output in `log`, capped at `log_limit_bytes`) until it exits or
// the trial is cancelled. Each IMPROVE_PROGRESS line goes to the trial's reporter when
// `reports` is set; a stop decision creates `dir`/STOP and, `grace_s` later, ends the process
// group, as a cancel does at once (SIGTERM, then SIGKILL after `grace_s`).
ProgramOutcome run_program(const std::vector<std::string>& command,
                           const std::vector<std::string>& env, const std::filesystem::path& dir,
                           const std::filesystem::path& log, std::uint64_t log_limit_bytes,
                           double grace_s, const RunContext& context, bool reports);

// Throws std::runtime_error with `message` and the end of the program's log.
[[noreturn]] void fail_with_log(const std::string& message, const std::filesystem::path& log);

}  // namespace overseer
