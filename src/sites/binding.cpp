#include "overseer/sites/binding.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "overseer/sites/placeholders.hpp"

namespace overseer::sites {
namespace {

std::string device_prefix(GpuRuntime runtime) {
  switch (runtime) {
    case GpuRuntime::Cuda:
      return "cuda:";
    case GpuRuntime::Rocm:
      return "rocm:";
    case GpuRuntime::LevelZero:
      return "xpu:";
    case GpuRuntime::None:
      break;
  }
  return "";
}

}  // namespace

DeviceBinding bind_rank(const Site& site, const RankPlace& place) {
  DeviceBinding b;
  const int cores = site.cores.value_or(place.hardware_threads);
  b.threads = site.threads_per_worker.value_or(std::max(1, cores / std::max(1, place.local_size)));
  b.env["OMP_NUM_THREADS"] = std::to_string(b.threads);

  if (site.gpus > 0) {
    const int slot = place.local_rank % site.ranks_per_node;
    const int first = slot / site.workers_per_gpu * site.gpus_per_worker;
    for (int i = 0; i < site.gpus_per_worker; ++i) {
      b.visible += (i == 0 ? "" : ",") + site.devices[static_cast<std::size_t>(first + i)];
      b.devices.push_back(device_prefix(site.gpu_runtime) + std::to_string(i));
    }
    b.device = b.devices.front();
    b.env[site.visible_devices] = b.visible;
  }

  const std::map<std::string, std::string> values = {
      {"local_rank", std::to_string(place.local_rank)},
      {"rank", std::to_string(place.rank)},
      {"user", place.user}};
  for (const auto& [name, value] : site.rank_env) b.env[name] = expand(value, values);
  for (const auto& name : site.rank_dirs) b.dirs.push_back(b.env.at(name));
  return b;
}

void apply_binding(const Site& site, const DeviceBinding& binding) {
  for (const auto& [name, value] : site.env) {
    ::setenv(name.c_str(), expand_environment(value).c_str(), 1);
  }
  for (const auto& [name, value] : binding.env) ::setenv(name.c_str(), value.c_str(), 1);
  for (const auto& dir : binding.dirs) {
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) throw std::runtime_error("cannot create " + dir + ": " + error.message());
  }
}

}  // namespace overseer::sites
