#include "overseer/models/cmp_routing.hpp"

#include <cctype>

#include "overseer/models/parameters.hpp"

namespace overseer {
namespace {

constexpr const char* kPrefix = "cmp_";

// 0: a plain name; 1: `cmp_x`, meant for both submodels; 2: `cmp_<i>_x`, for submodel i only.
struct Route {
  int specificity = 0;
  int submodel = -1;  // for specificity 2
  std::string name;
};

Route parse_route(const std::string& key) {
  if (key.rfind(kPrefix, 0) != 0) return {0, -1, key};
  const std::string rest = key.substr(4);
  std::size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  if (digits > 0 && digits < rest.size() && rest[digits] == '_') {
    const std::string number = rest.substr(0, digits);
    if (number != "0" && number != "1") {
      throw ParameterError(key, "parameter \"" + key +
                                    "\": the cmp model routes cmp_0_ and cmp_1_ to its two "
                                    "submodels; there is no submodel " +
                                    number);
    }
    Route route{2, number == "0" ? 0 : 1, rest.substr(digits + 1)};
    if (route.name.empty()) {
      throw ParameterError(key, "parameter \"" + key + "\" names no parameter after its prefix");
    }
    return route;
  }
  if (rest.empty()) {
    throw ParameterError(key, "parameter \"" + key + "\" names no parameter after its prefix");
  }
  return {1, -1, rest};
}

}  // namespace

RoutedParams route_cmp_params(const json& params, int index) {
  RoutedParams out;
  std::map<std::string, int> specificity;  // of the value routed so far to each name
  for (const auto& item : params.items()) {
    const Route route = parse_route(item.key());
    if (route.specificity == 2 && route.submodel != index) continue;
    auto [known, fresh] = specificity.emplace(route.name, route.specificity);
    if (!fresh && known->second >= route.specificity) continue;
    known->second = route.specificity;
    out.params[route.name] = item.value();
    out.origin[route.name] = item.key();
  }
  return out;
}

}  // namespace overseer
