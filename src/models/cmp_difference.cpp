#include "overseer/models/cmp_difference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace overseer {

const std::vector<std::string>& cmp_difference_names() {
  static const std::vector<std::string> names = {"relative", "absolute", "signed"};
  return names;
}

CmpDifference parse_cmp_difference(const std::string& name) {
  if (name == "relative") return CmpDifference::Relative;
  if (name == "absolute") return CmpDifference::Absolute;
  if (name == "signed") return CmpDifference::Signed;
  throw std::invalid_argument("difference must be relative, absolute or signed, not \"" + name +
                              "\"");
}

double cmp_difference(CmpDifference kind, double v0, double v1) {
  if (!std::isfinite(v0) || !std::isfinite(v1)) return std::numeric_limits<double>::quiet_NaN();
  switch (kind) {
    case CmpDifference::Relative: {
      if (v0 == v1) return 0.0;  // also the only way the denominator below can be 0
      return 0.0 - std::abs(v1 - v0) / std::max(std::abs(v0), std::abs(v1));
    }
    case CmpDifference::Absolute:
      // 0.0 - x rather than -x: equal values give 0, not -0, in results.
      return 0.0 - std::abs(v1 - v0);
    case CmpDifference::Signed:
      return v1 - v0;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace overseer
