#pragma once

#include <string>
#include <vector>

namespace overseer {

// How the `cmp` model turns its submodels' metrics V0 and V1 into one value to minimize.
enum class CmpDifference {
  // -|V1 - V0| / max(|V0|, |V1|), in [-2, 0]. For metrics that are never negative (losses) the
  // denominator is max(V0, V1), the CMP paper's formula; with absolute values it stays <= 0
  // and continuous for signed metrics such as r2 too, where max(V0, V1) may be 0 or negative.
  // Equal values, both zero included, give 0: no difference.
  Relative,
  Absolute,  // -|V1 - V0|
  Signed,    // V1 - V0
};

const std::vector<std::string>& cmp_difference_names();
// One of cmp_difference_names(); throws std::invalid_argument otherwise.
CmpDifference parse_cmp_difference(const std::string& name);

// NaN when either value is not finite.
double cmp_difference(CmpDifference kind, double v0, double v1);

}  // namespace overseer
