#pragma once

#include <optional>
#include <string>

namespace overseer {

// A metric computed on one study's rows of a scored part: "test_r2@CCLE" is the r2 on the
// test rows of study CCLE. Models report these; the cross-study table reads them back.
std::string study_metric_name(const std::string& metric, const std::string& study);

struct StudyMetric {
  std::string metric;  // "test_r2"
  std::string study;   // "CCLE"
};

// Splits at the first '@' (metric names have none; study names may); nullopt for a name
// without one.
std::optional<StudyMetric> parse_study_metric(const std::string& name);

}  // namespace overseer
