#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace overseer {

// A seeded generator whose draws are identical on every standard library: std::mt19937_64 is
// fully specified, but the std:: distributions are not, so the conversions live here.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lower, double upper) { return lower + (upper - lower) * uniform01(); }
  // Uniform integer in [lower, upper], both inclusive.
  std::int64_t integer(std::int64_t lower, std::int64_t upper);
  // Standard normal draw (Box-Muller, one value per call).
  double normal();

 private:
  std::mt19937_64 engine_;
};

// Fisher-Yates shuffle; std::shuffle's order differs between standard libraries.
template <typename T>
void shuffle(std::vector<T>& values, Rng& rng) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(rng.integer(0, static_cast<std::int64_t>(i) - 1));
    std::swap(values[i - 1], values[j]);
  }
}

// Mixes two values into a well-spread 64-bit seed (splitmix64 finalizer).
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);

}  // namespace overseer
