#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "overseer/core/random.hpp"
#include "overseer/data/dataset.hpp"

namespace overseer::data {

// A synthetic drug-response dataset with latent structure (docs/data.md, "Synthetic data"):
// cell lines and drugs have `rank` latent factors, features are noisy linear maps of them,
// and a response is their interaction plus main effects, plus noise, shifted and scaled per
// study.
struct SynthSpec {
  std::size_t cells = 100;
  std::size_t drugs = 50;
  std::size_t pairs = 2000;  // distinct (cell, drug, study) triples
  std::size_t cell_features = 50;
  std::size_t drug_features = 50;
  std::size_t rank = 4;
  double noise = 0.1;          // sd of the response noise; the signal has sd about 1
  double feature_noise = 0.1;  // sd of the noise on each feature
  std::size_t studies = 1;
  double batch_effect = 0;  // sd of the per-study offset, and of the log of its scale
  std::uint64_t seed = 0;
  bool binary_drug_features = false;  // threshold drug features to about 10% ones
  // Each (cell, drug, study) triple is a combination of its drug with a second, higher-
  // numbered drug (docs/data.md), whose response has a known interaction term; the highest
  // drug stays alone.
  bool combinations = false;
  double interaction = 1.0;  // weight of the combination's interaction term

  // Throws InputError (on the command line) for sizes out of range.
  void check() const;
};

// Generates the tables at construction and the responses in chunks, so that memory stays at
// the tables plus one chunk however many pairs are asked for. Same spec, same data.
class SyntheticGenerator {
 public:
  explicit SyntheticGenerator(const SynthSpec& spec);

  // Cells, drugs, studies and provenance; no responses.
  const Dataset& tables() const { return tables_; }
  // Replaces `chunk` with up to `max_rows` further responses; false once all were produced.
  bool next(Responses& chunk, std::size_t max_rows);
  // The noise-free response before study effects: what a perfect model would predict.
  double signal(std::uint32_t cell, std::uint32_t drug) const;
  // The same for the combination of two drugs (symmetric in them).
  double signal(std::uint32_t cell, std::uint32_t drug, std::uint32_t second) const;
  // The second drug the k-th response's triple is combined with (kNoSecondDrug: alone).
  std::uint32_t second_drug(std::uint64_t triple, std::uint32_t drug) const;

 private:
  std::uint64_t triple(std::uint64_t k) const;  // k-th (cell, drug, study) of a permutation

  SynthSpec spec_;
  Dataset tables_;
  std::vector<double> cell_latent_, drug_latent_;  // rows x rank
  std::vector<double> cell_weight_, drug_weight_;  // main-effect directions, rank each
  std::vector<double> study_offset_, study_scale_;
  std::uint64_t triples_ = 0;  // cells x drugs x studies
  unsigned half_bits_ = 0;     // the permutation works on [0, 4^half_bits_)
  std::uint64_t produced_ = 0;
  Rng noise_;
};

// Streams a generated dataset into the native HDF5 format.
void write_synthetic(const SynthSpec& spec, const std::filesystem::path& path);

}  // namespace overseer::data
