// Split kinds, data options from JSON, and the errors of both.
#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "input_error.hpp"
#include "overseer/core/error.hpp"
#include "overseer/data/data_options.hpp"
#include "overseer/data/duplicates.hpp"
#include "overseer/data/h5_file.hpp"
#include "overseer/data/split.hpp"
#include "overseer/data/synthetic.hpp"
#include "process.hpp"

using namespace overseer;
using namespace overseer::data;
using overseer::test::input_error;
using overseer::test::ScratchDir;
using overseer::test::source_dir;
using overseer::test::write_text;

namespace {

const Dataset& nci60() {
  static const Dataset dataset = read_h5(source_dir() / "data/nci60.h5");
  return dataset;
}

// 3 studies over 40 cells x 30 drugs.
const Dataset& three_studies() {
  static const Dataset dataset = [] {
    SynthSpec spec;
    spec.cells = 40;
    spec.drugs = 30;
    spec.pairs = 3000;
    spec.studies = 3;
    spec.cell_features = spec.drug_features = 4;
    SyntheticGenerator generator(spec);
    Dataset d = generator.tables();
    generator.next(d.responses, spec.pairs);
    return d;
  }();
  return dataset;
}

SplitSpec spec_of(SplitKind kind, std::uint64_t seed = 1) {
  SplitSpec spec;
  spec.kind = kind;
  spec.seed = seed;
  spec.origin_file = "campaign.json";
  spec.origin_pointer = "/model/data";
  return spec;
}

// Parts are ascending, pairwise disjoint, and together cover `expected_rows` rows.
void expect_partition(const Split& s, std::size_t expected_rows) {
  std::set<std::size_t> all;
  for (const auto* part : {&s.train, &s.val, &s.test}) {
    EXPECT_TRUE(std::is_sorted(part->begin(), part->end()));
    all.insert(part->begin(), part->end());
  }
  EXPECT_EQ(all.size(), s.train.size() + s.val.size() + s.test.size()) << "parts overlap";
  EXPECT_EQ(all.size(), expected_rows);
}

std::set<std::uint32_t> values_at(const std::vector<std::uint32_t>& column,
                                  const std::vector<std::size_t>& rows) {
  std::set<std::uint32_t> out;
  for (auto r : rows) out.insert(column[r]);
  return out;
}

bool disjoint(const std::set<std::uint32_t>& a, const std::set<std::uint32_t>& b) {
  return std::none_of(a.begin(), a.end(), [&](std::uint32_t v) { return b.count(v) > 0; });
}

DataOptions parse(const json& data, const json& params = json::object()) {
  return parse_data_options(JsonView(data, "campaign.json", json::json_pointer("/model/data")),
                            "/runs", params);
}

}  // namespace

TEST(DataSplit, RandomIsSeededDisjointAndCovering) {
  const Responses& r = nci60().responses;
  const Split a = make_split(r, {"NCI60"}, spec_of(SplitKind::Random, 1));
  expect_partition(a, r.size());
  EXPECT_NEAR(a.train.size(), 0.8 * r.size(), 1);
  EXPECT_NEAR(a.val.size(), 0.1 * r.size(), 1);
  EXPECT_EQ(make_split(r, {"NCI60"}, spec_of(SplitKind::Random, 1)).val, a.val);
  EXPECT_NE(make_split(r, {"NCI60"}, spec_of(SplitKind::Random, 2)).val, a.val);

  SplitSpec half = spec_of(SplitKind::Random);
  half.fractions = {0.3, 0.1, 0.1};
  const Split subsample = make_split(r, {"NCI60"}, half);
  expect_partition(subsample, static_cast<std::size_t>(std::llround(0.5 * r.size())));
}

