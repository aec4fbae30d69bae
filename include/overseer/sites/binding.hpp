#pragma once

#include <map>
#include <string>
#include <vector>

#include "overseer/sites/site.hpp"

namespace overseer::sites {

// Where one rank runs: its place among the ranks that share its node.
struct RankPlace {
  int rank = 0;
  int local_rank = 0;        // from MPI_Comm_split_type(MPI_COMM_TYPE_SHARED), in world-rank order
  int local_size = 1;        // ranks on this node
  int hardware_threads = 1;  // what this machine reports, for sites that leave node.cores unset
  std::string user;
};

// What a rank gets from the site: its GPUs, its threads and its environment.
struct DeviceBinding {
  std::string visible;  // the visible-device variable's value ("4", "0.1", "2,3"); empty: none
  // What a model's `device: auto` means on this rank: cuda:0, rocm:0 or xpu:0 (the first bound
  // GPU, as the runtime numbers it once the variable is set), or cpu on a site without GPUs.
  std::string device = "cpu";
  std::vector<std::string> devices;        // every bound GPU under that numbering
  int threads = 1;                         // default intra-op threads for the models
  std::map<std::string, std::string> env;  // set on the rank, replacing what was there
  std::vector<std::string> dirs;           // directories the rank creates
};

// Slot i of a node (its node-local rank, wrapping past ranks_per_node) gets the site's devices
// from position (i / workers_per_gpu) * gpus_per_worker on, gpus_per_worker of them. A pure
// function, so every layout can be checked without the machine.
DeviceBinding bind_rank(const Site& site, const RankPlace& place);

// Sets the site's `env` and the binding's variables, replacing what the environment held (the
// binding depends on them, e.g. Level Zero's device hierarchy), and creates the binding's
// directories. Call it before anything initialises a GPU runtime. Throws std::runtime_error when
// a directory cannot be made.
void apply_binding(const Site& site, const DeviceBinding& binding);

}  // namespace overseer::sites
