// What models see: scaled tables, noisy training labels, gathered batches, the process cache.
#include <cmath>
#include <numeric>
#include <thread>

#include <gtest/gtest.h>

#include "overseer/core/error.hpp"
#include "overseer/data/data_cache.hpp"
#include "overseer/data/h5_file.hpp"
#include "overseer/data/joined_view.hpp"
#include "overseer/data/scaling.hpp"
#include "overseer/data/trial_data.hpp"
#include "process.hpp"

using namespace overseer;
using namespace overseer::data;
using overseer::test::ScratchDir;
using overseer::test::source_dir;

namespace {

const std::filesystem::path kNci60 = source_dir() / "data/nci60.h5";

DataOptions options_for(const json& data) {
  return parse_data_options(JsonView(data, "campaign.json", json::json_pointer("/model/data")),
                            source_dir());
}

std::shared_ptr<const PreparedData> prepared(const json& data) {
  static DataCache cache;
  return cache.prepared(options_for(data));
}

double mean_of(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

double sd_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double sum = 0;
  for (double x : v) sum += (x - m) * (x - m);
  return std::sqrt(sum / v.size());
}

}  // namespace

TEST(DataScaling, FittedOnRowsOfTrainingPairsOnly) {
  const auto p = prepared({{"file", "data/nci60.h5"}, {"split", "cell"}, {"scaling", "std"}});
  const Dataset& raw = *p->dataset;
  EXPECT_NE(p->cells.get(), &raw.cells);
  const auto train_cells = referenced_rows(p->responses->cell, p->split.train);
  const auto val_cells = referenced_rows(p->responses->cell, p->split.val);
  ASSERT_FALSE(val_cells.empty());
  std::size_t checked = 0;
  for (std::size_t j = 0; j < raw.cells.cols(); j += 7) {
    std::vector<double> scaled, original;
    for (auto i : train_cells) {
      scaled.push_back(p->cells->row(i)[j]);
      original.push_back(raw.cells.row(i)[j]);
    }
    if (sd_of(original) == 0) {
      EXPECT_EQ(sd_of(scaled), 0);
      continue;
    }
    ++checked;
    EXPECT_NEAR(mean_of(scaled), 0, 1e-5);
    EXPECT_NEAR(sd_of(scaled), 1, 1e-4);
    // Validation cells use the training statistics.
    const auto v = val_cells[0];
    EXPECT_NEAR(p->cells->row(v)[j], (raw.cells.row(v)[j] - mean_of(original)) / sd_of(original),
                1e-4);
  }
  EXPECT_GT(checked, 50u);
  EXPECT_FALSE(p->cells->binary);
  // Scaling none shares the file's tables instead of copying them.
  const auto unscaled = prepared({{"file", "data/nci60.h5"}, {"split", "cell"}});
  EXPECT_EQ(unscaled->cells.get(), &unscaled->dataset->cells);
}

TEST(DataScaling, MinMaxMapsTrainingRowsOntoZeroToOne) {
  FeatureTable t{{"a", "b", "c"}, {"x", "constant"}, {1, 5, 3, 5, 9, 5}, false};
  const FeatureTable s = scaled_copy(t, {0, 1}, Scaling::MinMax);
  EXPECT_EQ(s.values, (std::vector<float>{0, 0, 1, 0, 4, 0}));
  EXPECT_EQ(scaled_copy(t, {0, 1}, Scaling::None).values, t.values);
}

TEST(DataNoise, GaussianOnTrainingLabelsWithSigmaFromTheirScale) {
  const auto p = prepared({{"file", "data/nci60.h5"}});
  const auto& clean = p->responses->y;
  std::vector<double> train;
  for (auto r : p->split.train) train.push_back(clean[r]);

  const TrialData noisy(p, 0.5, NoiseBasis::Std, 11);
  EXPECT_NEAR(noisy.noise_sigma(), 0.5 * sd_of(train), 1e-9);
  std::vector<double> added;
  for (auto r : p->split.train) added.push_back(noisy.labels()[r] - clean[r]);
  EXPECT_NEAR(sd_of(added), noisy.noise_sigma(), 0.03 * noisy.noise_sigma());
  EXPECT_NEAR(mean_of(added), 0, 0.03);
  for (auto r : p->split.val) EXPECT_EQ(noisy.labels()[r], clean[r]);
  for (auto r : p->split.test) EXPECT_EQ(noisy.labels()[r], clean[r]);
  EXPECT_EQ(noisy.clean_labels(), clean);

  EXPECT_EQ(TrialData(p, 0.5, NoiseBasis::Std, 11).labels(), noisy.labels());
  EXPECT_NE(TrialData(p, 0.5, NoiseBasis::Std, 12).labels(), noisy.labels());
  EXPECT_NEAR(TrialData(p, 2.0, NoiseBasis::Mean, 1).noise_sigma(), 2 * std::fabs(mean_of(train)),
              1e-9);
  EXPECT_EQ(TrialData(p, 0.0, NoiseBasis::Std, 1).labels(), clean);
}