TEST(DataSplit, ByCellAndByDrugKeepEachGroupInOnePart) {
  const Responses& r = nci60().responses;
  for (auto kind : {SplitKind::ByCell, SplitKind::ByDrug}) {
    const Split s = make_split(r, {"NCI60"}, spec_of(kind, 7));
    expect_partition(s, r.size());
    const auto& column = kind == SplitKind::ByCell ? r.cell : r.drug;
    const auto train = values_at(column, s.train), val = values_at(column, s.val),
               test = values_at(column, s.test);
    EXPECT_TRUE(disjoint(train, val));
    EXPECT_TRUE(disjoint(train, test));
    EXPECT_TRUE(disjoint(val, test));
    const std::size_t groups = kind == SplitKind::ByCell ? 55 : 244;
    EXPECT_EQ(train.size() + val.size() + test.size(), groups);
    EXPECT_EQ(val.size(), static_cast<std::size_t>(std::llround(0.9 * groups)) -
                              static_cast<std::size_t>(std::llround(0.8 * groups)));
    EXPECT_EQ(make_split(r, {"NCI60"}, spec_of(kind, 7)).train, s.train);
  }
}

// A combination is a training row only when both its drugs are training drugs: a drug of the
// validation or test set never reaches training as some pair's second drug.
TEST(DataSplit, ByDrugOnCombinationsHoldsEachDrugOutInEitherPlace) {
  const Dataset pairs = read_h5(source_dir() / "data/synth-combinations.h5");
  const Responses& r = pairs.responses;
  ASSERT_TRUE(r.has_pairs());
  const Split s = make_split(r, pairs.studies, spec_of(SplitKind::ByDrug, 3));
  expect_partition(s, r.size());
  const auto drugs_at = [&](const std::vector<std::size_t>& rows) {
    std::set<std::uint32_t> out = values_at(r.drug, rows);
    for (const auto d : values_at(r.drug2, rows)) {
      if (d != kNoSecondDrug) out.insert(d);
    }
    return out;
  };
  // Every validation and test row holds a drug that no training row holds; every test row one
  // that no validation row holds either.
  const auto train = drugs_at(s.train), val = drugs_at(s.val);
  const auto holds_one_outside = [&](std::size_t row, const std::set<std::uint32_t>& seen) {
    return !seen.count(r.drug[row]) || (r.drug2[row] != kNoSecondDrug && !seen.count(r.drug2[row]));
  };
  std::set<std::uint32_t> seen_before_test = train;
  seen_before_test.insert(val.begin(), val.end());
  for (const auto row : s.val) EXPECT_TRUE(holds_one_outside(row, train)) << row;
  std::size_t pairs_in_test = 0;
  for (const auto row : s.test) {
    EXPECT_TRUE(holds_one_outside(row, seen_before_test)) << row;
    pairs_in_test += r.drug2[row] != kNoSecondDrug;
  }
  EXPECT_GT(pairs_in_test, 0u);
}

TEST(DataSplit, ByStudyTrainsOnTrainSourcesAndTestsOnTestSources) {
  const Dataset& d = three_studies();
  SplitSpec spec = spec_of(SplitKind::ByStudy);
  spec.train_sources = {"study0"};
  spec.test_sources = {"study1"};
  const std::vector<std::uint32_t> study(d.responses.study.begin(), d.responses.study.end());
  const Split s = make_split(d.responses, d.studies, spec);
  EXPECT_EQ(values_at(study, s.train), std::set<std::uint32_t>{0});
  EXPECT_EQ(values_at(study, s.val), std::set<std::uint32_t>{0});
  EXPECT_EQ(values_at(study, s.test), std::set<std::uint32_t>{1});
  const auto rows_of_study0 =
      std::count(d.responses.study.begin(), d.responses.study.end(), std::uint16_t{0});
  EXPECT_EQ(static_cast<long>(s.train.size() + s.val.size()), rows_of_study0);
  EXPECT_NEAR(static_cast<double>(s.val.size()) / rows_of_study0, 1.0 / 9, 0.01);

  // A study on both sides is cut three ways, as the diagonal of a cross-study matrix.
  spec.test_sources = {"study0", "study2"};
  const Split both = make_split(d.responses, d.studies, spec);
  EXPECT_EQ(values_at(study, both.test), (std::set<std::uint32_t>{0, 2}));
  expect_partition(both, d.responses.size() - static_cast<std::size_t>(std::count(
                                                  d.responses.study.begin(),
                                                  d.responses.study.end(), std::uint16_t{1})));
}

