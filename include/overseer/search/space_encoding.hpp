#pragma once

#include <optional>
#include <vector>

#include "overseer/core/random.hpp"
#include "overseer/core/search_space.hpp"

namespace overseer {

// How a surrogate reads one coordinate of the unit cube.
enum class DimensionKind {
  Real,         // float range, linear or log
  Integer,      // int range: one bin per integer, equal (or, with `log`, log-uniform) widths
  Ordered,      // ordered values, and float/int parameters given as `values`: one bin per value
  Categorical,  // categorical and logical: one bin per level, no order
};

struct Dimension {
  DimensionKind kind = DimensionKind::Real;
  // Bins of a discrete dimension (values, levels, or integers in the range); 0 for Real.
  std::int64_t bins = 0;
};

// The value index an Ordered or Categorical coordinate stands for: its bin among equal bins.
std::int64_t bin_of(double u, std::int64_t bins);

// Maps a search space onto [0, 1]^d, one coordinate per parameter that is not a constant, so
// that model-based searches work in one box whatever the parameter types. Each discrete
// dimension is split into one bin per value, and a point is "snapped" when each discrete
// coordinate sits at its bin's representative point, which is what decoding and re-encoding
// produce. A uniform draw from the cube decodes to the same distribution as the random search's
// draws.
class SpaceEncoding {
 public:
  explicit SpaceEncoding(const SearchSpace& space);

  const std::vector<Dimension>& dimensions() const { return dimensions_; }
  std::size_t size() const { return dimensions_.size(); }

  // The snapped coordinates of a tuple, or none when a searched value is missing or not one of
  // its parameter's values (a journal written for another space). Ranges clamp.
  std::optional<std::vector<double>> encode(const json& params) const;
  // The tuple a point stands for, constants included.
  json decode(const std::vector<double>& u) const;
  // Moves each discrete coordinate to its bin's representative point, and clamps into [0, 1].
  std::vector<double> snap(std::vector<double> u) const;
  // A uniform point of the cube, snapped.
  std::vector<double> random_point(Rng& rng) const;

 private:
  struct Coordinate {
    Parameter parameter;
    std::vector<json> choices;  // Ordered and Categorical: the values, in bin order
  };
  // Integer dimensions: the (log) value a coordinate stands for, before rounding, and back.
  double integer_value(const Coordinate& c, double u) const;
  double integer_coordinate(const Coordinate& c, double value) const;
  double snap_one(std::size_t i, double u) const;

  json constants_ = json::object();
  std::vector<Dimension> dimensions_;
  std::vector<Coordinate> coordinates_;
};

// `n` snapped points of a Latin hypercube: each coordinate's n values fall one in each of n equal
// slices of [0, 1], so even a small design covers every range (and every level) evenly.
std::vector<std::vector<double>> latin_hypercube(const SpaceEncoding& encoding, std::size_t n,
                                                 Rng& rng);

}  // namespace overseer
