#include "overseer/campaign/supervisor_import.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "overseer/core/error.hpp"
#include "overseer/core/shell_assignments.hpp"

namespace overseer {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kGaVariables = {
    "POPULATION_SIZE", "NUM_ITERATIONS", "STRATEGY",  "GA_STRATEGY", "OFFSPRING_PROPORTION",
    "MUT_PROB",        "CX_PROB",        "MUT_INDPB", "CX_INDPB",    "TOURNSIZE",
    "INIT_PARAMS_FILE"};
const std::set<std::string> kMboVariables = {"MAX_BUDGET", "DESIGN_SIZE", "PROPOSE_POINTS",
                                             "MAX_ITERATIONS"};

// The assignments, with what the mapping used of them.
class Settings {
 public:
  explicit Settings(ShellAssignments assignments) : shell_(std::move(assignments)) {}

  // A variable's value; absent when unset or empty (`X=${X:-}` leaves X unset in effect).
  const ShellValue* find(const std::string& name) {
    used_.insert(name);
    const auto it = shell_.values.find(name);
    return it == shell_.values.end() || it->second.text.empty() ? nullptr : &it->second;
  }

  [[noreturn]] static void fail(const std::string& name, const ShellValue& value,
                                const std::string& why) {
    const std::string where = value.file.empty() ? "--var" : value.file.string();
    throw InputError(where, "",
                     (value.line > 0 ? "line " + std::to_string(value.line) + ": " : "") + name +
                         "=" + value.text + ": " + why);
  }

