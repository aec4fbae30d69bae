// Cross-study analysis: per-study test metrics, the table made of them, and study sources.
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

#include <gtest/gtest.h>

#include "input_error.hpp"
#include "overseer/core/csv.hpp"
#include "overseer/core/study_metric.hpp"
#include "overseer/data/data_options.hpp"
#include "overseer/data/h5_file.hpp"
#include "overseer/data/importers.hpp"
#include "overseer/data/synthetic.hpp"
#include "overseer/models/metrics.hpp"
#include "overseer/models/model_data.hpp"
#include "overseer/models/trial_runner.hpp"
#include "overseer/store/cross_study.hpp"
#include "overseer/store/improve_csa.hpp"
#include "process.hpp"

using namespace overseer;
using overseer::test::input_error;
using overseer::test::ScratchDir;
using overseer::test::source_dir;

namespace {

// Four studies of the same latent biology, each shifted and scaled by `batch_effect`.
std::filesystem::path write_studies(const ScratchDir& dir, double batch_effect) {
  data::SynthSpec spec;
  spec.cells = 120;
  spec.drugs = 40;
  spec.pairs = 8000;
  spec.cell_features = 12;
  spec.drug_features = 12;
  spec.rank = 3;
  spec.noise = 0.1;
  spec.studies = 4;
  spec.batch_effect = batch_effect;
  spec.seed = 11;
  const auto file = dir / ("studies-" + std::to_string(batch_effect) + ".h5");
  data::write_synthetic(spec, file);
  return file;
}

Campaign xgboost_campaign(const json& data) {
  json doc = {{"name", "t"},
              {"model",
               {{"name", "xgboost"},
                {"params", {{"nthread", 1}, {"n_estimators", 60}, {"max_depth", 4}}},
                {"data", data}}},
              {"search", {{"algorithm", "random"}, {"budget", 1}}},
              {"objective", {{"metric", "val_loss"}}}};
  return parse_campaign(doc, "campaign.json");
}

TrialRecord trained(const Campaign& c, TrialId id, const json& params,
                    const std::filesystem::path& trial_dir = {}) {
  TrialRunner runner(c);
  TrialRecord record{id, "", params, 1, runner.run(TrialTask{id, 1, params, trial_dir})};
  EXPECT_EQ(record.result.status, TrialStatus::Ok) << record.result.message;
  return record;
}

TrialRecord record_of(TrialId id, json params, Metrics metrics,
                      TrialStatus status = TrialStatus::Ok) {
  TrialRecord r{id, "", std::move(params), 1, {}};
  r.result.status = status;
  r.result.metrics = std::move(metrics);
  return r;
}

// The cells of predictions_test.csv by study: (truth, prediction) pairs.
std::map<std::string, std::pair<std::vector<float>, std::vector<float>>> predictions_by_study(
    const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "cell,drug,study,y_true,y_pred,abs_diff");
  std::map<std::string, std::pair<std::vector<float>, std::vector<float>>> out;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
    EXPECT_EQ(fields.size(), 6u) << line;  // synthetic ids hold no commas
    out[fields[2]].first.push_back(std::stof(fields[3]));
    out[fields[2]].second.push_back(std::stof(fields[4]));
  }
  return out;
}

}  // namespace

TEST(StudyMetric, NameAndParseRoundTrip) {
  EXPECT_EQ(study_metric_name("test_r2", "CCLE"), "test_r2@CCLE");
  const auto parsed = parse_study_metric("test_r2@lung@NSCLC");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->metric, "test_r2");
  EXPECT_EQ(parsed->study, "lung@NSCLC");
  EXPECT_FALSE(parse_study_metric("test_r2"));
  EXPECT_FALSE(parse_study_metric("test_r2@"));
  EXPECT_FALSE(parse_study_metric("@CCLE"));
}

