#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "overseer/core/json_view.hpp"
#include "overseer/core/random.hpp"

namespace overseer {

// The most points one grid axis may have; a larger grid is almost surely a mistake.
inline constexpr std::int64_t kMaxGridAxis = 10'000'000;

// Parameter kinds of CANDLE Supervisor's GA parameter files.
enum class ParamType { Float, Int, Ordered, Categorical, Logical, Constant };

std::string to_string(ParamType type);

struct Parameter {
  std::string name;
  ParamType type = ParamType::Float;
  double lower = 0;
  double upper = 0;
  bool log = false;
  std::optional<double> sigma;
  std::optional<std::int64_t> num;  // grid points for float/int ranges
  json values = json::array();      // ordered/categorical choices, or explicit grid values
  std::string element_type;         // ordered/categorical: int, float, string or logical
  json value;                       // constant

  // Where the parameter was defined, for error messages raised after parsing.
  std::string file;
  std::string pointer;

  // Points a grid search visits, in order; fails with an InputError when a float range has
  // neither `values` nor `num`.
  std::vector<json> grid_values() const;
  json sample(Rng& rng) const;
  // `text` (a CSV cell) as a value of this parameter: a number within its range (or among its
  // `values`) for float and int, one of its choices for the others, compared as written or as
  // numbers (Python's True and False count as logical values). Throws std::invalid_argument
  // saying why it is none.
  json value_from_text(const std::string& text) const;
  [[noreturn]] void fail(const std::string& message) const;
};

class SearchSpace {
 public:
  // `view` is an array of parameter definitions.
  static SearchSpace parse(const JsonView& view);

  const std::vector<Parameter>& parameters() const { return parameters_; }
  const Parameter* find(const std::string& name) const;
  json to_json() const;

 private:
  std::vector<Parameter> parameters_;
};

}  // namespace overseer