  // Counts and sizes, at most a billion: enough for any workflow, and sums of them never
  // overflow.
  std::optional<std::int64_t> integer(const std::string& name, std::int64_t lowest) {
    constexpr std::int64_t kHighest = 1'000'000'000;
    const ShellValue* value = find(name);
    if (!value) return std::nullopt;
    std::size_t used = 0;
    std::int64_t n = 0;
    try {
      n = std::stoll(value->text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != value->text.size()) fail(name, *value, "not an integer");
    if (n < lowest || n > kHighest) {
      fail(name, *value,
           "must be between " + std::to_string(lowest) + " and " + std::to_string(kHighest));
    }
    return n;
  }

  std::optional<double> number(const std::string& name, double lowest, double highest) {
    const ShellValue* value = find(name);
    if (!value) return std::nullopt;
    std::size_t used = 0;
    double x = 0;
    try {
      x = std::stod(value->text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != value->text.size()) fail(name, *value, "not a number");
    if (!(x >= lowest && x <= highest)) {
      fail(name, *value, "must be between " + json(lowest).dump() + " and " + json(highest).dump());
    }
    return x;
  }

  // A path as the cfg file means it: relative to that file's directory.
  std::optional<fs::path> path(const std::string& name) {
    const ShellValue* value = find(name);
    if (!value) return std::nullopt;
    const fs::path p(value->text);
    if (p.is_absolute() || value->file.empty()) return fs::absolute(p).lexically_normal();
    return (fs::absolute(value->file).parent_path() / p).lexically_normal();
  }

  // What the mapping did not use: the lines not run, then the variables without counterpart.
  std::vector<std::string> unmapped(const std::map<std::string, std::string>& notes) const {
    std::vector<std::string> out;
    for (const auto& line : shell_.skipped) {
      out.push_back(line.file.string() + ":" + std::to_string(line.line) + ": " + line.text + ": " +
                    line.reason);
    }
    for (const auto& [name, value] : shell_.values) {
      if (value.text.empty()) continue;
      const auto note = notes.find(name);
      if (note != notes.end()) {
        out.push_back(name + "=" + value.text + ": " + note->second);
      } else if (!used_.count(name) && !value.file.empty()) {
        out.push_back(name + "=" + value.text + ": not used by Overseer");
      }
    }
    return out;
  }

  bool any_of(const std::set<std::string>& names) const {
    for (const auto& name : names) {
      const auto it = shell_.values.find(name);
      if (it != shell_.values.end() && !it->second.text.empty()) return true;
    }
    return false;
  }

 private:
  ShellAssignments shell_;
  std::set<std::string> used_;
};

json ga_search(Settings& s, std::map<std::string, std::string>& notes) {
  json search = {{"algorithm", "ga"}, {"mode", "generational"}};
  const auto population = s.integer("POPULATION_SIZE", 2);
  if (!population) {
    throw InputError("", "", "a GA configuration needs POPULATION_SIZE");
  }
  search["population_size"] = *population;
  if (const auto n = s.integer("NUM_ITERATIONS", 1)) search["num_iterations"] = *n;
  std::string strategy = "simple";
  for (const char* name : {"STRATEGY", "GA_STRATEGY"}) {
    if (const ShellValue* v = s.find(name)) {
      if (v->text != "simple" && v->text != "mu_plus_lambda") {
        Settings::fail(name, *v, "expected simple or mu_plus_lambda");
      }
      strategy = v->text;
    }
  }
  search["strategy"] = strategy;
  if (const auto share = s.number("OFFSPRING_PROPORTION", 0, 1)) {
    if (strategy == "mu_plus_lambda") {
      const auto offspring = std::llround(*share * static_cast<double>(*population));
      search["offspring"] = std::clamp<std::int64_t>(offspring, 1, *population - 1);
    } else {
      notes["OFFSPRING_PROPORTION"] = "applies only to STRATEGY=mu_plus_lambda";
    }
  }
  for (const auto& [variable, field] :
       std::vector<std::pair<std::string, std::string>>{{"MUT_PROB", "mut_prob"},
                                                        {"CX_PROB", "cx_prob"},
                                                        {"MUT_INDPB", "mut_indpb"},
                                                        {"CX_INDPB", "cx_indpb"}}) {
    if (const auto p = s.number(variable, 0, 1)) search[field] = *p;
  }
  if (const auto k = s.integer("TOURNSIZE", 1)) search["tournsize"] = *k;
  if (const auto file = s.path("INIT_PARAMS_FILE")) search["init_params_file"] = file->string();
  return search;
}

// mlrMBO as Supervisor's workflows run it (its defaults for spaces with discrete parameters): a
// random forest surrogate, the qLCB infill criterion, batches of PROPOSE_POINTS.
json mlrmbo_search(Settings& s) {
  json search = {{"algorithm", "bayes"}, {"surrogate", "rf"}, {"acquisition", "qlcb"}};
  const auto design = s.integer("DESIGN_SIZE", 1);
  const auto batch = s.integer("PROPOSE_POINTS", 1);
  const auto iterations = s.integer("MAX_ITERATIONS", 1);
  const auto budget = s.integer("MAX_BUDGET", 1);
  if (design) search["n_init"] = *design;
  if (batch) search["batch_size"] = *batch;
  std::optional<std::int64_t> total = budget;
  if (design && batch && iterations) {
    const std::int64_t planned = *design + *iterations * *batch;
    total = total ? std::min(*total, planned) : planned;
  }
  if (!total) {
    throw InputError("", "",
                     "an mlrMBO configuration needs MAX_BUDGET, or DESIGN_SIZE, "
                     "PROPOSE_POINTS and MAX_ITERATIONS");
  }
  search["budget"] = *total;
  return search;
}

}  // namespace

SupervisorImport import_supervisor(const SupervisorImportOptions& options) {
  ShellAssignments shell;
  for (const auto& [name, value] : options.given) shell.values[name] = {value, {}, 0};
  for (const auto& file : options.files) {
    try {
      read_shell_assignments(file, shell);
    } catch (const std::runtime_error& e) {
      throw InputError(file.string(), "", "cannot read the file");
    }
  }
  Settings s(std::move(shell));
  std::map<std::string, std::string> notes;
  SupervisorImport out;
  json& c = out.campaign;

  const bool ga = s.any_of(kGaVariables);
  const bool mbo = s.any_of(kMboVariables);
  if (ga == mbo) {
    throw InputError(options.files.empty() ? "" : options.files.front().string(), "",
                     ga ? "both GA (POPULATION_SIZE, ...) and mlrMBO (MAX_BUDGET, ...) settings: "
                          "import one workflow's files at a time"
                        : "neither GA (POPULATION_SIZE, NUM_ITERATIONS, ...) nor mlrMBO "
                          "(MAX_BUDGET, DESIGN_SIZE, PROPOSE_POINTS, ...) settings");
  }
  const ShellValue* model_name = s.find("MODEL_NAME");
  const std::string workflow = ga ? "ga" : "mlrmbo";
  c["name"] = !options.name.empty() ? options.name
              : model_name          ? fs::path(model_name->text).stem().string() + "-" + workflow
                                    : "supervisor-" + workflow;
  std::string sources;
  for (const auto& f : options.files) sources += (sources.empty() ? "" : ", ") + f.string();
  c["description"] = "Imported from " + sources + " by overseer import supervisor.";

  json search = ga ? ga_search(s, notes) : mlrmbo_search(s);
  if (const auto seed = s.integer("SEED", 0)) search["seed"] = *seed;
  c["search"] = search;

  std::optional<fs::path> space = s.path("PARAM_SET_FILE");
  if (!options.space_file.empty()) space = fs::absolute(options.space_file).lexically_normal();
  if (!space) {
    throw InputError("", "", "no PARAM_SET_FILE in these files: name the space with --space");
  }
  if (space->extension() == ".R") {
    throw InputError(space->string(), "",
                     "an mlrMBO parameter set in R; write the space as JSON "
                     "(docs/search-space.md) and name it with --space");
  }
  c["space"] = space->string();

  if (options.model_dir.empty()) {
    throw InputError("--model-dir", "",
                     "name the IMPROVE-curated model the trials run (its directory; inside the "
                     "image for CANDLE_MODEL_TYPE=SINGULARITY)");
  }
  json data = {{"model_dir", options.model_dir.string()}};
  const ShellValue* model_type = s.find("CANDLE_MODEL_TYPE");
  if (model_type && model_type->text == "SINGULARITY") {
    if (!model_name) {
      throw InputError("", "", "CANDLE_MODEL_TYPE=SINGULARITY needs MODEL_NAME, the image");
    }
    data["image"] = model_name->text;
  } else {
    data["model_dir"] = fs::absolute(options.model_dir).lexically_normal().string();
    if (model_type && model_type->text != "BENCHMARKS") {
      notes["CANDLE_MODEL_TYPE"] = "expected BENCHMARKS or SINGULARITY";
    }
  }
  if (!options.input_dir.empty()) {
    data["input_dir"] = fs::absolute(options.input_dir).lexically_normal().string();
  }
  if (!options.train_source.empty()) {
    data["train_sources"] = options.train_source;
    data["split_seed"] = options.split;
  }
  c["model"] = {{"name", "improve"}, {"data", data}};
  c["objective"] = {{"metric", "val_loss"}, {"mode", "min"}};

  json limits = json::object();
  if (const auto timeout = s.number("SH_TIMEOUT", 1, 1e9)) limits["task_timeout_s"] = *timeout;
  if (const ShellValue* ignore = s.find("IGNORE_ERRORS")) {
    // Without IGNORE_ERRORS=1 a failed model ends a Supervisor workflow.
    if (ignore->text == "0") {
      limits["max_failures"] = 1;
    } else if (ignore->text != "1") {
      Settings::fail("IGNORE_ERRORS", *ignore, "expected 0 or 1");
    }
  }
  if (!limits.empty()) c["limits"] = limits;

  if (s.find("MAX_CONCURRENT_EVALUATIONS")) {
    notes["MAX_CONCURRENT_EVALUATIONS"] =
        "concurrency is the number of workers: mpirun -np N+1 (a master and N workers)";
  }
  const auto procs = s.integer("PROCS", 1);
  const auto ppn = s.integer("PPN", 1);
  if (procs) {
    const std::int64_t per_node = ppn.value_or(1);
    out.submit_options.push_back("--nodes");
    out.submit_options.push_back(std::to_string((*procs + per_node - 1) / per_node));
  }
  for (const auto& [variable, flag] : std::vector<std::pair<std::string, std::string>>{
           {"WALLTIME", "--time"}, {"QUEUE", "--queue"}, {"PROJECT", "--account"}}) {
    if (const ShellValue* v = s.find(variable)) {
      out.submit_options.push_back(flag);
      out.submit_options.push_back(v->text);
    }
  }
  out.unmapped = s.unmapped(notes);
  return out;
}

}  // namespace overseer
