#include "overseer/core/random.hpp"

#include <cmath>

namespace overseer {

std::int64_t Rng::integer(std::int64_t lower, std::int64_t upper) {
  const std::uint64_t span = static_cast<std::uint64_t>(upper - lower) + 1;
  if (span == 0) return static_cast<std::int64_t>(engine_());
  // Rejection sampling keeps every value equally likely.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  std::uint64_t draw;
  do {
    draw = engine_();
  } while (draw >= limit);
  return lower + static_cast<std::int64_t>(draw % span);
}

double Rng::normal() {
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform01()));
  return radius * std::cos(6.283185307179586 * uniform01());
}

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace overseer
