#include "overseer/models/model.hpp"

#include <set>

#include "overseer/core/error.hpp"
#include "overseer/models/plugins.hpp"

namespace overseer {

namespace {

std::string known_models() {
  std::set<std::string> names;
  for (const auto& name : ModelRegistry::instance().names()) names.insert(name);
  for (const auto& name : plugin_model_names()) names.insert(name);
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

const ModelEntry& find_model(const Campaign& campaign) {
  return find_model(campaign.model.name, campaign.file.string(), "/model/name");
}

const ModelEntry& find_model(const std::string& name, const std::string& file,
                             const std::string& pointer) {
  const ModelEntry* entry = ModelRegistry::instance().find(name);
  if (entry == nullptr) {
    if (const std::string error = load_model_plugin(name); !error.empty()) {
      throw InputError(file, pointer, error);
    }
    entry = ModelRegistry::instance().find(name);
  }
  if (entry == nullptr) {
    throw InputError(file, pointer, "unknown model \"" + name + "\"; available: " + known_models());
  }
  return *entry;
}

json merge_params(const json& fixed, const json& tuple) {
  json merged = fixed.is_object() ? fixed : json::object();
  for (const auto& item : tuple.items()) merged[item.key()] = item.value();
  return merged;
}

}  // namespace overseer
