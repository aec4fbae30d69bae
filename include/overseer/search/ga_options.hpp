#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "overseer/core/json_view.hpp"

namespace overseer::ga {

enum class Strategy { Simple, MuPlusLambda };
enum class Mode { Generational, SteadyState };

// The `ga` algorithm's options in the campaign's `search` object, named as in CANDLE
// Supervisor's GA workflow (docs/search.md lists them with their defaults).
struct Options {
  std::int64_t population_size = 0;
  // Generations in all, the initial population included (Supervisor runs DEAP for
  // num_iterations - 1 generations after evaluating the initial one). Unset: until the budget.
  std::optional<std::int64_t> num_iterations;
  Strategy strategy = Strategy::Simple;
  // lambda of mu_plus_lambda; mu = population_size - offspring, so a generation has
  // population_size individuals in all, as in Supervisor.
  std::int64_t offspring = 0;
  double mut_prob = 0.2;
  double cx_prob = 0.5;
  double mut_indpb = 0.2;
  double cx_indpb = 0.5;
  std::int64_t tournsize = 3;
  Mode mode = Mode::SteadyState;
  // The first individuals come from this CSV file (as written in the campaign; empty: none).
  std::string init_params_file;

  std::int64_t mu() const { return population_size - offspring; }
  // Individuals bred per generation after the initial one.
  std::int64_t generation_size() const {
    return strategy == Strategy::Simple ? population_size : offspring;
  }
  // The most evaluations num_iterations generations can take; unset without num_iterations.
  std::optional<std::int64_t> max_evaluations() const;

  // Reads and checks the options; errors name the file and the option's JSON pointer.
  static Options parse(const JsonView& search);
};

// The option names `ga` accepts, besides the common ones.
std::vector<std::string> option_names();

}  // namespace overseer::ga
