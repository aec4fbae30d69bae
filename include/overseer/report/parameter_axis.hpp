#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "overseer/core/search_space.hpp"

namespace overseer::report {

// How the report groups one hyperparameter's values into heatmap rows or columns and places
// them on a scatter plot's x axis: one bucket per value for categories and for numbers that
// take few distinct values (grids, small int ranges), equal-width buckets otherwise (in log10
// when the space samples the parameter on a log scale).
class ParameterAxis {
 public:
  // `spec` is the parameter's definition when the space has one (UPF tuples have none);
  // `observed` are the values the trials took.
  ParameterAxis(std::string name, const Parameter* spec, const std::vector<json>& observed);

  const std::string& name() const { return name_; }
  bool categorical() const { return edges_.empty(); }
  bool log() const { return log_; }
  const std::vector<std::string>& labels() const { return labels_; }
  // The bucket holding `value`, if any.
  std::optional<std::size_t> bucket(const json& value) const;

 private:
  std::string name_;
  bool log_ = false;
  std::vector<json> values_;   // categorical: one per bucket
  std::vector<double> edges_;  // continuous: labels_.size() + 1 bucket edges
  std::vector<std::string> labels_;
};

}  // namespace overseer::report
