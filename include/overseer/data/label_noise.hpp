#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace overseer::data {

// What the noise level multiplies (the CMP paper's dense-noise study uses the labels' scale).
enum class NoiseBasis { Std, Mean };

// noise x (standard deviation, or absolute mean) of the labels at `train`.
double noise_sigma(const std::vector<float>& labels, const std::vector<std::size_t>& train,
                   double noise, NoiseBasis basis);

// Adds N(0, sigma^2) to labels[rows], with draws that depend only on the seed and the order of
// `rows`.
void add_label_noise(std::vector<float>& labels, const std::vector<std::size_t>& rows, double sigma,
                     std::uint64_t seed);

}  // namespace overseer::data
