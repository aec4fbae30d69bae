#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "overseer/core/json_view.hpp"
#include "overseer/core/search_space.hpp"

namespace overseer {

enum class ObjectiveMode { Min, Max };
enum class FsyncPolicy { Always, Group };
// Which seed a trial's model trains with: its own (from search.seed and the trial id), or the
// same for every trial, which makes the value a function of the hyperparameters alone.
enum class TrialSeeds { PerTrial, Fixed };

struct ModelSpec {
  std::string name;
  json params = json::object();  // fixed hyperparameters, merged under every tuple
  json data;                     // model-specific data description
  TrialSeeds seeds = TrialSeeds::PerTrial;
  // Worker ranks that train each trial together, data parallel (docs/models.md); a site may set
  // the default.
  std::int64_t ranks_per_trial = 1;
  // Where `data` is in the campaign file, for error messages: a comparison's submodels are
  // campaigns of their own whose data lies deeper.
  std::string data_pointer = "/model/data";
};

struct SearchSpec {
  std::string algorithm;
  std::optional<std::int64_t> budget;  // trials to create; searchers may cap it
  std::uint64_t seed = 0;
  json options = json::object();  // the whole `search` object, for algorithm options
};

struct ObjectiveSpec {
  std::string metric;  // empty: the model's primary metric
  ObjectiveMode mode = ObjectiveMode::Min;
};

struct LimitsSpec {
  double task_timeout_s = 0;                 // 0: no limit
  std::optional<std::int64_t> max_failures;  // unset: never stop for failures
  std::int64_t retries = 0;
  double cancel_grace_s = 5;  // how long a timed-out model gets to stop before it is abandoned
  double walltime_s = 0;      // 0: none; else this run (or resume) drains after this long
  double drain_s = 20;        // how long a drain waits for running trials to pause
};

// How the ranks share out work (docs/protocol.md, "Servers").
struct BalancerSpec {
  std::int64_t workers_per_server = 256;
  bool steal = true;
  // Tasks a worker holds at once (running + waiting); above 1, a worker never waits a round
  // trip to the master between short trials, but waiting tasks can no longer be stolen.
  std::int64_t prefetch = 1;
};

// How often trials save their training state, so that a resumed campaign continues a trial
// where it was (docs/models.md, "Checkpoints").
struct CheckpointSpec {
  std::int64_t every_steps = 0;  // 0: never
  std::int64_t keep = 1;         // the newest this many are kept
};

struct OutputSpec {
  std::string dir = "runs";
  FsyncPolicy fsync = FsyncPolicy::Always;
  std::int64_t group_commit_ms = 100;
  bool trial_dirs = true;
};

// A campaign file after structural validation. Registries (searchers, models) are checked by
// the caller, which knows them; core only knows the file format.
struct Campaign {
  std::filesystem::path file;      // as given by the user
  std::filesystem::path base_dir;  // relative paths inside the campaign resolve against this
  json raw;                        // after overrides, before defaults

  std::string name;
  std::string description;
  ModelSpec model;
  SearchSpace space;
  json space_json;  // parsed space as written (inline, or loaded from `space_file`)
  std::string space_file;
  SearchSpec search;
  ObjectiveSpec objective;
  LimitsSpec limits;
  CheckpointSpec checkpoint;
  OutputSpec output;
  BalancerSpec balancer;
  // The `scheduler` object as written (null when absent); the schedulers module reads it.
  json scheduler;
  // Files and directories copied to node-local scratch before trials start, as written (relative
  // to the campaign's directory); see docs/campaign.md, "stage".
  std::vector<std::string> stage;
  // How the machine the campaign runs on starts a program in a container image (the argv
  // prefix, with {image}): the site's container.exec under `overseer run --site`, else empty.
  // Not in the file, since one campaign runs on several sites.
  std::vector<std::string> site_container_launcher;
  // The run directory, absolute, on the ranks of a running campaign (empty elsewhere: `overseer
  // validate`, `overseer train`). Not in the file, since a run may be moved or resumed elsewhere.
  std::filesystem::path run_dir;

  // Resolves a path the user wrote in the campaign against the campaign's directory.
  std::filesystem::path resolve_path(const std::string& path) const;

  // The campaign with every default filled in and the space inlined.
  json resolved() const;
  // Hash over the parts that decide which trials run and what they return (name, model,
  // space, search, objective, scheduler); limits and output may change between a run and its
  // resume.
  std::string identity_hash() const;
};

// One `--set dotted.key=value` override; the value is parsed as JSON when it parses, else taken
// as a string.
struct Override {
  std::vector<std::string> path;
  json value;
  std::string text;
};
Override parse_override(const std::string& text);

// The name a `stage` entry's copy has in the per-node stage directory: its last path component.
std::string staged_name(const std::string& entry);

Campaign load_campaign(const std::filesystem::path& file,
                       const std::vector<std::string>& overrides = {});

// Builds a campaign from an already-parsed document (for tests and resumed runs).
Campaign parse_campaign(json raw, const std::filesystem::path& file);

}  // namespace overseer
