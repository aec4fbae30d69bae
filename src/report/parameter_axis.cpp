#include "overseer/report/parameter_axis.hpp"

#include <algorithm>
#include <cmath>

#include "overseer/report/svg.hpp"
#include "overseer/store/results_export.hpp"

namespace overseer::report {
namespace {

// Numbers with at most this many distinct values get a bucket each.
constexpr std::size_t kMaxDistinct = 10;
constexpr std::size_t kBuckets = 8;

bool category_type(const Parameter* spec) {
  return spec != nullptr && spec->type != ParamType::Float && spec->type != ParamType::Int;
}

}  // namespace

ParameterAxis::ParameterAxis(std::string name, const Parameter* spec,
                             const std::vector<json>& observed)
    : name_(std::move(name)) {
  std::vector<json> distinct;
  bool numeric = !category_type(spec);
  for (const auto& v : observed) {
    if (v.is_null()) continue;
    numeric = numeric && v.is_number();
    if (std::find(distinct.begin(), distinct.end(), v) == distinct.end()) distinct.push_back(v);
  }
  if (!numeric || distinct.size() <= kMaxDistinct) {
    // Space order for declared choices, then whatever else the trials held; numbers ascending.
    if (spec != nullptr && category_type(spec)) {
      for (const auto& v : spec->values) {
        if (std::find(distinct.begin(), distinct.end(), v) != distinct.end()) values_.push_back(v);
      }
    }
    if (numeric) {
      std::sort(distinct.begin(), distinct.end(),
                [](const json& a, const json& b) { return a.get<double>() < b.get<double>(); });
    }
    for (const auto& v : distinct) {
      if (std::find(values_.begin(), values_.end(), v) == values_.end()) values_.push_back(v);
    }
    for (const auto& v : values_) {
      labels_.push_back(v.is_number() ? format_number(v.get<double>()) : param_text(v));
    }
    return;
  }
  Extent extent;
  for (const auto& v : distinct) extent.add(v.get<double>());
  log_ = spec != nullptr && spec->log && extent.lo > 0;
  const double lo = log_ ? std::log10(extent.lo) : extent.lo;
  const double hi = log_ ? std::log10(extent.hi) : extent.hi;
  for (std::size_t i = 0; i <= kBuckets; ++i) {
    const double e = lo + (hi - lo) * static_cast<double>(i) / kBuckets;
    edges_.push_back(log_ ? std::pow(10, e) : e);
  }
  // Exact ends, which a round trip through log10 would not give.
  edges_.front() = extent.lo;
  edges_.back() = extent.hi;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    labels_.push_back(format_number(edges_[i]) + "–" + format_number(edges_[i + 1]));
  }
}

std::optional<std::size_t> ParameterAxis::bucket(const json& value) const {
  if (categorical()) {
    const auto it = std::find(values_.begin(), values_.end(), value);
    if (it == values_.end()) return std::nullopt;
    return static_cast<std::size_t>(it - values_.begin());
  }
  if (!value.is_number()) return std::nullopt;
  const double v = value.get<double>();
  if (!(v >= edges_.front() && v <= edges_.back())) return std::nullopt;
  // The last bucket is closed on the right so that the largest value has one.
  const auto upper = std::upper_bound(edges_.begin() + 1, edges_.end() - 1, v);
  return static_cast<std::size_t>(upper - edges_.begin() - 1);
}

}  // namespace overseer::report
