#include "overseer/sites/site.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

#include "overseer/core/error.hpp"
#include "overseer/sites/placeholders.hpp"

namespace overseer::sites {

const std::vector<std::string> kJobPlaceholders = {"nodes", "ranks", "ranks_per_node",
                                                   "cpus_per_rank", "gpus_per_node"};
const std::vector<std::string> kRankPlaceholders = {"local_rank", "rank", "user"};

namespace {

bool lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool word_character(char c) {
  return lower_or_digit(c) || (c >= 'A' && c <= 'Z') || c == '_';
}

// Names are checked character by character, not with std::regex: its matcher recurses once per
// character, and a long enough name overflowed the stack.
bool variable_name(const std::string& name) {
  return !name.empty() && !(name.front() >= '0' && name.front() <= '9') &&
         std::all_of(name.begin(), name.end(), word_character);
}

bool site_name(const std::string& name) {
  return !name.empty() && lower_or_digit(name.front()) &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return lower_or_digit(c) || c == '_' || c == '-'; });
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void check_placeholders(const JsonView& view, const std::vector<std::string>& allowed) {
  for (const auto& name : placeholders(view.string())) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      view.fail("unknown placeholder {" + name + "}; available: {" + joined(allowed) + "}");
    }
  }
}

std::vector<std::string> strings(const JsonView& view,
                                 const std::vector<std::string>* allowed = nullptr) {
  if (!view.value().is_array()) {
    view.fail("expected an array of strings, found " + json_type_name(view.value()));
  }
  std::vector<std::string> out;
  for (const auto& element : view.elements()) {
    out.push_back(element.string());
    if (allowed != nullptr) check_placeholders(element, *allowed);
  }
  return out;
}

std::map<std::string, std::string> variables(const JsonView& view,
                                             const std::vector<std::string>* allowed = nullptr) {
  view.require_object();
  std::map<std::string, std::string> out;
  for (const auto& item : view.value().items()) {
    const JsonView value = view.at(item.key());
    if (!variable_name(item.key())) {
      value.fail("\"" + item.key() + "\" is not an environment variable name");
    }
    out[item.key()] = value.string();
    if (allowed != nullptr) check_placeholders(value, *allowed);
  }
  return out;
}

// The most that any count of a site file may be: cores, CPUs, threads, ranks per node, workers per
// GPU, and the ranks per node that a GPU layout gives.
constexpr int kMaxCount = 1'000'000;

int positive(const JsonView& view) {
  const auto v = view.integer();
  if (v < 1 || v > kMaxCount)
    view.fail("must be a whole number from 1 to " + std::to_string(kMaxCount));
  return static_cast<int>(v);
}

template <typename Enum>
Enum choice(const JsonView& view, const std::vector<std::pair<std::string, Enum>>& options) {
  const std::string text = view.string();
  std::vector<std::string> names;
  for (const auto& [name, value] : options) {
    if (name == text) return value;
    names.push_back("\"" + name + "\"");
  }
  view.fail("must be one of " + joined(names));
}

void parse_node(const JsonView& root, Site& s) {
  const json empty = json::object();
  const JsonView node =
      root.find("node").value_or(JsonView(empty, root.file(), json::json_pointer("/node")));
  node.only_keys({"cores", "cpus", "gpus", "gpu_kind", "gpu_runtime"});
  if (auto v = node.find("cores")) s.cores = positive(*v);
  if (auto v = node.find("cpus")) s.cpus = positive(*v);
  if (auto v = node.find("gpus")) {
    const auto gpus = v->integer();
    if (gpus < 0 || gpus > 4096) v->fail("gpus must be from 0 to 4096");
    s.gpus = static_cast<int>(gpus);
  }
  s.gpu_kind = node.string_or("gpu_kind", "");
  if (auto v = node.find("gpu_runtime")) {
    s.gpu_runtime = choice<GpuRuntime>(*v, {{"cuda", GpuRuntime::Cuda},
                                            {"rocm", GpuRuntime::Rocm},
                                            {"level_zero", GpuRuntime::LevelZero},
                                            {"none", GpuRuntime::None}});
  }
  if (s.gpus > 0 && s.gpu_runtime == GpuRuntime::None) {
    node.at("gpu_runtime").fail("a node with GPUs needs \"cuda\", \"rocm\" or \"level_zero\"");
  }
  if (s.gpus == 0 && s.gpu_runtime != GpuRuntime::None) {
    node.at("gpu_runtime").fail("the node has no GPUs (\"gpus\" is 0)");
  }
}

