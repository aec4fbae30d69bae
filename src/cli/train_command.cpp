#include "overseer/cli/train_command.hpp"

#include <chrono>
#include <iostream>
#include <mutex>

#include "overseer/core/error.hpp"
#include "overseer/data/data_cache.hpp"
#include "overseer/models/external_result.hpp"
#include "overseer/models/trial_runner.hpp"

namespace overseer::cli {
namespace {

bool is_inline_json(const std::string& value) {
  const auto first = value.find_first_not_of(" \t\n");
  return first != std::string::npos && (value[first] == '{' || value[first] == '[');
}

// Where the `--data` value came from, as error messages name it: its .json file, or the option.
std::string data_origin(const std::string& value) {
  const bool from_file =
      !is_inline_json(value) && std::filesystem::path(value).extension() == ".json";
  return from_file ? value : "--data";
}

// The option's value as JSON: inline text when it looks like JSON, otherwise a file name.
json json_argument(const std::string& option, const std::string& value) {
  if (is_inline_json(value)) {
    try {
      return json::parse(value);
    } catch (const json::parse_error& e) {
      throw InputError(option, "", std::string("not valid JSON: ") + e.what());
    }
  }
  return read_json_file(value);
}

Campaign train_campaign(const TrainOptions& options) {
  Campaign c;
  // The model reports a mistake in its data against the file or option that holds it.
  c.file = data_origin(options.data);
  c.model.data_pointer = "";
  c.base_dir = std::filesystem::current_path();
  c.name = "train";
  c.model.name = options.model;
  c.model.params = json_argument("--params", options.params);
  if (!c.model.params.is_object()) {
    throw InputError("--params", "", "the parameters must be a JSON object");
  }
  if (!options.device.empty()) c.model.params["device"] = options.device;
  if (!options.data.empty()) {
    // A data file (data/nci60.h5) stands for itself; JSON text or a .json file describes more.
    const bool described = options.data.find('{') != std::string::npos ||
                           std::filesystem::path(options.data).extension() == ".json";
    c.model.data = described ? json_argument("--data", options.data) : json(options.data);
  }
  c.search.seed = options.seed;
  c.limits.task_timeout_s = options.timeout_s;
  const ModelEntry& entry = find_model(c);
  c.objective.metric = entry.metrics.front();
  try {
    entry.create(c)->check(c.model.params);
  } catch (const ParameterError& e) {
    throw InputError("--params", "/" + e.parameter(),
                     "model \"" + c.model.name + "\": " + e.what());
  }
  return c;
}

// Reads and splits the model's data before the evaluation, so that bad data (a missing file,
// NaN features, an empty split, a bad line in a split file) is an input error with one message
// naming the file and line or the --data field, not a failed trial. The evaluation then finds
// the prepared data in the process's cache.
void prepare_data(const Campaign& c, const TrainOptions& options) {
  // The cmp model's data lists its submodels, which it has checked; each reads its own data.
  // The command model's data describes a program, which reads its data itself.
  if (c.model.data.is_null() || c.model.name == "cmp" || c.model.name == "command") return;
  const JsonView data(c.model.data, data_origin(options.data));
  data::DataCache::process().prepared(
      data::parse_data_options(data, c.base_dir, c.model.params, "--params"));
}

// `--progress`: each report as an IMPROVE_PROGRESS line on stdout, the way an external program
// reports to the command model, so that `overseer train` can itself be one. A STOP file in the
// trial directory answers the next report Stop, as the command model asks programs to stop.
class ConsoleProgressReporter final : public ProgressReporter {
 public:
  explicit ConsoleProgressReporter(std::filesystem::path trial_dir)
      : stop_file_(trial_dir.empty() ? trial_dir : trial_dir / kStopFileName) {}

  ProgressDecision report(std::int64_t step, const Metrics& metrics,
                          const std::atomic<bool>* /*cancel*/) override {
    Metrics line = metrics;
    line["elapsed_s"] = std::chrono::duration<double>(Clock::now() - start_).count();
    const std::lock_guard lock(mutex_);
    std::cout << format_improve_progress(step, line) << std::endl;
    last_step_ = step;
    if (!stop_file_.empty() && std::filesystem::exists(stop_file_)) stopped_ = true;
    return stopped_ ? ProgressDecision::Stop : ProgressDecision::Continue;
  }
  bool stopped() const override {
    const std::lock_guard lock(mutex_);
    return stopped_;
  }
  std::int64_t last_step() const override {
    const std::lock_guard lock(mutex_);
    return last_step_;
  }

 private:
  using Clock = std::chrono::steady_clock;
  const std::filesystem::path stop_file_;
  const Clock::time_point start_ = Clock::now();
  mutable std::mutex mutex_;
  std::int64_t last_step_ = -1;
  bool stopped_ = false;
};

}  // namespace

int train(const TrainOptions& options) {
  Campaign campaign;
  try {
    campaign = train_campaign(options);
    prepare_data(campaign, options);
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitInputError;
  }
  TrialRunner runner(campaign);
  TrialTask task;
  task.trial = 0;
  task.params = json::object();
  task.run_dir = options.trial_dir;
  if (options.progress) task.reporter = std::make_shared<ConsoleProgressReporter>(task.run_dir);
  TrialResult result = runner.run(task);
  result.host = host_name();
  json out = to_json(result);
  out.erase("rank");
  std::cout << out.dump(2) << "\n";
  const bool ended_well = result.status == TrialStatus::Ok || result.status == TrialStatus::Stopped;
  return ended_well ? kExitOk : kExitCampaignFailed;
}

}  // namespace overseer::cli
