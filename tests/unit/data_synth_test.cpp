// The synthetic generator: determinism, distinct triples, batch effects and learnable signal.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <tuple>

#include <gtest/gtest.h>

#include "input_error.hpp"
#include "overseer/core/random.hpp"
#include "overseer/data/duplicates.hpp"
#include "overseer/data/h5_file.hpp"
#include "overseer/data/summary.hpp"
#include "overseer/data/synthetic.hpp"
#include "process.hpp"

using namespace overseer;
using namespace overseer::data;
using overseer::test::input_error;
using overseer::test::ScratchDir;

namespace {

SynthSpec small_spec() {
  SynthSpec spec;
  spec.cells = 200;
  spec.drugs = 20;
  spec.pairs = 3000;
  spec.cell_features = 12;
  spec.drug_features = 12;
  spec.rank = 2;
  spec.noise = 0.1;
  spec.seed = 5;
  return spec;
}

Responses all_responses(SyntheticGenerator& generator, std::size_t chunk) {
  Responses all, part;
  while (generator.next(part, chunk)) {
    all.cell.insert(all.cell.end(), part.cell.begin(), part.cell.end());
    all.drug.insert(all.drug.end(), part.drug.begin(), part.drug.end());
    all.y.insert(all.y.end(), part.y.begin(), part.y.end());
    all.study.insert(all.study.end(), part.study.begin(), part.study.end());
    all.drug2.insert(all.drug2.end(), part.drug2.begin(), part.drug2.end());
  }
  return all;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= a.size();
  mb /= b.size();
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) * (a[i] - ma);
    bb += (b[i] - mb) * (b[i] - mb);
  }
  return ab / std::sqrt(aa * bb);
}

// Predicts a held-out pair from the training pair with the same drug whose cell features are
// nearest: it only works when cell features carry the cell's latent factors.
double nearest_cell_correlation(const FeatureTable& cells, const Responses& r) {
  const std::size_t train = r.size() * 3 / 4;
  std::vector<double> predicted, actual;
  for (std::size_t i = train; i < r.size(); ++i) {
    double best = std::numeric_limits<double>::infinity(), guess = 0;
    for (std::size_t j = 0; j < train; ++j) {
      if (r.drug[j] != r.drug[i]) continue;
      double distance = 0;
      for (std::size_t f = 0; f < cells.cols(); ++f) {
        const double d = cells.row(r.cell[i])[f] - cells.row(r.cell[j])[f];
        distance += d * d;
      }
      if (distance < best) best = distance, guess = r.y[j];
    }
    predicted.push_back(guess);
    actual.push_back(r.y[i]);
  }
  return correlation(predicted, actual);
}

}  // namespace

TEST(DataSynth, SameSpecSameDataWhateverTheChunkSize) {
  SyntheticGenerator a(small_spec()), b(small_spec());
  const Responses ra = all_responses(a, 3000), rb = all_responses(b, 77);
  EXPECT_EQ(ra.y, rb.y);
  EXPECT_EQ(ra.cell, rb.cell);
  EXPECT_EQ(a.tables().cells.values, b.tables().cells.values);
  SynthSpec other = small_spec();
  other.seed = 6;
  SyntheticGenerator c(other);
  EXPECT_NE(all_responses(c, 3000).y, ra.y);
}

TEST(DataSynth, DistinctTriplesSpreadOverStudies) {
  SynthSpec spec = small_spec();
  spec.cells = 10;
  spec.drugs = 7;
  spec.studies = 3;
  spec.pairs = 10 * 7 * 3;  // every triple once
  SyntheticGenerator generator(spec);
  const Responses r = all_responses(generator, 50);
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint16_t>> triples;
  for (std::size_t i = 0; i < r.size(); ++i) triples.emplace(r.cell[i], r.drug[i], r.study[i]);
  EXPECT_EQ(triples.size(), spec.pairs);
  EXPECT_EQ(generator.tables().studies, (std::vector<std::string>{"study0", "study1", "study2"}));
}

TEST(DataSynth, ResponsesFollowTheLatentSignalAndFeaturesCarryIt) {
  SyntheticGenerator generator(small_spec());
  const Responses r = all_responses(generator, 1000);
  std::vector<double> y(r.y.begin(), r.y.end()), signal;
  for (std::size_t i = 0; i < r.size(); ++i)
    signal.push_back(generator.signal(r.cell[i], r.drug[i]));
  EXPECT_GT(correlation(y, signal), 0.98);  // noise 0.1 on a signal of sd about 1

  const double learned = nearest_cell_correlation(generator.tables().cells, r);
  FeatureTable shuffled = generator.tables().cells;
  Rng rng(1);
  std::vector<std::size_t> rows(shuffled.rows());
  std::iota(rows.begin(), rows.end(), 0);
  shuffle(rows, rng);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(generator.tables().cells.row(rows[i]), shuffled.cols(), shuffled.row(i));
  }
  const double unrelated = nearest_cell_correlation(shuffled, r);
  EXPECT_GT(learned, 0.7);
  EXPECT_GT(learned, unrelated + 0.2);
}