void parse_layout(const JsonView& root, Site& s) {
  const json empty = json::object();
  const JsonView layout =
      root.find("layout").value_or(JsonView(empty, root.file(), json::json_pointer("/layout")));
  layout.only_keys({"workers_per_gpu", "gpus_per_worker", "ranks_per_node"});
  if (s.gpus == 0) {
    for (const char* key : {"workers_per_gpu", "gpus_per_worker"}) {
      if (auto v = layout.find(key)) v->fail(std::string(key) + " needs a node with GPUs");
    }
    s.ranks_per_node = positive(layout.at("ranks_per_node"));
    return;
  }
  if (auto v = layout.find("ranks_per_node")) {
    v->fail(
        "on a node with GPUs the ranks per node follow from gpus, workers_per_gpu and "
        "gpus_per_worker");
  }
  if (auto v = layout.find("workers_per_gpu")) s.workers_per_gpu = positive(*v);
  if (auto v = layout.find("gpus_per_worker")) {
    s.gpus_per_worker = positive(*v);
    if (s.gpus % s.gpus_per_worker != 0) {
      v->fail(std::to_string(s.gpus) + " GPUs per node cannot be split into groups of " +
              std::to_string(s.gpus_per_worker));
    }
    if (s.workers_per_gpu > 1 && s.gpus_per_worker > 1) {
      v->fail("a worker may share a GPU or use several, not both");
    }
  }
  const std::int64_t ranks = std::int64_t{s.gpus} * s.workers_per_gpu / s.gpus_per_worker;
  if (ranks > kMaxCount) {
    layout.at("workers_per_gpu")
        .fail(std::to_string(s.gpus) + " GPUs with " + std::to_string(s.workers_per_gpu) +
              " workers each are more than " + std::to_string(kMaxCount) + " ranks per node");
  }
  s.ranks_per_node = static_cast<int>(ranks);
}

void parse_binding(const JsonView& root, Site& s) {
  if (s.gpus == 0) {
    if (auto v = root.find("binding")) v->fail("binding needs a node with GPUs");
    return;
  }
  const JsonView binding = root.at("binding");
  binding.only_keys({"variable", "devices"});
  const JsonView variable = binding.at("variable");
  s.visible_devices = variable.string();
  if (!variable_name(s.visible_devices)) {
    variable.fail("not an environment variable name");
  }
  if (auto devices = binding.find("devices")) {
    s.devices = strings(*devices);
    if (static_cast<int>(s.devices.size()) != s.gpus) {
      devices->fail("lists " + std::to_string(s.devices.size()) + " devices, but the node has " +
                    std::to_string(s.gpus));
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < s.devices.size(); ++i) {
      const auto& d = s.devices[i];
      if (d.empty() || d.find(',') != std::string::npos || !seen.insert(d).second) {
        devices->at(i).fail("device ids must be distinct and non-empty, without commas");
      }
    }
  } else {
    for (int i = 0; i < s.gpus; ++i) s.devices.push_back(std::to_string(i));
  }
}

void parse_launch(const JsonView& root, Site& s) {
  const JsonView launcher = root.at("launcher");
  s.launcher = strings(launcher, &kJobPlaceholders);
  if (s.launcher.empty()) launcher.fail("the launcher command must not be empty");
  for (std::size_t i = 0; i < s.launcher.size(); ++i) {
    const auto names = placeholders(s.launcher[i]);
    if (std::find(names.begin(), names.end(), "cpus_per_rank") == names.end()) continue;
    if (!s.cpus) launcher.at(i).fail("{cpus_per_rank} needs /node/cpus");
    if (*s.cpus < s.ranks_per_node) {
      launcher.at(i).fail(std::to_string(s.ranks_per_node) + " ranks per node do not fit in " +
                          std::to_string(*s.cpus) + " CPUs");
    }
  }
  if (auto v = root.find("directives")) {
    s.directives = strings(*v, &kJobPlaceholders);
    if (s.scheduler == Scheduler::None && !s.directives.empty()) {
      v->fail("a site without a scheduler takes no directives");
    }
  }
  if (auto v = root.find("modules")) s.modules = strings(*v);
  if (auto v = root.find("env")) s.env = variables(*v);
  if (auto v = root.find("rank_env")) s.rank_env = variables(*v, &kRankPlaceholders);
  if (auto v = root.find("rank_dirs")) {
    s.rank_dirs = strings(*v);
    for (std::size_t i = 0; i < s.rank_dirs.size(); ++i) {
      if (!s.rank_env.count(s.rank_dirs[i])) {
        v->at(i).fail("\"" + s.rank_dirs[i] + "\" is not a variable of /rank_env");
      }
    }
  }
  s.scratch = root.string_or("scratch", "");
  if (auto v = root.find("container")) {
    v->only_keys({"runtime", "exec"});
    s.container.runtime = v->at("runtime").string();
    static const std::vector<std::string> kImage = {"image"};
    s.container.exec = strings(v->at("exec"), &kImage);
    // Programs start in trial directories, and `submit` runs a copy of the site file elsewhere:
    // a relative path would mean a different file in each place.
    if (!s.container.exec.empty()) {
      const std::string& program = s.container.exec.front();
      if (program.find('/') != std::string::npos && std::filesystem::path(program).is_relative()) {
        v->at("exec").at(0).fail(
            "the runtime must be a name looked up in PATH or an absolute path");
      }
    }
  }
  if (auto v = root.find("defaults")) {
    v->only_keys({"queue", "queue_flag"});
    s.default_queue = v->string_or("queue", "");
    if (auto flag = v->find("queue_flag")) {
      s.queue_flag = flag->string();
      if (s.scheduler != Scheduler::Slurm) flag->fail("queue_flag applies to Slurm sites");
      if (s.queue_flag != "--partition" && s.queue_flag != "--qos") {
        flag->fail("queue_flag must be \"--partition\" or \"--qos\"");
      }
    }
  }
}

}  // namespace

