#pragma once

#include <map>
#include <string>

#include "overseer/core/json_view.hpp"

namespace overseer {

// The parameters one submodel of the `cmp` model receives, and for each the trial parameter it
// came from, so that an error about it can point at what the user wrote.
struct RoutedParams {
  json params = json::object();
  std::map<std::string, std::string> origin;  // routed name -> trial parameter name
};

// Routes a comparison trial's parameters to submodel `index` (0 or 1): `cmp_<index>_x` goes to
// that submodel only as `x`, `cmp_x` to both as `x`, and any other name to both unchanged. When
// several names route to the same `x`, the most specific wins: `cmp_<index>_x`, then `cmp_x`,
// then `x`; a search can thus vary `cmp_0_x` on top of a fixed `x`. Throws ParameterError for
// a prefix that names nothing (`cmp_`, `cmp_0_`) and for a submodel other than 0 and 1
// (`cmp_2_x`), which would otherwise reach both submodels as `2_x`.
RoutedParams route_cmp_params(const json& params, int index);

}  // namespace overseer
