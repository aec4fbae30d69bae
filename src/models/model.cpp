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
  const ModelEntry* entry = ModelRegistry::instance().find(campaign.model.name);
  if (entry == nullptr) {
    if (const std::string error = load_model_plugin(campaign.model.name); !error.empty()) {
      throw InputError(campaign.file.string(), "/model/name", error);
    }
    entry = ModelRegistry::instance().find(campaign.model.name);
  }
  if (entry == nullptr) {
    throw InputError(campaign.file.string(), "/model/name",
                     "unknown model \"" + campaign.model.name + "\"; available: " + known_models());
  }
  return *entry;
}

json merge_params(const json& fixed, const json& tuple) {
  json merged = fixed.is_object() ? fixed : json::object();
  for (const auto& item : tuple.items()) merged[item.key()] = item.value();
  return merged;
}

}  // namespace overseer
