#include "overseer/data/synthetic.hpp"

#include <cmath>
#include <limits>

#include <spdlog/fmt/fmt.h>

#include "overseer/core/error.hpp"
#include "overseer/data/h5_file.hpp"

namespace overseer::data {
namespace {

constexpr std::size_t kChunk = 1 << 16;
// Drug features above this (in units of their sd, about 1) become 1: roughly 10% ones.
constexpr double kBinaryThreshold = 1.28;

void require(bool ok, const std::string& message) {
  if (!ok) throw InputError("", "", message);
}

std::vector<double> normals(std::size_t n, Rng& rng) {
  std::vector<double> out(n);
  for (auto& v : out) v = rng.normal();
  return out;
}

double dot(const double* a, const double* b, std::size_t n) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// Features = latents x a random K x F map / sqrt(K) + noise, so each has variance about
// 1 + feature_noise^2 and every one carries information about the latents.
FeatureTable features(const std::vector<double>& latent, std::size_t rows, std::size_t rank,
                      std::size_t cols, const char* prefix, const char* id_prefix,
                      double feature_noise, bool binary, Rng& rng) {
  const std::vector<double> map = normals(rank * cols, rng);
  FeatureTable t;
  for (std::size_t i = 0; i < rows; ++i) t.ids.push_back(id_prefix + std::to_string(i));
  for (std::size_t j = 0; j < cols; ++j) t.columns.push_back(prefix + std::to_string(j));
  t.values.resize(rows * cols);
  const double norm = 1.0 / std::sqrt(static_cast<double>(rank));
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) {
      double v = 0;
      for (std::size_t k = 0; k < rank; ++k) v += latent[i * rank + k] * map[k * cols + j];
      v = v * norm + feature_noise * rng.normal();
      t.values[i * cols + j] =
          binary ? (v > kBinaryThreshold ? 1.0f : 0.0f) : static_cast<float>(v);
    }
  }
  t.mark_binary();
  return t;
}

}  // namespace

void SynthSpec::check() const {
  require(cells >= 1 && drugs >= 1, "--cells and --drugs must be at least 1");
  require(rank >= 1 && rank <= 1024, "--rank must be between 1 and 1024");
  require(studies >= 1 && studies <= std::numeric_limits<std::uint16_t>::max(),
          "--studies must be between 1 and 65535");
  require(cells <= std::numeric_limits<std::uint32_t>::max() &&
              drugs <= std::numeric_limits<std::uint32_t>::max(),
          "--cells and --drugs must fit in 32 bits");
  require(noise >= 0 && feature_noise >= 0 && batch_effect >= 0,
          "--noise, --feature-noise and --batch-effect must not be negative");
  require(!combinations || drugs >= 2, "--combinations needs at least 2 drugs");
  require(std::isfinite(interaction), "--interaction must be a finite number");
  const long double triples = static_cast<long double>(cells) * drugs * studies;
  require(
      pairs >= 1 && pairs <= triples,
      "--pairs must be between 1 and cells x drugs x studies (" +
          std::to_string(static_cast<unsigned long long>(std::min<long double>(triples, 1e19))) +
          "): each (cell, drug, study) is measured at most once");
}

SyntheticGenerator::SyntheticGenerator(const SynthSpec& spec)
    : spec_(spec), noise_(mix_seed(spec.seed, 1)) {
  spec.check();
  Rng rng(spec.seed);
  const std::size_t k = spec.rank;
  cell_latent_ = normals(spec.cells * k, rng);
  drug_latent_ = normals(spec.drugs * k, rng);
  cell_weight_ = normals(k, rng);
  drug_weight_ = normals(k, rng);
  for (std::size_t s = 0; s < spec.studies; ++s) {
    study_offset_.push_back(spec.batch_effect * rng.normal());
    study_scale_.push_back(std::exp(spec.batch_effect * rng.normal()));
    tables_.studies.push_back("study" + std::to_string(s));
  }
  tables_.cells = features(cell_latent_, spec.cells, k, spec.cell_features, "cf", "cell",
                           spec.feature_noise, false, rng);
  tables_.drugs = features(drug_latent_, spec.drugs, k, spec.drug_features, "df", "drug",
                           spec.feature_noise, spec.binary_drug_features, rng);
  tables_.provenance = fmt::format(
      "Synthetic latent-factor data from `overseer data synth` (seed {}, rank {}, noise {}, "
      "feature noise {}, batch effect {}{})",
      spec.seed, k, spec.noise, spec.feature_noise, spec.batch_effect,
      spec.combinations ? fmt::format(", drug combinations with interaction {}", spec.interaction)
                        : "");

  triples_ = static_cast<std::uint64_t>(spec.cells) * spec.drugs * spec.studies;
  while ((std::uint64_t{1} << (2 * half_bits_)) < triples_) ++half_bits_;
  half_bits_ = std::max(half_bits_, 1u);
}

