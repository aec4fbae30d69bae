#include "overseer/core/campaign.hpp"

#include <algorithm>
#include <set>

#include "overseer/core/error.hpp"
#include "overseer/core/stable_hash.hpp"

namespace overseer {
namespace {

constexpr const char* kCommandLine = "";

void apply_override(json& doc, const Override& o) {
  json* node = &doc;
  std::string walked;
  for (std::size_t i = 0; i + 1 < o.path.size(); ++i) {
    walked += (walked.empty() ? "" : ".") + o.path[i];
    if (node->is_null()) *node = json::object();
    if (!node->is_object()) {
      throw InputError(kCommandLine, "",
                       "--set " + o.text + ": \"" + walked + "\" is " + json_type_name(*node) +
                           ", not an object");
    }
    node = &(*node)[o.path[i]];
  }
  if (node->is_null()) *node = json::object();
  if (!node->is_object()) {
    throw InputError(kCommandLine, "",
                     "--set " + o.text + ": cannot set a field inside " + json_type_name(*node));
  }
  (*node)[o.path.back()] = o.value;
}

json parse_space(const JsonView& view, const std::filesystem::path& base, std::string& file) {
  if (view.value().is_string()) {
    auto path = base / view.string();
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
      view.fail("space file " + path.string() +
                (error ? ": " + error.message() : " does not exist"));
    }
    file = path.string();
    return read_json_file(path);
  }
  if (!view.value().is_array()) {
    view.fail("expected an array of parameters or the path of a space file, found " +
              json_type_name(view.value()));
  }
  return view.value();
}

// Each entry must exist, and no two may share a name: all land in one directory per node.
std::vector<std::string> parse_stage(const JsonView& view, const std::filesystem::path& base) {
  if (!view.value().is_array()) {
    view.fail("expected an array of files or directories, found " + json_type_name(view.value()));
  }
  std::vector<std::string> entries;
  std::set<std::string> names;
  for (const auto& element : view.elements()) {
    const std::string text = element.string();
    const std::filesystem::path path =
        std::filesystem::path(text).is_absolute() ? std::filesystem::path(text) : base / text;
    std::error_code error;
    if (text.empty() || !std::filesystem::exists(path, error)) {
      element.fail(path.string() + (error ? ": " + error.message() : " does not exist"));
    }
    const std::string name = staged_name(text);
    if (name.empty() || name == "." || name == "..") {
      element.fail("stage entries must name a file or directory, not \"" + text + "\"");
    }
    if (!names.insert(name).second) {
      element.fail("another stage entry is also named \"" + name +
                   "\"; staged copies share one directory per node");
    }
    entries.push_back(text);
  }
  return entries;
}

// NAME_MAX of Linux file systems.
constexpr std::size_t kMaxNameLength = 255;

bool letter_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A letter or digit, then letters, digits, '.', '_' and '-'. Not a std::regex: its matcher
// recurses once per character, and a long enough name overflowed the stack.
bool safe_name(const std::string& name) {
  return !name.empty() && letter_or_digit(name.front()) &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return letter_or_digit(c) || c == '.' || c == '_' || c == '-'; });
}

}  // namespace

std::string staged_name(const std::string& entry) {
  auto path = std::filesystem::path(entry).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();
  return path.filename().string();
}

Override parse_override(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw InputError(kCommandLine, "", "--set " + text + ": expected dotted.key=value");
  }
  Override o;
  o.text = text;
  std::string key = text.substr(0, eq);
  std::size_t start = 0;
  while (true) {
    auto dot = key.find('.', start);
    std::string part =
        key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw InputError(kCommandLine, "", "--set " + text + ": empty key segment");
    o.path.push_back(part);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::string value = text.substr(eq + 1);
  o.value = json::parse(value, nullptr, false);
  if (o.value.is_discarded()) o.value = value;
  return o;
}

std::filesystem::path Campaign::resolve_path(const std::string& path) const {
  std::filesystem::path p(path);
  return p.is_absolute() ? p : base_dir / p;
}

