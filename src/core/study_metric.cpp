#include "overseer/core/study_metric.hpp"

namespace overseer {

std::string study_metric_name(const std::string& metric, const std::string& study) {
  return metric + "@" + study;
}

std::optional<StudyMetric> parse_study_metric(const std::string& name) {
  const auto at = name.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == name.size()) return std::nullopt;
  return StudyMetric{name.substr(0, at), name.substr(at + 1)};
}

}  // namespace overseer