TEST(PerStudyMetrics, MatchThePredictionsFileStudyByStudy) {
  ScratchDir dir;
  const auto file = write_studies(dir, 0.5);
  const Campaign c =
      xgboost_campaign({{"file", file.string()}, {"split", "study"}, {"test_sources", "*"}});
  std::filesystem::create_directories(dir / "trial");
  const TrialRecord r = trained(c, 0, {{"train_sources", "study1"}}, dir / "trial");
  const auto& m = r.result.metrics;

  const auto by_study = predictions_by_study(dir / "trial" / "predictions_test.csv");
  ASSERT_EQ(by_study.size(), 4u);
  std::vector<float> all_truth, all_predicted;
  for (const auto& [study, pairs] : by_study) {
    const Metrics expected = regression_metrics(pairs.first, pairs.second, "test_");
    for (const auto& name : regression_metric_names()) {
      const auto key = study_metric_name("test_" + name, study);
      ASSERT_TRUE(m.count(key)) << key;
      EXPECT_NEAR(m.at(key), expected.at("test_" + name), 1e-5) << key;
    }
    all_truth.insert(all_truth.end(), pairs.first.begin(), pairs.first.end());
    all_predicted.insert(all_predicted.end(), pairs.second.begin(), pairs.second.end());
  }
  EXPECT_NEAR(m.at("test_mse"), regression_metrics(all_truth, all_predicted).at("mse"), 1e-5);
  // The diagonal study gives a tenth of its rows to the test set, the others all of theirs.
  EXPECT_LT(by_study.at("study1").first.size(), by_study.at("study0").first.size() / 5);
  // Validation rows come from the training study only: no per-study split of them.
  for (const auto& [name, value] : m) {
    if (name.find('@') != std::string::npos) {
      EXPECT_EQ(name.rfind("test_", 0), 0u) << name;
    }
  }
}

TEST(PerStudyMetrics, NoneForASingleStudyDataset) {
  const Campaign c =
      xgboost_campaign({{"file", (source_dir() / "data/nci60.h5").string()}, {"split", "random"}});
  const TrialRecord r = trained(c, 0, {{"n_estimators", 5}});
  for (const auto& [name, value] : r.result.metrics) {
    EXPECT_EQ(name.find('@'), std::string::npos) << name;
  }
}

// The property the analysis exists to show: with study-specific batch effects a model scores
// worse on other studies than on held-out rows of its own, and without them it does not.
TEST(CrossStudyTable, BatchEffectsMakeTheOffDiagonalWorseThanTheDiagonal) {
  ScratchDir dir;
  std::map<double, std::pair<double, double>> diagonal_and_off;
  for (double batch_effect : {0.0, 0.5}) {
    const auto file = write_studies(dir, batch_effect);
    const Campaign c =
        xgboost_campaign({{"file", file.string()}, {"split", "study"}, {"test_sources", "*"}});
    std::vector<TrialRecord> trials;
    for (int s = 0; s < 4; ++s) {
      trials.push_back(trained(c, s, {{"train_sources", "study" + std::to_string(s)}}));
    }
    const CrossStudyTable table = cross_study_table(c, trials);
    ASSERT_EQ(table.sources.size(), 4u);
    ASSERT_EQ(table.targets.size(), 4u);
    std::vector<double> diagonal, off;
    for (const auto& source : table.sources) {
      for (const auto& target : table.targets) {
        const CrossStudyCell* cell = table.find(source, target, "r2");
        ASSERT_NE(cell, nullptr) << source << " " << target;
        EXPECT_EQ(cell->count, 1u);
        (source == target ? diagonal : off).push_back(cell->mean);
      }
    }
    const auto mean = [](const std::vector<double>& v) {
      return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    };
    diagonal_and_off[batch_effect] = {mean(diagonal), mean(off)};
  }
  const auto [same_diagonal, same_off] = diagonal_and_off.at(0.0);
  const auto [shifted_diagonal, shifted_off] = diagonal_and_off.at(0.5);
  // The models learn the shared biology: r2 well above a mean predictor's 0 on the diagonal.
  EXPECT_GT(same_diagonal, 0.5);
  EXPECT_GT(shifted_diagonal, 0.5);
  // Without batch effects every study is as good a test set as the training study's own.
  EXPECT_NEAR(same_off, same_diagonal, 0.05);
  // With them, other studies' offsets and scales cost a large part of the fit.
  EXPECT_LT(shifted_off, shifted_diagonal - 0.2)
      << "diagonal " << shifted_diagonal << ", off-diagonal " << shifted_off;
}

