#include "overseer/models/model.hpp"

#include "overseer/core/error.hpp"

namespace overseer {

const ModelEntry& find_model(const Campaign& campaign) {
  const ModelEntry* entry = ModelRegistry::instance().find(campaign.model.name);
  if (entry == nullptr) {
    throw InputError(campaign.file.string(), "/model/name",
                     "unknown model \"" + campaign.model.name +
                         "\"; available: " + ModelRegistry::instance().names_joined());
  }
  return *entry;
}

json merge_params(const json& fixed, const json& tuple) {
  json merged = fixed.is_object() ? fixed : json::object();
  for (const auto& item : tuple.items()) merged[item.key()] = item.value();
  return merged;
}

double number_param(const json& params, const std::string& name) {
  auto it = params.find(name);
  if (it == params.end()) throw ParameterError(name, "missing parameter \"" + name + "\"");
  if (!it->is_number()) {
    throw ParameterError(
        name, "parameter \"" + name + "\" must be a number, found " + json_type_name(*it));
  }
  return it->get<double>();
}

}  // namespace overseer