std::string to_string(Scheduler scheduler) {
  switch (scheduler) {
    case Scheduler::Slurm:
      return "slurm";
    case Scheduler::Pbs:
      return "pbs";
    case Scheduler::None:
      return "none";
  }
  return "none";
}

Site parse_site(json raw, const std::filesystem::path& file) {
  Site s;
  s.file = file;
  s.raw = std::move(raw);
  const JsonView root(s.raw, file.string());
  root.require_object();
  root.only_keys({"name", "description", "scheduler", "node", "layout", "binding",
                  "threads_per_worker", "ranks_per_trial", "env", "rank_env", "rank_dirs",
                  "modules", "launcher", "directives", "scratch", "container", "defaults"});
  const JsonView name = root.at("name");
  s.name = name.string();
  if (!site_name(s.name)) {
    name.fail("a site name uses lower-case letters, digits, '_' and '-'");
  }
  s.description = root.string_or("description", "");
  s.scheduler = choice<Scheduler>(
      root.at("scheduler"),
      {{"slurm", Scheduler::Slurm}, {"pbs", Scheduler::Pbs}, {"none", Scheduler::None}});
  parse_node(root, s);
  parse_layout(root, s);
  parse_binding(root, s);
  if (auto v = root.find("threads_per_worker")) s.threads_per_worker = positive(*v);
  if (auto v = root.find("ranks_per_trial")) {
    s.ranks_per_trial = positive(*v);
    if (*s.ranks_per_trial > 65536) v->fail("ranks_per_trial must be between 1 and 65536");
  }
  parse_launch(root, s);
  return s;
}

std::vector<std::filesystem::path> site_directories() {
  std::vector<std::filesystem::path> dirs;
  if (const char* list = std::getenv("OVERSEER_SITES")) {
    std::stringstream in(list);
    std::string dir;
    while (std::getline(in, dir, ':')) {
      if (!dir.empty()) dirs.emplace_back(dir);
    }
  }
  dirs.emplace_back(OVERSEER_SITES_DIR);
  return dirs;
}

std::vector<std::filesystem::path> known_site_files() {
  std::map<std::string, std::filesystem::path> by_name;
  for (const auto& dir : site_directories()) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      const auto& path = entry.path();
      if (path.extension() == ".json") by_name.emplace(path.stem().string(), path);
    }
  }
  std::vector<std::filesystem::path> files;
  for (const auto& [name, path] : by_name) files.push_back(path);
  return files;
}

Site load_site(const std::string& name_or_file) {
  std::filesystem::path file = name_or_file;
  const bool is_path = name_or_file.find('/') != std::string::npos || file.extension() == ".json";
  if (!is_path) {
    file.clear();
    std::vector<std::string> names;
    for (const auto& known : known_site_files()) {
      if (known.stem() == name_or_file) file = known;
      names.push_back(known.stem().string());
    }
    if (file.empty()) {
      throw InputError("", "",
                       "--site: unknown site \"" + name_or_file +
                           "\"; known sites: " + (names.empty() ? "none" : joined(names)) +
                           " (or give the path of a site file)");
    }
  }
  return parse_site(read_json_file(file), file);
}

Site with_layout(const Site& site, const LayoutChange& change) {
  if (!change.workers_per_gpu && !change.gpus_per_worker && !change.ranks_per_node) return site;
  json raw = site.raw;
  json& layout = raw["layout"];
  if (layout.is_null()) layout = json::object();
  if (change.workers_per_gpu) layout["workers_per_gpu"] = *change.workers_per_gpu;
  if (change.gpus_per_worker) layout["gpus_per_worker"] = *change.gpus_per_worker;
  if (change.ranks_per_node) layout["ranks_per_node"] = *change.ranks_per_node;
  return parse_site(std::move(raw), site.file);
}

}  // namespace overseer::sites
