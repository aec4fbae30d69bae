#pragma once

#include <cstddef>
#include <vector>

#include "overseer/core/search_space.hpp"

namespace overseer::ga {

// The Gaussian mutation width of a parameter, as CANDLE Supervisor's ga_utils defines it: the
// space file's `sigma`, else a tenth of the range. The width is in the parameter's units, in
// decades (log10 units) on a log-scaled range, and in positions for `ordered` values (a tenth of
// their count). Unlike Supervisor, the default is at least one step for linear int ranges and
// ordered values. Zero for types that do not mutate by a width.
double mutation_sigma(const Parameter& p);

// Variation of individuals: JSON objects holding one value for every parameter of the space.
class Operators {
 public:
  Operators(const SearchSpace& space, double cx_indpb, double mut_indpb);

  // DEAP's cxUniform: each gene is swapped between the two with probability cx_indpb. Values
  // move whole, so every gene keeps its type and stays one of its parameter's valid values.
  void crossover(json& a, json& b, Rng& rng) const;
  // Supervisor's custom_mutate: each gene mutates with probability mut_indpb.
  void mutate(json& individual, Rng& rng) const;
  // The mutation of one gene: float and int by a Gaussian step of mutation_sigma (in log10 space
  // on log ranges) clamped to the bounds and, for int, rounded; a float or int with `values`
  // snaps to the nearest listed value; ordered moves its position by a rounded Gaussian step;
  // categorical takes one of the other values uniformly; logical flips; constant never changes.
  json mutate_gene(std::size_t parameter, const json& value, Rng& rng) const;

  const SearchSpace& space() const { return space_; }

 private:
  SearchSpace space_;
  std::vector<double> sigmas_;
  double cx_indpb_;
  double mut_indpb_;
};

// DEAP's selTournament on losses (smaller is better): k picks, each the best of `tournsize`
// uniform draws with replacement; the first drawn wins a tie. Returns indices into `losses`.
std::vector<std::size_t> select_tournament(const std::vector<double>& losses, std::size_t k,
                                           std::size_t tournsize, Rng& rng);

// The reverse: the worst of `tournsize` uniform draws (the first drawn on a tie), for choosing
// whom a newcomer replaces.
std::size_t tournament_loser(const std::vector<double>& losses, std::size_t tournsize, Rng& rng);

}  // namespace overseer::ga
