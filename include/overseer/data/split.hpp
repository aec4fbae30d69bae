#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "overseer/data/dataset.hpp"

namespace overseer::data {

enum class SplitKind {
  Random,    // rows shuffled and cut by `fractions`
  ByCell,    // cell lines cut by `fractions`; a cell's rows all go where it goes
  ByDrug,    // the same for drugs
  ByStudy,   // cross-study: train_sources for training, test_sources for testing
  Original,  // the dataset's own train/val/test (NCI-60's files)
  Files,     // IMPROVE-style files of response row ids
  Improve,   // IMPROVE's split files, imported as the dataset's row lists: train_sources'
             // split `seed`, tested on test_sources (below)
};

// train_sources or test_sources naming this alone stand for every study of the dataset.
inline constexpr const char* kEveryStudy = "*";

struct SplitSpec {
  SplitKind kind = SplitKind::Random;
  // Train, val and test shares; below 1 in total leaves the remaining rows (or groups) unused.
  std::array<double, 3> fractions{0.8, 0.1, 0.1};
  std::uint64_t seed = 0;
  std::vector<std::string> train_sources;
  std::vector<std::string> test_sources;
  std::array<std::filesystem::path, 3> files;  // train, val, test (may be empty)
  // Incremental learning: the training rows dealt into `train_subsets` subsets, in an order
  // drawn from `seed`; the subsets numbered (from 1) in `held_out_subsets` leave training. The
  // validation and test rows stay as they are. 0: no subsets.
  std::int64_t train_subsets = 0;
  std::vector<std::int64_t> held_out_subsets;
  // Learning curves: only this many of the training rows train (a share of them when at most
  // 1), drawn in an order of `train_size_seed` so that a larger size holds every row of a
  // smaller one. 0: all of them.
  double train_size = 0;
  std::uint64_t train_size_seed = 0;
  // The High Error Drug study: the rows of these drugs and cell lines (by id) leave training
  // and validation and join the test set, where they are also scored on their own.
  std::vector<std::string> move_drugs_to_test;
  std::vector<std::string> move_cells_to_test;
  // Where the spec was written (campaign file and JSON pointer), for error messages.
  std::string origin_file;
  std::string origin_pointer;
  // Options that trial parameters set rather than the spec's origin, by name, with the name the
  // parameters go by ("trial parameters", "--params"): errors about them point there.
  std::map<std::string, std::string> parameter_origins;
  // train_sources or test_sources given as one name rather than a list: errors point at it
  // rather than at an element.
  std::set<std::string> single_names;
};

// Response row indices of each part, ascending.
struct Split {
  std::vector<std::size_t> train;
  std::vector<std::size_t> val;
  std::vector<std::size_t> test;
  std::vector<std::size_t> moved;  // the test rows that move_*_to_test moved there
};

// Moves the rows of the spec's move_drugs_to_test and move_cells_to_test from training and
// validation to the test set of `split` (ids looked up in `drugs` and `cells`). An unknown id
// throws InputError at the spec's origin.
void move_to_test(Split& split, const Responses& responses, const FeatureTable& cells,
                  const FeatureTable& drugs, const SplitSpec& spec);
// Keeps the training rows the spec's held_out_subsets and train_size leave, after the moves, so
// that a size counts rows that train. Throws InputError when none are left.
void narrow_training(Split& split, const SplitSpec& spec);

// The row lists an IMPROVE split takes, for training study S (train_sources, one study) and
// split k (seed): S_split_k_train and S_split_k_val; for testing S_split_k_test, or for each
// study T of test_sources T_all (S_split_k_test for S itself), "*" standing for S_split_k_test
// and every other study's T_all, as IMPROVE's cross-study analysis tests.
struct ImproveLists {
  std::string train;
  std::string val;
  std::vector<std::string> test;
};
ImproveLists improve_lists(const SplitSpec& spec, const std::vector<std::string>& studies);

// Throws InputError at the spec's origin when an IMPROVE split needs a row list that is not in
// `names` (the dataset's, sorted), naming a few that are.
void check_row_list_names(const SplitSpec& spec, const std::vector<std::string>& studies,
                          const std::vector<std::string>& names);

// Splits the rows of `responses`. For split files and row lists, `file_rows` maps each row to
// the dataset file's row it stands for (after averaging duplicates: its key's first row;
// empty: itself) and `file_row_count` is the number of rows in the file; `row_lists` are the
// dataset's. An empty training or validation set, or an empty test set that the spec asks for,
// throws InputError at the spec's origin.
Split make_split(const Responses& responses, const std::vector<std::string>& studies,
                 const SplitSpec& spec, const std::vector<std::size_t>& file_rows = {},
                 std::size_t file_row_count = 0,
                 const std::map<std::string, std::vector<std::uint32_t>>& row_lists = {});

}  // namespace overseer::data