TEST(DataSplit, OriginalFollowsTheImportedFilesAlsoAfterAveraging) {
  const Responses& r = nci60().responses;
  const Split s = make_split(r, {"NCI60"}, spec_of(SplitKind::Original));
  EXPECT_EQ(s.train.size(), 8605u);
  EXPECT_EQ(s.val.size(), 2869u);
  EXPECT_EQ(s.test.size(), 2869u);

  const KeyGroups groups = group_by_key(r);
  const Responses merged = average_duplicates(r, groups);
  const Split m = make_split(merged, {"NCI60"}, spec_of(SplitKind::Original));
  expect_partition(m, 13003u);
  for (std::size_t i = 0; i < merged.size(); i += 97) {
    EXPECT_EQ(merged.original_part[i], r.original_part[groups.first_row[i]]);
  }
}

TEST(DataSplit, FilesOfRowIds) {
  ScratchDir dir;
  write_text(dir / "train.txt", "# IMPROVE-style\n0\n1\n2\n3\n");
  write_text(dir / "val.txt", "4\n 5 \n\n");
  SplitSpec spec = spec_of(SplitKind::Files);
  spec.files = {dir / "train.txt", dir / "val.txt", ""};
  const Split s = make_split(nci60().responses, {"NCI60"}, spec, {}, nci60().responses.size());
  EXPECT_EQ(s.train, (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(s.val, (std::vector<std::size_t>{4, 5}));
  EXPECT_TRUE(s.test.empty());

  // After averaging, a merged row follows its key's first file row.
  Responses r;
  for (int i = 0; i < 4; ++i) r.push_back(0, static_cast<std::uint32_t>(i % 3), 1.0f, 0);
  const KeyGroups groups = group_by_key(r);  // rows 0 and 3 share a key
  write_text(dir / "train.txt", "0\n1\n");
  write_text(dir / "val.txt", "2\n3\n");
  const Split merged = make_split(average_duplicates(r, groups), {"s"}, spec, groups.first_row, 4);
  EXPECT_EQ(merged.train, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(merged.val, (std::vector<std::size_t>{2}));
}

TEST(DataSplit, BadSplitsAreInputErrors) {
  ScratchDir dir;
  const Responses& r = nci60().responses;
  SplitSpec files = spec_of(SplitKind::Files);
  files.files = {dir / "train.txt", dir / "val.txt", ""};
  write_text(dir / "val.txt", "4\n");
  const std::string train_file = (dir / "train.txt").string();
  auto files_error = [&](const std::string& train) {
    write_text(dir / "train.txt", train);
    return input_error([&] { make_split(r, {"NCI60"}, files, {}, r.size()); });
  };
  EXPECT_EQ(files_error("1\nx2\n"), train_file + ":2: \"x2\" is not a row id (0-based)");
  EXPECT_EQ(files_error("14343\n"),
            train_file + ":1: row id 14343 is outside the dataset's 14343 responses");
  EXPECT_EQ(files_error("1\n1\n"),
            train_file + ":2: row id 1 is already in the train set (line 1 of its file)");
  EXPECT_EQ(files_error("# no rows yet\n\n"),
            train_file + ": no row ids (the training set would be empty)");
  std::filesystem::remove(dir / "train.txt");
  EXPECT_EQ(input_error([&] { make_split(r, {"NCI60"}, files, {}, r.size()); }),
            train_file + ": file does not exist");

  Responses three_cells;
  for (std::uint32_t c = 0; c < 3; ++c) three_cells.push_back(c, 0, 1.0f, 0);
  EXPECT_EQ(input_error([&] { make_split(three_cells, {"s"}, spec_of(SplitKind::ByCell)); }),
            "campaign.json: /model/data: the test set is empty (split of 3 cell lines with "
            "fractions 0.8, 0.1, 0.1)");
  SplitSpec no_val = spec_of(SplitKind::Random);
  no_val.fractions = {0.98, 0.01, 0.01};
  EXPECT_EQ(input_error([&] { make_split(three_cells, {"s"}, no_val); }),
            "campaign.json: /model/data: the validation set is empty (random split of 3 rows with "
            "fractions 0.98, 0.01, 0.01)");
  EXPECT_EQ(input_error([&] { make_split(three_cells, {"s"}, spec_of(SplitKind::Original)); }),
            "campaign.json: /model/data/split: the dataset has no original split (NCI-60 "
            "imported from DrugCell files has one)");
  SplitSpec study = spec_of(SplitKind::ByStudy);
  study.train_sources = {"s", "CCLE"};
  EXPECT_EQ(input_error([&] { make_split(three_cells, {"s"}, study); }),
            "campaign.json: /model/data/train_sources/1: unknown study \"CCLE\"; the dataset "
            "has: s");
  // Set by a trial parameter, the sources are reported there.
  const SplitSpec from_params =
      parse({{"file", "x.h5"}}, {{"split", "study"}, {"train_sources", {"CCLE"}}}).split;
  EXPECT_EQ(input_error([&] { make_split(three_cells, {"s"}, from_params); }),
            "trial parameters: /train_sources/0: unknown study \"CCLE\"; the dataset has: s");
}

TEST(DataOptionsTest, DefaultsAndTrialParameterOverrides) {
  const DataOptions o = parse({{"file", "nci60.h5"}});
  EXPECT_EQ(o.file, std::filesystem::path("/runs/nci60.h5"));
  EXPECT_EQ(o.split.kind, SplitKind::Random);
  EXPECT_EQ(o.scaling, Scaling::None);
  EXPECT_EQ(o.noise, 0);
  EXPECT_FALSE(o.noise_seed.has_value());

  const json data = {{"file", "/data/x.h5"},
                     {"split", "study"},
                     {"train_sources", {"CCLE"}},
                     {"test_sources", {"GDSC"}},
                     {"scaling", "std"},
                     {"average_duplicates", true},
                     {"noise", 0.1},
                     {"noise_basis", "mean"}};
  const DataOptions p = parse(data, {{"noise", 0.5}, {"split_seed", 3}, {"units", 100}});
  EXPECT_EQ(p.file, std::filesystem::path("/data/x.h5"));
  EXPECT_EQ(p.split.kind, SplitKind::ByStudy);
  EXPECT_EQ(p.split.test_sources, std::vector<std::string>{"GDSC"});
  EXPECT_EQ(p.split.seed, 3u);
  EXPECT_EQ(p.noise, 0.5);
  EXPECT_EQ(p.noise_basis, NoiseBasis::Mean);
  EXPECT_TRUE(p.average_duplicates);
  EXPECT_EQ(p.preparation_key(),
            parse(data, {{"noise", 0.9}, {"split_seed", 3}}).preparation_key());
  EXPECT_NE(p.preparation_key(), parse(data, {{"split_seed", 4}}).preparation_key());

  const DataOptions f = parse({{"file", "x.h5"},
                               {"split", "files"},
                               {"split_files", {{"train", "train.txt"}, {"val", "val.txt"}}}});
  EXPECT_EQ(f.split.files[1], std::filesystem::path("/runs/val.txt"));
  EXPECT_TRUE(f.split.files[2].empty());
  EXPECT_EQ(parse("plain.h5").file, std::filesystem::path("/runs/plain.h5"));
}

TEST(DataOptionsTest, MistakesNameThePointer) {
  struct Case {
    json data, params;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"file", "x.h5"}, {"splt", "cell"}},
       {},
       "campaign.json: /model/data/splt: unknown field \"splt\" (did you mean \"split\"?)"},
      {{{"split", "cell"}}, {}, "campaign.json: /model/data/file: required field is missing"},
      {{{"file", "x.h5"}, {"split", "tissue"}},
       {},
       "campaign.json: /model/data/split: expected one of \"random\", \"cell\", \"drug\", "
       "\"study\", \"original\", \"files\", \"improve\", found \"tissue\""},
      {{{"file", "x.h5"}, {"fractions", {0.8, 0.2, 0.1}}},
       {},
       "campaign.json: /model/data/fractions: the fractions add up to more than 1"},
      {{{"file", "x.h5"}, {"fractions", {0.8, 0.2}}},
       {},
       "campaign.json: /model/data/fractions: expected [train, val, test] fractions"},
      {{{"file", "x.h5"}, {"fractions", {0.8, 0.0, 0.2}}},
       {},
       "campaign.json: /model/data/fractions: the train and val fractions must be above 0"},
      {{{"file", "x.h5"}}, {{"noise", -1}}, "trial parameters: /noise: noise must not be negative"},
      {{{"file", "x.h5"}, {"train_sources", {"CCLE"}}},
       {},
       "campaign.json: /model/data/train_sources: train_sources needs \"split\": \"study\" or "
       "\"improve\""},
      {{{"file", "x.h5"}, {"split", "files"}},
       {},
       "campaign.json: /model/data: \"split\": \"files\" needs split_files: {\"train\": ..., "
       "\"val\": ...}"},
      {{{"file", "x.h5"}, {"scaling", "zscore"}},
       {},
       "campaign.json: /model/data/scaling: expected one of \"none\", \"std\", \"minmax\", found "
       "\"zscore\""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(input_error([&] { parse(c.data, c.params); }), c.message);
  }
}

TEST(DataSplit, HeldOutSubsetsLeaveTrainingAndNothingElse) {
  const Responses& r = nci60().responses;
  const Split whole = make_split(r, {"NCI60"}, spec_of(SplitKind::Original));
  SplitSpec spec = spec_of(SplitKind::Original);
  spec.train_subsets = 3;
  std::vector<std::set<std::size_t>> left_out;
  for (std::int64_t held : {1, 2, 3}) {
    spec.held_out_subsets = {held};
    Split s = make_split(r, {"NCI60"}, spec);
    narrow_training(s, spec);
    EXPECT_EQ(s.val, whole.val);
    EXPECT_EQ(s.test, whole.test);
    EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
    std::set<std::size_t> out(whole.train.begin(), whole.train.end());
    for (auto row : s.train) out.erase(row);
    EXPECT_NEAR(static_cast<double>(out.size()), whole.train.size() / 3.0, 1) << held;
    left_out.push_back(out);
  }
  // The three subsets are disjoint and cover the training rows.
  std::set<std::size_t> all;
  for (const auto& out : left_out) all.insert(out.begin(), out.end());
  EXPECT_EQ(all.size(), whole.train.size());
  // Holding out two is holding out each of them.
  spec.held_out_subsets = {3, 1};
  Split two = make_split(r, {"NCI60"}, spec);
  narrow_training(two, spec);
  EXPECT_EQ(two.train.size() + left_out[0].size() + left_out[2].size(), whole.train.size());
  for (auto row : two.train) EXPECT_FALSE(left_out[0].count(row) || left_out[2].count(row));

  EXPECT_EQ(input_error([&] {
              parse({{"file", "x.h5"}, {"held_out_subsets", {1}}});
            }),
            "campaign.json: /model/data/held_out_subsets: held_out_subsets needs train_subsets");
  EXPECT_EQ(input_error([&] {
              parse({{"file", "x.h5"}, {"train_subsets", 1}});
            }),
            "campaign.json: /model/data/train_subsets: train_subsets must be between 2 and 10000");
  EXPECT_EQ(input_error([&] {
              parse({{"file", "x.h5"}, {"train_subsets", 3}}, {{"held_out_subsets", {2, 4}}});
            }),
            "trial parameters: /held_out_subsets/1: a subset is numbered from 1 to train_subsets "
            "(3)");
  EXPECT_EQ(input_error([&] {
              parse({{"file", "x.h5"}, {"train_subsets", 3}, {"held_out_subsets", {2, 2}}});
            }),
            "campaign.json: /model/data/held_out_subsets/1: subset 2 is held out twice");
  // The subsets shape the prepared data, so they are part of its key.
  EXPECT_NE(parse({{"file", "x.h5"}, {"train_subsets", 3}}, {{"held_out_subsets", {1}}})
                .preparation_key(),
            parse({{"file", "x.h5"}, {"train_subsets", 3}}, {{"held_out_subsets", {2}}})
                .preparation_key());
}

TEST(DataSplit, ATrainingSizeKeepsTheValidationAndTestRowsAndNestsWithinARepeat) {
  const Responses& r = nci60().responses;
  const Split whole = make_split(r, {"NCI60"}, spec_of(SplitKind::Original));
  SplitSpec spec = spec_of(SplitKind::Original);
  std::vector<std::vector<std::size_t>> trains;
  for (double size : {0.1, 0.5, 1.0}) {
    spec.train_size = size;
    spec.train_size_seed = 1;
    Split s = make_split(r, {"NCI60"}, spec);
    narrow_training(s, spec);
    EXPECT_EQ(s.val, whole.val);
    EXPECT_EQ(s.test, whole.test);
    EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
    EXPECT_NEAR(static_cast<double>(s.train.size()), size * whole.train.size(), 1) << size;
    trains.push_back(s.train);
  }
  EXPECT_EQ(trains[2], whole.train);
  EXPECT_TRUE(std::includes(trains[1].begin(), trains[1].end(), trains[0].begin(), trains[0].end()))
      << "a larger size holds every row of a smaller one";
  spec.train_size = 0.1;
  spec.train_size_seed = 2;
  const auto narrowed = [&] {
    Split s = make_split(r, {"NCI60"}, spec);
    narrow_training(s, spec);
    return s;
  };
  EXPECT_NE(narrowed().train, trains[0]) << "another repeat, other rows";
  spec.train_size = 500;
  EXPECT_EQ(narrowed().train.size(), 500u);
  spec.train_subsets = 2;
  spec.held_out_subsets = {1, 2};
  EXPECT_EQ(input_error(narrowed),
            "campaign.json: /model/data: the training set is empty (subsets 1, 2 of 2 held out)");
  EXPECT_EQ(input_error([&] {
              parse({{"file", "x.h5"}, {"train_size", 1.5}});
            }),
            "campaign.json: /model/data/train_size: train_size must be a share of the training "
            "rows above 0 and at most 1, or a whole number of rows");
}

TEST(DataSplit, MovedDrugsAndCellsLeaveTrainingAndValidationForTheTestSet) {
  const Dataset& d = nci60();
  const Responses& r = d.responses;
  const Split whole = make_split(r, {"NCI60"}, spec_of(SplitKind::Original));
  SplitSpec spec = spec_of(SplitKind::Original);
  spec.move_drugs_to_test = {d.drugs.ids[3], d.drugs.ids[10]};
  spec.move_cells_to_test = {d.cells.ids[0]};
  Split s = make_split(r, {"NCI60"}, spec);
  move_to_test(s, r, d.cells, d.drugs, spec);
  const auto moves = [&](std::size_t row) {
    return r.drug[row] == 3 || r.drug[row] == 10 || r.cell[row] == 0;
  };
  for (const auto* part : {&s.train, &s.val}) {
    EXPECT_TRUE(std::none_of(part->begin(), part->end(), moves));
  }
  std::vector<std::size_t> expected_moved;
  for (std::size_t row = 0; row < r.size(); ++row) {
    if (moves(row)) expected_moved.push_back(row);
  }
  EXPECT_EQ(s.moved, expected_moved);
  EXPECT_EQ(s.train.size() + s.val.size() + s.test.size(),
            whole.train.size() + whole.val.size() + whole.test.size());
  EXPECT_TRUE(std::includes(s.test.begin(), s.test.end(), s.moved.begin(), s.moved.end()));
  EXPECT_TRUE(std::includes(s.test.begin(), s.test.end(), whole.test.begin(), whole.test.end()));

  spec.move_drugs_to_test = {"no-such-drug"};
  Split again = make_split(r, {"NCI60"}, spec);
  EXPECT_EQ(input_error([&] { move_to_test(again, r, d.cells, d.drugs, spec); }),
            "campaign.json: /model/data/move_drugs_to_test/0: \"no-such-drug\" is not an id of the "
            "dataset's drugs");
}
