#include "overseer/models/plugins.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

namespace overseer {
namespace {

namespace fs = std::filesystem;

// Model name -> the plug-in library (without "lib" and ".so") that registers it.
const std::map<std::string, std::string>& plugin_of_model() {
  static const std::map<std::string, std::string> plugins = {{"torch_mlp", "overseer_torch"},
                                                             {"torch_cnn", "overseer_torch"}};
  return plugins;
}

std::vector<fs::path> search_dirs() {
  std::vector<fs::path> dirs;
  if (const char* dir = std::getenv("OVERSEER_PLUGIN_DIR"); dir != nullptr && *dir != '\0') {
    dirs.emplace_back(dir);
  }
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    dirs.push_back(exe.parent_path());
    dirs.push_back(exe.parent_path().parent_path() / "lib" / "overseer");
  }
  return dirs;
}

std::string open_plugin(const std::string& model_name, const std::string& plugin) {
  const std::string file = "lib" + plugin + ".so";
  std::string looked;
  for (const auto& dir : search_dirs()) {
    const fs::path candidate = dir / file;
    if (!fs::exists(candidate)) {
      looked += (looked.empty() ? "" : ", ") + dir.string();
      continue;
    }
    // RTLD_GLOBAL: the plug-in's registrations must land in this executable's registries.
    if (dlopen(candidate.c_str(), RTLD_NOW | RTLD_GLOBAL) != nullptr) return "";
    return "model \"" + model_name + "\": cannot load " + candidate.string() + ": " + dlerror();
  }
  return "model \"" + model_name + "\" needs " + file + ", which was not built or is not in " +
         looked + " (set OVERSEER_PLUGIN_DIR)";
}

}  // namespace

std::string load_model_plugin(const std::string& model_name) {
  static std::map<std::string, std::string> outcomes;  // plug-in -> error, empty when loaded
  const auto plugin = plugin_of_model().find(model_name);
  if (plugin == plugin_of_model().end()) return "";
  auto known = outcomes.find(plugin->second);
  if (known == outcomes.end()) {
    known = outcomes.emplace(plugin->second, open_plugin(model_name, plugin->second)).first;
  }
  return known->second;
}

std::vector<std::string> plugin_model_names() {
  std::vector<std::string> names;
  for (const auto& [model, plugin] : plugin_of_model()) names.push_back(model);
  return names;
}

}  // namespace overseer
