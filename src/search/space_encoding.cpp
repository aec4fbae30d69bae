#include "overseer/search/space_encoding.hpp"

#include <algorithm>
#include <cmath>

namespace overseer {
namespace {

double clamp01(double u) {
  return std::clamp(u, 0.0, 1.0);
}

double bin_centre(std::int64_t bin, std::int64_t bins) {
  return (static_cast<double>(bin) + 0.5) / static_cast<double>(bins);
}

// Float and int parameters given as `values` behave as ordered values, sorted by number.
std::vector<json> sorted_numbers(const json& values) {
  std::vector<json> out(values.begin(), values.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const json& a, const json& b) { return a.get<double>() < b.get<double>(); });
  out.erase(
      std::unique(out.begin(), out.end(),
                  [](const json& a, const json& b) { return a.get<double>() == b.get<double>(); }),
      out.end());
  return out;
}

}  // namespace

std::int64_t bin_of(double u, std::int64_t bins) {
  const auto bin = static_cast<std::int64_t>(std::floor(u * static_cast<double>(bins)));
  return std::clamp<std::int64_t>(bin, 0, bins - 1);
}

SpaceEncoding::SpaceEncoding(const SearchSpace& space) {
  for (const auto& p : space.parameters()) {
    Coordinate c{p, {}};
    Dimension d;
    switch (p.type) {
      case ParamType::Constant:
        constants_[p.name] = p.value;
        continue;
      case ParamType::Float:
      case ParamType::Int:
        if (!p.values.empty()) {
          c.choices = sorted_numbers(p.values);
          d = {DimensionKind::Ordered, static_cast<std::int64_t>(c.choices.size())};
        } else if (p.type == ParamType::Int) {
          d = {DimensionKind::Integer, static_cast<std::int64_t>(p.upper - p.lower) + 1};
        }
        break;
      case ParamType::Ordered:
        c.choices.assign(p.values.begin(), p.values.end());
        d = {DimensionKind::Ordered, static_cast<std::int64_t>(c.choices.size())};
        break;
      case ParamType::Categorical:
      case ParamType::Logical:
        c.choices.assign(p.values.begin(), p.values.end());
        d = {DimensionKind::Categorical, static_cast<std::int64_t>(c.choices.size())};
        break;
    }
    coordinates_.push_back(std::move(c));
    dimensions_.push_back(d);
  }
}

// Integers are drawn as the random search draws them: uniformly over lower..upper (the range
// [lower - 0.5, upper + 0.5], rounded), or log-uniformly over [lower, upper], rounded.
double SpaceEncoding::integer_value(const Coordinate& c, double u) const {
  const Parameter& p = c.parameter;
  if (p.log) return std::exp(std::log(p.lower) + u * (std::log(p.upper) - std::log(p.lower)));
  return p.lower - 0.5 + u * (p.upper - p.lower + 1);
}

double SpaceEncoding::integer_coordinate(const Coordinate& c, double value) const {
  const Parameter& p = c.parameter;
  if (!p.log) return (value - p.lower + 0.5) / (p.upper - p.lower + 1);
  if (p.upper == p.lower) return 0.5;
  return (std::log(value) - std::log(p.lower)) / (std::log(p.upper) - std::log(p.lower));
}

double SpaceEncoding::snap_one(std::size_t i, double u) const {
  u = clamp01(u);
  const Coordinate& c = coordinates_[i];
  switch (dimensions_[i].kind) {
    case DimensionKind::Real:
      return u;
    case DimensionKind::Integer: {
      const double v =
          std::clamp(std::round(integer_value(c, u)), c.parameter.lower, c.parameter.upper);
      return integer_coordinate(c, v);
    }
    case DimensionKind::Ordered:
    case DimensionKind::Categorical:
      return bin_centre(bin_of(u, dimensions_[i].bins), dimensions_[i].bins);
  }
  return u;
}

std::vector<double> SpaceEncoding::snap(std::vector<double> u) const {
  for (std::size_t i = 0; i < u.size(); ++i) u[i] = snap_one(i, u[i]);
  return u;
}

std::vector<double> SpaceEncoding::random_point(Rng& rng) const {
  std::vector<double> u(size());
  for (auto& x : u) x = rng.uniform01();
  return snap(std::move(u));
}

std::optional<std::vector<double>> SpaceEncoding::encode(const json& params) const {
  std::vector<double> u(size());
  for (std::size_t i = 0; i < size(); ++i) {
    const Coordinate& c = coordinates_[i];
    const Parameter& p = c.parameter;
    auto found = params.find(p.name);
    if (found == params.end()) return std::nullopt;
    const json& value = *found;
    switch (dimensions_[i].kind) {
      case DimensionKind::Real: {
        if (!value.is_number()) return std::nullopt;
        const double x = std::clamp(value.get<double>(), p.lower, p.upper);
        if (p.upper == p.lower) {
          u[i] = 0.5;
        } else if (p.log) {
          u[i] = (std::log(x) - std::log(p.lower)) / (std::log(p.upper) - std::log(p.lower));
        } else {
          u[i] = (x - p.lower) / (p.upper - p.lower);
        }
        break;
      }
      case DimensionKind::Integer:
        if (!value.is_number()) return std::nullopt;
        u[i] = integer_coordinate(c, std::clamp(std::round(value.get<double>()), p.lower, p.upper));
        break;
      case DimensionKind::Ordered:
      case DimensionKind::Categorical: {
        auto at = std::find(c.choices.begin(), c.choices.end(), value);
        if (at == c.choices.end()) return std::nullopt;
        u[i] = bin_centre(at - c.choices.begin(), dimensions_[i].bins);
        break;
      }
    }
  }
  return snap(std::move(u));
}

json SpaceEncoding::decode(const std::vector<double>& u) const {
  json params = constants_;
  for (std::size_t i = 0; i < size(); ++i) {
    const Coordinate& c = coordinates_[i];
    const Parameter& p = c.parameter;
    const double x = clamp01(u[i]);
    switch (dimensions_[i].kind) {
      case DimensionKind::Real:
        // The faces of the cube are the bounds exactly, which exp(log(x)) need not give back.
        if (x == 0 || x == 1) {
          params[p.name] = x == 0 ? p.lower : p.upper;
        } else {
          params[p.name] = std::clamp(
              p.log ? std::exp(std::log(p.lower) + x * (std::log(p.upper) - std::log(p.lower)))
                    : p.lower + x * (p.upper - p.lower),
              p.lower, p.upper);
        }
        break;
      case DimensionKind::Integer:
        params[p.name] = static_cast<std::int64_t>(
            std::clamp(std::round(integer_value(c, x)), p.lower, p.upper));
        break;
      case DimensionKind::Ordered:
      case DimensionKind::Categorical:
        params[p.name] = c.choices[static_cast<std::size_t>(bin_of(x, dimensions_[i].bins))];
        break;
    }
  }
  return params;
}

std::vector<std::vector<double>> latin_hypercube(const SpaceEncoding& encoding, std::size_t n,
                                                 Rng& rng) {
  std::vector<std::vector<double>> points(n, std::vector<double>(encoding.size()));
  std::vector<std::size_t> slices(n);
  for (std::size_t j = 0; j < encoding.size(); ++j) {
    for (std::size_t i = 0; i < n; ++i) slices[i] = i;
    shuffle(slices, rng);
    for (std::size_t i = 0; i < n; ++i) {
      points[i][j] = (static_cast<double>(slices[i]) + rng.uniform01()) / static_cast<double>(n);
    }
  }
  for (auto& p : points) p = encoding.snap(std::move(p));
  return points;
}

}  // namespace overseer
