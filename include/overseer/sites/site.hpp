#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "overseer/core/json_view.hpp"

namespace overseer::sites {

enum class Scheduler { Slurm, Pbs, None };
enum class GpuRuntime { None, Cuda, Rocm, LevelZero };

std::string to_string(Scheduler scheduler);

// How the site runs containers. Overseer itself runs outside them; a `command` model that names
// an image and no launcher of its own puts `exec` before its argv.
struct ContainerSpec {
  std::string runtime;  // apptainer, podman-hpc, shifter; empty: none
  // argv prefix; "{image}" stands for the image. Its program is a name in PATH or absolute.
  std::vector<std::string> exec;
};

// One cluster, or a laptop, as its site file describes it (docs/sites.md lists every field).
struct Site {
  std::filesystem::path file;
  json raw;  // the document as read (with layout changes applied); parse_site(raw) gives this
  std::string name;
  std::string description;
  Scheduler scheduler = Scheduler::None;

  std::optional<int> cores;  // physical cores per node for workers; unset: this machine's
  std::optional<int> cpus;   // CPUs per node as the launcher's per-rank CPU count reads them
  int gpus = 0;              // devices to bind per node (GCDs on MI250X, tiles on Max 1550)
  std::string gpu_kind;
  GpuRuntime gpu_runtime = GpuRuntime::None;

  int workers_per_gpu = 1;
  int gpus_per_worker = 1;
  int ranks_per_node = 1;  // GPU sites: gpus * workers_per_gpu / gpus_per_worker

  std::string visible_devices;            // the variable that restricts a rank's devices
  std::vector<std::string> devices;       // device ids, in order of node-local rank
  std::optional<int> threads_per_worker;  // unset: cores / ranks on the node, at least 1
  // The default of model.ranks_per_trial for the data-parallel models (e.g. a node's GPUs).
  std::optional<int> ranks_per_trial;

  std::map<std::string, std::string> env;       // the batch script, and every rank (replacing)
  std::map<std::string, std::string> rank_env;  // per rank; {local_rank}, {rank}, {user}
  std::vector<std::string> rank_dirs;           // rank_env variables naming directories to create
  std::vector<std::string> modules;
  std::vector<std::string> launcher;    // argv before `overseer run ...`
  std::vector<std::string> directives;  // scheduler directives, without the #SBATCH / #PBS
  std::string scratch;                  // node-local storage; $VARS expand on the node
  ContainerSpec container;
  std::string default_queue;
  std::string queue_flag = "--partition";  // Slurm's option for the queue (NERSC: --qos)
};

// Placeholders each templated field may use.
extern const std::vector<std::string> kJobPlaceholders;   // launcher, directives
extern const std::vector<std::string> kRankPlaceholders;  // rank_env

// Checks a site document; throws InputError naming `file` and the field.
Site parse_site(json raw, const std::filesystem::path& file);

// A name from `overseer sites`, or the path of a site file (anything with a '/' or ending in
// .json). Throws InputError for an unknown name or a bad file.
Site load_site(const std::string& name_or_file);

// Directories searched for site files by name: $OVERSEER_SITES (colon-separated), then the
// sites/ directory of the source tree this binary was built from.
std::vector<std::filesystem::path> site_directories();
// Every NAME.json in those directories (the first of each name wins).
std::vector<std::filesystem::path> known_site_files();

// The same site with another worker layout; values left unset keep the site's. Throws InputError.
struct LayoutChange {
  std::optional<int> workers_per_gpu;
  std::optional<int> gpus_per_worker;
  std::optional<int> ranks_per_node;
};
Site with_layout(const Site& site, const LayoutChange& change);

}  // namespace overseer::sites