Campaign parse_campaign(json raw, const std::filesystem::path& file) {
  Campaign c;
  c.file = file;
  c.base_dir = file.parent_path();
  c.raw = std::move(raw);
  JsonView root(c.raw, file.string());
  root.require_object();
  // "hash" is what overseer adds to the campaign.json it writes; accepted so that file can be
  // run again as it is.
  root.only_keys({"name", "description", "model", "space", "search", "objective", "limits",
                  "output", "balancer", "stage", "scheduler", "checkpoint", "hash"});

  auto name = root.at("name");
  c.name = name.string();
  if (c.name.size() > kMaxNameLength) {
    name.fail("name must be at most " + std::to_string(kMaxNameLength) +
              " characters (it names the run directory)");
  }
  if (!safe_name(c.name)) {
    name.fail(
        "name must start with a letter or digit and use only letters, digits, '.', '_' "
        "and '-' (it names the run directory)");
  }
  c.description = root.string_or("description", "");

  auto model = root.at("model");
  model.only_keys({"name", "params", "data", "seeds", "ranks_per_trial"});
  c.model.name = model.at("name").string();
  if (auto params = model.find("params")) {
    params->require_object();
    c.model.params = params->value();
  }
  if (auto data = model.find("data")) c.model.data = data->value();
  if (auto seeds = model.find("seeds")) {
    const std::string policy = seeds->string();
    if (policy == "fixed") {
      c.model.seeds = TrialSeeds::Fixed;
    } else if (policy != "per_trial") {
      seeds->fail("seeds must be \"per_trial\" or \"fixed\", found \"" + policy + "\"");
    }
  }
  if (auto k = model.find("ranks_per_trial")) {
    c.model.ranks_per_trial = k->integer();
    if (c.model.ranks_per_trial < 1 || c.model.ranks_per_trial > 65536) {
      k->fail("ranks_per_trial must be between 1 and 65536");
    }
  }

  if (auto space = root.find("space")) {
    c.space_json = parse_space(*space, c.base_dir, c.space_file);
    c.space = SearchSpace::parse(
        c.space_file.empty() ? JsonView(c.space_json, file.string(), json::json_pointer("/space"))
                             : JsonView(c.space_json, c.space_file));
  }
  for (const auto& p : c.space.parameters()) {
    if (c.model.params.contains(p.name)) {
      model.at("params").at(p.name).fail("\"" + p.name +
                                         "\" is both a fixed parameter and in the search space");
    }
  }

  json empty = json::object();
  auto search =
      root.find("search").value_or(JsonView(empty, file.string(), json::json_pointer("/search")));
  search.require_object();
  c.search.algorithm = search.string_or("algorithm", "random");
  if (auto budget = search.find("budget")) {
    c.search.budget = budget->integer();
    if (*c.search.budget < 1) budget->fail("budget must be at least 1");
  }
  if (auto seed = search.find("seed")) {
    auto s = seed->integer();
    if (s < 0) seed->fail("seed must not be negative");
    c.search.seed = static_cast<std::uint64_t>(s);
  }
  c.search.options = search.value();

  auto objective = root.find("objective")
                       .value_or(JsonView(empty, file.string(), json::json_pointer("/objective")));
  objective.only_keys({"metric", "mode"});
  c.objective.metric = objective.string_or("metric", "");
  if (auto mode = objective.find("mode")) {
    auto m = mode->string();
    if (m == "min") {
      c.objective.mode = ObjectiveMode::Min;
    } else if (m == "max") {
      c.objective.mode = ObjectiveMode::Max;
    } else {
      mode->fail("mode must be \"min\" or \"max\"");
    }
  }

  auto limits =
      root.find("limits").value_or(JsonView(empty, file.string(), json::json_pointer("/limits")));
  limits.only_keys(
      {"task_timeout_s", "max_failures", "retries", "cancel_grace_s", "walltime_s", "drain_s"});
  if (auto t = limits.find("task_timeout_s")) {
    c.limits.task_timeout_s = t->number();
    // Beyond a year the steady clock's range is at risk and no batch job lives that long.
    if (c.limits.task_timeout_s < 0 || c.limits.task_timeout_s > 3.2e7) {
      t->fail("task_timeout_s must be between 0 (no limit) and 3.2e7 seconds");
    }
  }
  if (auto m = limits.find("max_failures"); m && !m->value().is_null()) {
    c.limits.max_failures = m->integer();
    if (*c.limits.max_failures < 1)
      m->fail("max_failures must be at least 1, or null for no limit");
  }
  if (auto r = limits.find("retries")) {
    c.limits.retries = r->integer();
    if (c.limits.retries < 0) r->fail("retries must not be negative");
  }
  if (auto w = limits.find("walltime_s")) {
    c.limits.walltime_s = w->number();
    if (c.limits.walltime_s < 0 || c.limits.walltime_s > 3.2e7) {
      w->fail("walltime_s must be between 0 (no limit) and 3.2e7 seconds");
    }
  }
  if (auto d = limits.find("drain_s")) {
    c.limits.drain_s = d->number();
    if (c.limits.drain_s < 0 || c.limits.drain_s > 86400) {
      d->fail("drain_s must be between 0 and 86400 seconds");
    }
  }
  if (auto g = limits.find("cancel_grace_s")) {
    c.limits.cancel_grace_s = g->number();
    if (c.limits.cancel_grace_s < 0 || c.limits.cancel_grace_s > 3.2e7) {
      g->fail("cancel_grace_s must be between 0 and 3.2e7 seconds");
    }
  }

  if (auto checkpoint = root.find("checkpoint")) {
    checkpoint->only_keys({"every_steps", "keep"});
    c.checkpoint.every_steps = checkpoint->integer_or("every_steps", 0);
    if (c.checkpoint.every_steps < 0) {
      checkpoint->at("every_steps").fail("every_steps must not be negative (0: no checkpoints)");
    }
    c.checkpoint.keep = checkpoint->integer_or("keep", 1);
    if (c.checkpoint.keep < 1) checkpoint->at("keep").fail("keep must be at least 1");
  }

  auto output =
      root.find("output").value_or(JsonView(empty, file.string(), json::json_pointer("/output")));
  output.only_keys({"dir", "fsync", "group_commit_ms", "trial_dirs"});
  c.output.dir = output.string_or("dir", c.output.dir);
  if (c.output.dir.empty()) output.at("dir").fail("dir must not be empty");
  if (auto f = output.find("fsync")) {
    auto policy = f->string();
    if (policy == "always") {
      c.output.fsync = FsyncPolicy::Always;
    } else if (policy == "group") {
      c.output.fsync = FsyncPolicy::Group;
    } else {
      f->fail("fsync must be \"always\" or \"group\"");
    }
  }
  if (auto g = output.find("group_commit_ms")) {
    c.output.group_commit_ms = g->integer();
    if (c.output.group_commit_ms < 1) g->fail("group_commit_ms must be at least 1");
  }
  c.output.trial_dirs = output.boolean_or("trial_dirs", c.output.trial_dirs);

  auto balancer = root.find("balancer")
                      .value_or(JsonView(empty, file.string(), json::json_pointer("/balancer")));
  balancer.only_keys({"workers_per_server", "steal", "prefetch"});
  if (auto w = balancer.find("workers_per_server")) {
    c.balancer.workers_per_server = w->integer();
    if (c.balancer.workers_per_server < 1 || c.balancer.workers_per_server > 1'000'000) {
      w->fail("workers_per_server must be between 1 and 1000000");
    }
  }
  c.balancer.steal = balancer.boolean_or("steal", c.balancer.steal);
  if (auto p = balancer.find("prefetch")) {
    c.balancer.prefetch = p->integer();
    if (c.balancer.prefetch < 1 || c.balancer.prefetch > 64) p->fail("prefetch must be 1..64");
  }
  if (auto stage = root.find("stage")) c.stage = parse_stage(*stage, c.base_dir);
  if (auto scheduler = root.find("scheduler")) {
    scheduler->require_object();
    c.scheduler = scheduler->value();
  }
  return c;
}