TEST(DataGather, BatchesEqualANaiveJoin) {
  const auto p = prepared({{"file", "data/nci60.h5"}, {"scaling", "minmax"}});
  const TrialData trial(p, 0.1, NoiseBasis::Std, 3);
  const JoinedView view = trial.view();
  ASSERT_EQ(view.width(), 2729u + 2048u);
  const std::vector<std::size_t> rows = {p->split.train[5], 0, p->split.val[3], 14342};

  std::vector<float> cells(rows.size() * view.cell_width()), drugs(rows.size() * view.drug_width());
  std::vector<float> joined(rows.size() * view.width()), y(rows.size()), y2(rows.size());
  view.gather(rows.data(), rows.size(), cells.data(), drugs.data(), y.data());
  view.gather_joined(rows.data(), rows.size(), joined.data(), y2.data());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::size_t r = rows[k];
    const float* cell = p->cells->row(p->responses->cell[r]);
    const float* drug = p->drugs->row(p->responses->drug[r]);
    std::vector<float> naive(cell, cell + view.cell_width());
    naive.insert(naive.end(), drug, drug + view.drug_width());
    EXPECT_TRUE(std::equal(naive.begin(), naive.end(), joined.begin() + k * view.width()));
    EXPECT_TRUE(std::equal(cell, cell + view.cell_width(), cells.begin() + k * view.cell_width()));
    EXPECT_TRUE(std::equal(drug, drug + view.drug_width(), drugs.begin() + k * view.drug_width()));
    EXPECT_EQ(y[k], trial.labels()[r]);
    EXPECT_EQ(y2[k], trial.labels()[r]);
  }
  EXPECT_NE(y[0], trial.clean_labels()[rows[0]]);  // a noisy training label
  EXPECT_EQ(trial.cell_id(0), "RXF393_KIDNEY");
}

TEST(DataGather, CsrEqualsDense) {
  const auto p = prepared({{"file", "data/nci60.h5"}});
  const TrialData trial(p, 0, NoiseBasis::Std, 0);
  const JoinedView view = trial.view();
  const std::vector<std::size_t> rows(p->split.val.begin(), p->split.val.begin() + 64);
  CsrRows csr;
  std::vector<float> y(rows.size()), dense(rows.size() * view.width());
  view.gather_csr(rows.data(), rows.size(), csr, y.data());
  view.gather_joined(rows.data(), rows.size(), dense.data(), nullptr);
  ASSERT_EQ(csr.indptr.size(), rows.size() + 1);
  EXPECT_EQ(csr.columns, view.width());
  std::vector<float> rebuilt(dense.size(), 0.0f);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    for (std::size_t e = csr.indptr[k]; e < csr.indptr[k + 1]; ++e) {
      rebuilt[k * view.width() + csr.indices[e]] = csr.values[e];
    }
  }
  EXPECT_EQ(rebuilt, dense);
  const auto nonzero = std::count_if(dense.begin(), dense.end(), [](float v) { return v != 0; });
  EXPECT_EQ(csr.values.size(), static_cast<std::size_t>(nonzero));
  EXPECT_LT(csr.values.size(), dense.size() / 10);
  EXPECT_EQ(y[0], trial.labels()[rows[0]]);
}

TEST(DataCacheTest, LoadsOncePerFileAndPreparesOncePerOptions) {
  DataCache cache;
  const json data = {{"file", "data/nci60.h5"}, {"split", "drug"}};
  std::vector<std::shared_ptr<const PreparedData>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&] { result = cache.prepared(options_for(data)); });
  }
  for (auto& t : threads) t.join();
  for (const auto& result : results) EXPECT_EQ(result, results[0]);
  EXPECT_EQ(cache.files_read(), 1u);
  EXPECT_EQ(cache.preparations(), 1u);

  json noisy = data;
  noisy["noise"] = 0.3;
  EXPECT_EQ(cache.prepared(options_for(noisy)), results[0]);
  json other = data;
  other["split_seed"] = 5;
  EXPECT_NE(cache.prepared(options_for(other)), results[0]);
  EXPECT_EQ(cache.files_read(), 1u);
  EXPECT_EQ(cache.preparations(), 2u);

  // A failed load is reported to every caller and not kept.
  json missing = {{"file", "data/missing.h5"}};
  EXPECT_THROW(cache.prepared(options_for(missing)), InputError);
  EXPECT_THROW(cache.prepared(options_for(missing)), InputError);
  EXPECT_EQ(cache.files_read(), 3u);
}

TEST(DataCacheTest, LoadTrialDataAveragesDuplicatesBeforeSplitting) {
  DataOptions options =
      options_for({{"file", "data/nci60.h5"}, {"average_duplicates", true}, {"split", "original"}});
  options.noise = 0.2;
  const TrialData trial = load_trial_data(options, 42);
  EXPECT_EQ(trial.prepared().responses->size(), 13003u);
  EXPECT_EQ(trial.split().train.size() + trial.split().val.size() + trial.split().test.size(),
            13003u);
  EXPECT_GT(trial.noise_sigma(), 0);
  EXPECT_EQ(load_trial_data(options, 42).labels(), trial.labels());
}