TEST(CrossStudyTable, AggregatesMeanCountAndSdPerSourceAndTarget) {
  const Campaign c = xgboost_campaign(
      {{"file", "d.h5"}, {"split", "study"}, {"train_sources", "A"}, {"test_sources", "*"}});
  const std::vector<TrialRecord> trials = {
      record_of(0, {{"train_sources", "A"}, {"split_seed", 0}},
                {{"test_r2@A", 0.75}, {"test_r2@B", 0.2}, {"test_mse@A", 1.0}, {"test_r2", 0.5}}),
      record_of(1, {{"train_sources", "A"}, {"split_seed", 1}},
                {{"test_r2@A", 0.25}, {"test_r2@B", std::nan("")}, {"val_r2@B", 0.9}}),
      record_of(2, {{"train_sources", json::array({"B", "C"})}}, {{"test_r2@A", 0.1}}),
      // Failed trials do not count, whatever they reported.
      record_of(3, {{"train_sources", "A"}}, {{"test_r2@A", -5.0}}, TrialStatus::Failed),
      // Without the parameter, the campaign's model.data names the source.
      record_of(4, {{"split_seed", 2}}, {{"test_r2@A", 0.5}}),
  };
  const CrossStudyTable t = cross_study_table(c, trials);
  EXPECT_EQ(t.sources, (std::vector<std::string>{"A", "B+C"}));
  EXPECT_EQ(t.targets, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(t.metrics, (std::vector<std::string>{"mse", "r2"}));
  const CrossStudyCell* aa = t.find("A", "A", "r2");
  ASSERT_NE(aa, nullptr);
  EXPECT_EQ(aa->count, 3u);
  EXPECT_EQ(aa->mean, 0.5);
  EXPECT_EQ(aa->sd, 0.25);
  const CrossStudyCell* ab = t.find("A", "B", "r2");
  ASSERT_NE(ab, nullptr);
  EXPECT_EQ(ab->count, 1u);  // the NaN is left out
  EXPECT_TRUE(std::isnan(ab->sd));
  EXPECT_EQ(t.find("B+C", "B", "r2"), nullptr);  // a missing cell

  EXPECT_EQ(cross_study_matrix_csv(t, "r2"),
            "train_source,A,B\n"
            "A,0.5,0.2\n"
            "B+C,0.1,\n");
  EXPECT_EQ(cross_study_long_csv(t),
            "train_source,test_study,metric,count,mean,sd\n"
            "A,A,mse,1,1.0,\n"
            "A,A,r2,3,0.5,0.25\n"
            "A,B,r2,1,0.2,\n"
            "B+C,A,r2,1,0.1,\n");
}

TEST(CrossStudyTable, EmptyWithoutPerStudyMetricsAndAllStudiesWithoutSources) {
  const Campaign c = xgboost_campaign({{"file", "d.h5"}});
  EXPECT_TRUE(cross_study_table(c, {record_of(0, json::object(), {{"test_r2", 0.5}})}).empty());
  EXPECT_EQ(training_source(c, json::object()), "*");
  const CrossStudyTable t =
      cross_study_table(c, {record_of(0, json::object(), {{"test_r2@x", 0.5}})});
  EXPECT_EQ(cross_study_matrix_csv(t, "r2"), "train_source,x\n*,0.5\n");
}

// IMPROVE's csa_postprocess files, against values worked out by hand.
TEST(ImproveCsaFiles, ScoresTablesAndWithinCrossSummaryAsImprovelibWritesThem) {
  const Campaign c = xgboost_campaign(
      {{"file", "d.h5"}, {"split", {{"improve", "CCLE"}, {"k", 4}, {"test", "*"}}}});
  const std::vector<TrialRecord> trials = {
      // The split object names the source and split unless the trial's parameters do.
      record_of(0, json::object(),
                {{"test_r2@CCLE", 0.5},
                 {"test_r2@gCSI", 0.25},
                 {"test_pearson@CCLE", 0.75},
                 {"val_r2@CCLE", 0.9}}),
      record_of(1, {{"split_seed", 1}}, {{"test_r2@CCLE", 0.75}, {"test_r2@gCSI", 0.125}}),
      record_of(2, {{"train_sources", "gCSI"}, {"split_seed", 0}},
                {{"test_r2@gCSI", 0.5}, {"test_r2@CCLE", 0.0}}),
      record_of(3, {{"split_seed", 2}}, {{"test_r2@CCLE", -9.0}}, TrialStatus::Failed),
  };
  EXPECT_EQ(training_source(c, json::object()), "CCLE");
  EXPECT_EQ(split_number(c, json::object()), 4);
  EXPECT_EQ(split_number(c, {{"split_seed", 1}}), 1);
  auto files = improve_csa_files(c, trials);
  ASSERT_EQ(files.size(), 6u);  // all_scores, densed, and mean and std tables of r2 and pcc
  EXPECT_EQ(files["all_scores.csv"],
            "met,split,value,src,trg,model\n"
            "pcc,4,0.75,CCLE,CCLE,xgboost\n"
            "r2,1,0.75,CCLE,CCLE,xgboost\n"
            "r2,4,0.5,CCLE,CCLE,xgboost\n"
            "r2,1,0.125,CCLE,gCSI,xgboost\n"
            "r2,4,0.25,CCLE,gCSI,xgboost\n"
            "r2,0,0.0,gCSI,CCLE,xgboost\n"
            "r2,0,0.5,gCSI,gCSI,xgboost\n");
  EXPECT_EQ(files["r2_mean_csa_table.csv"],
            "src,CCLE,gCSI\n"
            "CCLE,0.625,0.1875\n"
            "gCSI,0.0,0.5\n");
  // The sd of {0.75, 0.5} and of {0.125, 0.25} with n - 1: sqrt(2 x 0.125^2) and sqrt(2 x
  // 0.0625^2).
  EXPECT_EQ(files["r2_std_csa_table.csv"], "src,CCLE,gCSI\nCCLE," + csv_number(std::sqrt(0.03125)) +
                                               "," + csv_number(std::sqrt(0.0078125)) +
                                               "\ngCSI,,\n");
  EXPECT_EQ(files["pcc_mean_csa_table.csv"], "src,CCLE,gCSI\nCCLE,0.75,\ngCSI,,\n");
  // Within: r2 0.75, 0.5 and 0.5; cross: 0.125, 0.25 and 0.0; pcc: one within value.
  const double within = (0.75 + 0.5 + 0.5) / 3, cross = (0.125 + 0.25 + 0.0) / 3;
  const double within_sd =
      std::sqrt((std::pow(0.75 - within, 2) + 2 * std::pow(0.5 - within, 2)) / 2);
  const double cross_sd = std::sqrt(
      (std::pow(0.125 - cross, 2) + std::pow(0.25 - cross, 2) + std::pow(0.0 - cross, 2)) / 2);
  EXPECT_EQ(files["densed_csa_table.csv"],
            "met,mean,std,summary,model\npcc,0.75,,within,xgboost\nr2," + csv_number(within) + "," +
                csv_number(within_sd) + ",within,xgboost\nr2," + csv_number(cross) + "," +
                csv_number(cross_sd) + ",cross,xgboost\n");
  EXPECT_TRUE(improve_csa_files(c, {record_of(0, json::object(), {{"test_r2", 0.5}})}).empty());
}

TEST(StudySources, OneNameOrEveryStudy) {
  const auto parse = [](const json& data) {
    return data::parse_data_options(
        JsonView(data, "campaign.json", json::json_pointer("/model/data")), ".");
  };
  const auto one = parse({{"file", "x.h5"}, {"split", "study"}, {"train_sources", "s1"}});
  EXPECT_EQ(one.split.train_sources, std::vector<std::string>{"s1"});

  data::Responses r;
  for (std::uint16_t study = 0; study < 3; ++study) {
    for (std::uint32_t i = 0; i < 30; ++i) r.push_back(i, 0, 1.0f, study);
  }
  const std::vector<std::string> studies = {"s0", "s1", "s2"};
  auto spec =
      parse({{"file", "x.h5"}, {"split", "study"}, {"train_sources", "s1"}, {"test_sources", "*"}})
          .split;
  const data::Split split = data::make_split(r, studies, spec);
  EXPECT_EQ(split.train.size() + split.val.size() + split.test.size(), 90u);
  EXPECT_EQ(split.test.size(), 60u + 3u);  // every other study whole, a tenth of s1

  spec = parse({{"file", "x.h5"}, {"split", "study"}, {"train_sources", "s9"}}).split;
  EXPECT_EQ(input_error([&] { data::make_split(r, studies, spec); }),
            "campaign.json: /model/data/train_sources: unknown study \"s9\"; the dataset has: "
            "s0, s1, s2");
}

TEST(StudySources, CampaignStudyNamesAreCheckedAgainstTheFile) {
  ScratchDir dir;
  const auto file = write_studies(dir, 0.0);
  json doc = {
      {"name", "t"},
      {"model",
       {{"name", "xgboost"},
        {"data", {{"file", file.string()}, {"split", "study"}, {"test_sources", "*"}}}}},
      {"space",
       {{{"name", "train_sources"}, {"type", "categorical"}, {"values", {"study0", "study7"}}}}},
      {"search", {{"algorithm", "grid"}}}};
  EXPECT_EQ(input_error([&] { check_model_data_studies(parse_campaign(doc, "c.json")); }),
            "c.json: /space/0/values/1: unknown study \"study7\"; the dataset has: study0, "
            "study1, study2, study3");
  doc["space"][0]["values"] = {"study0", "study1"};
  doc["model"]["data"]["test_sources"] = {"study2", "nope"};
  EXPECT_EQ(input_error([&] { check_model_data_studies(parse_campaign(doc, "c.json")); }),
            "c.json: /model/data/test_sources/1: unknown study \"nope\"; the dataset has: "
            "study0, study1, study2, study3");
  doc["model"]["data"]["test_sources"] = "*";
  EXPECT_NO_THROW(check_model_data_studies(parse_campaign(doc, "c.json")));
}

TEST(GdscByTissue, EveryTissueIsAStudyAndTheRowsAddUp) {
  data::GdscOptions options;
  options.dir = source_dir() / "data/gdsc1000";
  options.drugs = data::DrugEncoding::OneHot;
  options.tissue = data::TissueEncoding::Drop;
  const data::Dataset single = data::import_gdsc(options);
  options.studies = data::GdscStudies::ByTissue;
  const data::Dataset by_tissue = data::import_gdsc(options);

  EXPECT_EQ(single.studies, std::vector<std::string>{"GDSC1000"});
  ASSERT_EQ(by_tissue.studies.size(), 27u);
  EXPECT_EQ(by_tissue.studies.front(), "Bladder");  // sorted, as GDSC spells them
  EXPECT_EQ(by_tissue.responses.size(), single.responses.size());
  EXPECT_EQ(by_tissue.responses.y, single.responses.y);
  // Every cell line's rows lie in one study, and each study holds the rows of its cell lines.
  std::map<std::uint32_t, std::uint16_t> study_of_cell;
  std::vector<std::size_t> rows(by_tissue.studies.size(), 0);
  for (std::size_t i = 0; i < by_tissue.responses.size(); ++i) {
    const auto [it, added] =
        study_of_cell.emplace(by_tissue.responses.cell[i], by_tissue.responses.study[i]);
    EXPECT_EQ(it->second, by_tissue.responses.study[i]);
    ++rows[by_tissue.responses.study[i]];
  }
  const auto lung = std::find(by_tissue.studies.begin(), by_tissue.studies.end(), "lung_NSCLC");
  ASSERT_NE(lung, by_tissue.studies.end());
  std::size_t lung_cells = 0;
  for (const auto& [cell, study] : study_of_cell) {
    lung_cells += by_tissue.studies[study] == "lung_NSCLC" ? 1 : 0;
  }
  EXPECT_EQ(lung_cells, 111u);  // TISSUE_FACTOR counts of genomic_features_v17

  // Pooling: the tissues under the threshold become one study, "other", with their rows.
  options.min_study_rows = 10000;
  const data::Dataset pooled = data::import_gdsc(options);
  std::size_t kept_rows = 0, small_rows = 0;
  std::vector<std::string> expected;
  for (std::size_t s = 0; s < rows.size(); ++s) {
    if (rows[s] >= 10000) {
      expected.push_back(by_tissue.studies[s]);
      kept_rows += rows[s];
    } else {
      small_rows += rows[s];
    }
  }
  expected.push_back("other");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(pooled.studies, expected);
  EXPECT_GT(expected.size(), 5u);
  const auto other = static_cast<std::uint16_t>(
      std::find(pooled.studies.begin(), pooled.studies.end(), "other") - pooled.studies.begin());
  EXPECT_EQ(static_cast<std::size_t>(
                std::count(pooled.responses.study.begin(), pooled.responses.study.end(), other)),
            small_rows);
  EXPECT_EQ(kept_rows + small_rows, single.responses.size());
}