double SyntheticGenerator::signal(std::uint32_t cell, std::uint32_t drug) const {
  const std::size_t k = spec_.rank;
  const double* u = cell_latent_.data() + cell * k;
  const double* v = drug_latent_.data() + drug * k;
  // Interaction plus half-weight main effects, scaled to variance about 1.
  const double raw =
      dot(u, v, k) + 0.5 * dot(u, cell_weight_.data(), k) + 0.5 * dot(v, drug_weight_.data(), k);
  return raw / std::sqrt(1.5 * static_cast<double>(k));
}

double SyntheticGenerator::signal(std::uint32_t cell, std::uint32_t drug,
                                  std::uint32_t second) const {
  const std::size_t k = spec_.rank;
  const double* u = cell_latent_.data() + cell * k;
  const double* v = drug_latent_.data() + drug * k;
  const double* w = drug_latent_.data() + second * k;
  // The two drugs' effects, each of sd about 1, and a three-way interaction of the cell with
  // both drugs' latents (sd about 1 before its weight).
  double interaction = 0;
  for (std::size_t i = 0; i < k; ++i) interaction += u[i] * v[i] * w[i];
  return (signal(cell, drug) + signal(cell, second)) / std::sqrt(2.0) +
         spec_.interaction * interaction / std::sqrt(static_cast<double>(k));
}

std::uint32_t SyntheticGenerator::second_drug(std::uint64_t triple, std::uint32_t drug) const {
  // Always above the triple's own drug, so that no two triples make the same combination.
  const std::uint64_t above = spec_.drugs - 1 - drug;
  if (!spec_.combinations || above == 0) return kNoSecondDrug;
  return drug + 1 +
         static_cast<std::uint32_t>(mix_seed(spec_.seed ^ 0x636f6d62ULL, triple) % above);
}

// A keyed Feistel permutation of [0, 4^half_bits), walked until it lands below the number of
// triples: every triple at most once, in a seeded order, without a table of them.
std::uint64_t SyntheticGenerator::triple(std::uint64_t k) const {
  const std::uint64_t mask = (std::uint64_t{1} << half_bits_) - 1;
  std::uint64_t x = k;
  do {
    std::uint64_t left = x >> half_bits_, right = x & mask;
    for (std::uint64_t round = 0; round < 4; ++round) {
      const std::uint64_t mixed = left ^ (mix_seed(spec_.seed + round, right) & mask);
      left = right;
      right = mixed;
    }
    x = (left << half_bits_) | right;
  } while (x >= triples_);
  return x;
}

bool SyntheticGenerator::next(Responses& chunk, std::size_t max_rows) {
  chunk = Responses();
  const std::uint64_t n = std::min<std::uint64_t>(max_rows, spec_.pairs - produced_);
  chunk.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i, ++produced_) {
    const std::uint64_t t = triple(produced_);
    const auto study = static_cast<std::uint16_t>(t % spec_.studies);
    const auto drug = static_cast<std::uint32_t>((t / spec_.studies) % spec_.drugs);
    const auto cell = static_cast<std::uint32_t>(t / spec_.studies / spec_.drugs);
    const std::uint32_t second = second_drug(t, drug);
    const double truth = second == kNoSecondDrug ? signal(cell, drug) : signal(cell, drug, second);
    const double y =
        study_scale_[study] * (truth + spec_.noise * noise_.normal()) + study_offset_[study];
    if (!spec_.combinations) {
      chunk.push_back(cell, drug, static_cast<float>(y), study);
    } else if (second != kNoSecondDrug && (mix_seed(spec_.seed, t) & 1) != 0) {
      // Either drug may come first: a model must not depend on their order.
      chunk.push_back(cell, second, static_cast<float>(y), study, kNoPart, drug);
    } else {
      chunk.push_back(cell, drug, static_cast<float>(y), study, kNoPart, second);
    }
  }
  // A chunk of drugs alone still has its second-drug column.
  if (spec_.combinations) chunk.drug2.resize(chunk.size(), kNoSecondDrug);
  return n > 0;
}

void write_synthetic(const SynthSpec& spec, const std::filesystem::path& path) {
  SyntheticGenerator generator(spec);
  H5Writer writer(path, generator.tables(), spec.pairs, {false, spec.combinations});
  Responses chunk;
  while (generator.next(chunk, kChunk)) writer.append(chunk);
  writer.close();
}

}  // namespace overseer::data