TEST(DataSynth, StudiesShiftAndScaleResponses) {
  SynthSpec spec = small_spec();
  spec.studies = 4;
  spec.batch_effect = 1.0;
  spec.pairs = 4000;
  SyntheticGenerator generator(spec);
  const Responses r = all_responses(generator, 4000);
  std::vector<double> sum(4, 0), count(4, 0);
  for (std::size_t i = 0; i < r.size(); ++i) {
    sum[r.study[i]] += r.y[i] - generator.signal(r.cell[i], r.drug[i]);
    ++count[r.study[i]];
  }
  double spread = 0;
  for (std::size_t s = 1; s < 4; ++s) {
    spread = std::max(spread, std::fabs(sum[s] / count[s] - sum[0] / count[0]));
  }
  EXPECT_GT(spread, 0.3);
}

TEST(DataSynth, BinaryDrugFeaturesAndStreamedFile) {
  ScratchDir dir;
  SynthSpec spec = small_spec();
  spec.binary_drug_features = true;
  spec.drugs = 200;
  spec.drug_features = 100;
  write_synthetic(spec, dir / "s.h5");
  const Dataset d = read_h5(dir / "s.h5");
  EXPECT_TRUE(d.drugs.binary);
  EXPECT_FALSE(d.cells.binary);
  const double density = static_cast<double>(d.drugs.nonzeros()) / d.drugs.values.size();
  EXPECT_GT(density, 0.05);
  EXPECT_LT(density, 0.15);
  SyntheticGenerator generator(spec);
  EXPECT_EQ(d.responses.y, all_responses(generator, 999).y);
  EXPECT_EQ(d.drugs.values, generator.tables().drugs.values);
}

TEST(DataSynth, CombinationsPairEachDrugWithAnotherInEitherOrderAndKeepTheirInteraction) {
  SynthSpec spec = small_spec();
  spec.combinations = true;
  spec.interaction = 2;
  spec.noise = 0;
  SyntheticGenerator generator(spec);
  const Responses r = all_responses(generator, 500);
  ASSERT_EQ(r.drug2.size(), r.size());
  std::size_t alone = 0, second_first = 0;
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> combinations;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (r.drug2[i] == kNoSecondDrug) {
      // Only the highest drug has no higher one to pair with.
      EXPECT_EQ(r.drug[i], spec.drugs - 1);
      EXPECT_FLOAT_EQ(r.y[i], static_cast<float>(generator.signal(r.cell[i], r.drug[i])));
      ++alone;
      continue;
    }
    EXPECT_NE(r.drug[i], r.drug2[i]);
    second_first += r.drug[i] > r.drug2[i];
    const auto [low, high] = std::minmax(r.drug[i], r.drug2[i]);
    combinations.emplace(r.cell[i], low, high);
    // The response is the combination's signal, whichever drug is named first.
    const double signal = generator.signal(r.cell[i], r.drug[i], r.drug2[i]);
    EXPECT_NEAR(signal, generator.signal(r.cell[i], r.drug2[i], r.drug[i]), 1e-12);
    EXPECT_NEAR(r.y[i], signal, 1e-5);
    EXPECT_GT(std::abs(signal - (generator.signal(r.cell[i], r.drug[i]) +
                                 generator.signal(r.cell[i], r.drug2[i])) /
                                    std::sqrt(2.0)),
              0.0);
  }
  EXPECT_EQ(combinations.size(), r.size() - alone);  // no combination twice
  EXPECT_GT(alone, 0u);
  EXPECT_GT(second_first, r.size() / 3);
  EXPECT_LT(second_first, r.size() * 2 / 3);

  // The file keeps the second drugs; the summary counts the combinations.
  ScratchDir dir;
  write_synthetic(spec, dir / "pairs.h5");
  const Dataset d = read_h5(dir / "pairs.h5");
  EXPECT_EQ(d.responses.drug2, r.drug2);
  EXPECT_EQ(summarize(d).combinations, r.size() - alone);
  EXPECT_NE(summarize(d).to_text().find("drug pairs: " + std::to_string(r.size() - alone)),
            std::string::npos);
}

TEST(DataSynth, ACombinationInTheOtherOrderIsADuplicate) {
  Responses r;
  r.push_back(0, 1, 1.0f, 0, kNoPart, 2);
  r.push_back(0, 2, 3.0f, 0, kNoPart, 1);
  r.push_back(0, 1, 5.0f, 0);  // drug 1 alone: another measurement
  const KeyGroups groups = group_by_key(r);
  EXPECT_EQ(groups.groups(), 2u);
  const Responses averaged = average_duplicates(r, groups);
  EXPECT_EQ(averaged.y, (std::vector<float>{2.0f, 5.0f}));
  EXPECT_EQ(averaged.drug2, (std::vector<std::uint32_t>{2, kNoSecondDrug}));
}

TEST(DataSynth, ImpossibleSizesAreInputErrors) {
  SynthSpec spec = small_spec();
  spec.pairs = 200 * 20 + 1;
  EXPECT_EQ(input_error([&] { SyntheticGenerator generator(spec); }),
            "<command line>: --pairs must be between 1 and cells x drugs x studies (4000): each "
            "(cell, drug, study) is measured at most once");
  spec = small_spec();
  spec.drugs = 1;
  spec.pairs = 10;
  spec.combinations = true;
  EXPECT_EQ(input_error([&] { SyntheticGenerator generator(spec); }),
            "<command line>: --combinations needs at least 2 drugs");
}