Campaign load_campaign(const std::filesystem::path& file,
                       const std::vector<std::string>& overrides) {
  json raw = read_json_file(file);
  if (!raw.is_object()) {
    throw InputError(file.string(), "", "expected a JSON object, found " + json_type_name(raw));
  }
  for (const auto& text : overrides) apply_override(raw, parse_override(text));
  return parse_campaign(std::move(raw), file);
}

json Campaign::resolved() const {
  json search_out = search.options;
  search_out["algorithm"] = search.algorithm;
  search_out["seed"] = search.seed;
  if (search.budget) search_out["budget"] = *search.budget;
  json max_failures = limits.max_failures ? json(*limits.max_failures) : json(nullptr);
  json out = {{"name", name},
              {"model",
               {{"name", model.name},
                {"params", model.params},
                {"data", model.data},
                {"seeds", model.seeds == TrialSeeds::Fixed ? "fixed" : "per_trial"}}},
              {"search", search_out},
              {"objective",
               {{"metric", objective.metric},
                {"mode", objective.mode == ObjectiveMode::Min ? "min" : "max"}}},
              {"limits",
               {{"task_timeout_s", limits.task_timeout_s},
                {"max_failures", max_failures},
                {"retries", limits.retries},
                {"cancel_grace_s", limits.cancel_grace_s},
                {"walltime_s", limits.walltime_s},
                {"drain_s", limits.drain_s}}},
              {"output",
               {{"dir", output.dir},
                {"fsync", output.fsync == FsyncPolicy::Always ? "always" : "group"},
                {"group_commit_ms", output.group_commit_ms},
                {"trial_dirs", output.trial_dirs}}},
              {"balancer",
               {{"workers_per_server", balancer.workers_per_server},
                {"steal", balancer.steal},
                {"prefetch", balancer.prefetch}}}};
  if (model.ranks_per_trial > 1) out["model"]["ranks_per_trial"] = model.ranks_per_trial;
  if (!space.parameters().empty()) out["space"] = space.to_json();
  if (!description.empty()) out["description"] = description;
  if (!stage.empty()) out["stage"] = stage;
  if (!scheduler.is_null()) out["scheduler"] = scheduler;
  if (checkpoint.every_steps > 0) {
    out["checkpoint"] = {{"every_steps", checkpoint.every_steps}, {"keep", checkpoint.keep}};
  }
  return out;
}

std::string Campaign::identity_hash() const {
  json r = resolved();
  // Runs written before model.seeds existed used per-trial seeds and hashed no such field;
  // leaving the default out keeps them resumable.
  if (model.seeds == TrialSeeds::PerTrial) r["model"].erase("seeds");
  // Data parallel training computes the same function: a run may resume on another allocation.
  r["model"].erase("ranks_per_trial");
  json identity = {{"name", r["name"]},
                   {"model", r["model"]},
                   {"space", r.value("space", json::array())},
                   {"search", r["search"]},
                   {"objective", r["objective"]}};
  // Absent from campaigns without one, whose runs from before schedulers stay resumable.
  if (r.contains("scheduler")) identity["scheduler"] = r["scheduler"];
  return stable_hash_hex(identity.dump());
}

}  // namespace overseer
