#include "overseer/data/split.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <spdlog/fmt/fmt.h>

#include "overseer/core/error.hpp"
#include "overseer/core/random.hpp"
#include "overseer/data/text_input.hpp"

namespace overseer::data {
namespace {

using Parts = std::vector<std::int8_t>;  // OriginalPart values, one per row or group

// The sets of a split, by OriginalPart, as messages name them.
const char* const kSetNames[] = {"training", "validation", "test"};

// Shuffles `n` items and cuts them at the cumulative fractions: train, val, test, unused.
Parts cut(std::size_t n, const std::array<double, 3>& fractions, Rng& rng) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  shuffle(order, rng);
  Parts parts(n, kNoPart);
  double cumulative = 0;
  std::size_t begin = 0;
  for (std::int8_t p = kTrainPart; p <= kTestPart; ++p) {
    cumulative += fractions[static_cast<std::size_t>(p)];
    const auto end = std::min(n, static_cast<std::size_t>(std::llround(cumulative * n)));
    for (std::size_t i = begin; i < end; ++i) parts[order[i]] = p;
    begin = std::max(begin, end);
  }
  return parts;
}

// The part of a drug combination whose drugs fell in parts a and b: training only when both
// are training drugs, so that no drug of the validation or test set is ever trained on, and
// the test set before the validation set.
std::int8_t part_of_pair(std::int8_t a, std::int8_t b) {
  const auto rank = [](std::int8_t p) {
    switch (p) {
      case kTestPart:
        return 3;
      case kValPart:
        return 2;
      case kNoPart:
        return 1;
      default:
        return 0;
    }
  };
  return rank(a) >= rank(b) ? a : b;
}

// Every row takes the part of its group (its cell line or drug); a row with a second group (a
// combination's second drug) takes the part of both.
Parts cut_groups(const std::vector<std::uint32_t>& group_of_row,
                 const std::vector<std::uint32_t>& second_group_of_row, const SplitSpec& spec,
                 std::size_t& groups) {
  std::vector<std::uint32_t> ids = group_of_row;
  for (const auto id : second_group_of_row) {
    if (id != kNoSecondDrug) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  groups = ids.size();
  Rng rng(spec.seed);
  const Parts group_parts = cut(ids.size(), spec.fractions, rng);
  const auto part_of = [&](std::uint32_t id) {
    return group_parts[static_cast<std::size_t>(std::lower_bound(ids.begin(), ids.end(), id) -
                                                ids.begin())];
  };
  Parts parts(group_of_row.size());
  for (std::size_t r = 0; r < parts.size(); ++r) {
    parts[r] = part_of(group_of_row[r]);
    if (!second_group_of_row.empty() && second_group_of_row[r] != kNoSecondDrug) {
      parts[r] = part_of_pair(parts[r], part_of(second_group_of_row[r]));
    }
  }
  return parts;
}

// An error about option `key` (or, with `below` such as "/0", inside it), where it was set.
InputError option_error(const SplitSpec& spec, const std::string& key, const std::string& below,
                        const std::string& message) {
  const auto parameter = spec.parameter_origins.find(key);
  if (parameter != spec.parameter_origins.end()) {
    return InputError(parameter->second, "/" + key + below, message);
  }
  return InputError(spec.origin_file, spec.origin_pointer + "/" + key + below, message);
}

std::vector<bool> study_set(const std::vector<std::string>& names,
                            const std::vector<std::string>& studies, const SplitSpec& spec,
                            const char* key) {
  if (names.size() == 1 && names.front() == kEveryStudy) {
    return std::vector<bool>(studies.size(), true);
  }
  std::vector<bool> in(studies.size(), false);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto it = std::find(studies.begin(), studies.end(), names[i]);
    if (it == studies.end()) {
      std::string known;
      for (const auto& s : studies) known += (known.empty() ? "" : ", ") + s;
      const bool single = spec.single_names.count(key) > 0;
      throw option_error(spec, key, single ? "" : "/" + std::to_string(i),
                         "unknown study \"" + names[i] + "\"; the dataset has: " + known);
    }
    in[static_cast<std::size_t>(it - studies.begin())] = true;
  }
  return in;
}

// Studies only in train_sources give training and validation rows (in the ratio of the train
// and val fractions), studies only in test_sources give test rows, and studies in both are cut
// by all three fractions, as within-study cells of a cross-study matrix.
Parts by_study(const Responses& r, const std::vector<std::string>& studies, const SplitSpec& spec) {
  if (spec.train_sources.empty()) {
    throw option_error(spec, "train_sources", "", "a study split needs train_sources");
  }
  const auto train = study_set(spec.train_sources, studies, spec, "train_sources");
  const auto test = study_set(spec.test_sources, studies, spec, "test_sources");
  std::vector<std::size_t> train_only, both;
  Parts parts(r.size(), kNoPart);
  for (std::size_t i = 0; i < r.size(); ++i) {
    const bool in_train = train[r.study[i]], in_test = test[r.study[i]];
    if (in_train && in_test) {
      both.push_back(i);
    } else if (in_train) {
      train_only.push_back(i);
    } else if (in_test) {
      parts[i] = kTestPart;
    }
  }
  const double fit = spec.fractions[0] + spec.fractions[1];
  Rng rng(spec.seed);
  const Parts train_parts =
      cut(train_only.size(), {spec.fractions[0] / fit, spec.fractions[1] / fit, 0.0}, rng);
  for (std::size_t k = 0; k < train_only.size(); ++k) parts[train_only[k]] = train_parts[k];
  const Parts both_parts = cut(both.size(), spec.fractions, rng);
  for (std::size_t k = 0; k < both.size(); ++k) parts[both[k]] = both_parts[k];
  return parts;
}

// One row id per line (0-based rows of the dataset file's /responses), '#' starts a comment.
Parts from_files(const SplitSpec& spec, std::size_t file_row_count) {
  Parts parts(file_row_count, kNoPart);
  std::vector<std::size_t> listed_at(file_row_count, 0);
  const char* names[] = {"train", "val", "test"};
  std::string line;
  for (std::int8_t p = kTrainPart; p <= kTestPart; ++p) {
    const auto& path = spec.files[static_cast<std::size_t>(p)];
    if (path.empty()) continue;
    TextReader reader(path);
    std::size_t listed = 0;
    while (reader.next(line)) {
      const auto id = parse_row_id(line, reader, "(0-based)");
      if (!id) continue;
      const std::size_t row = *id;
      if (row >= file_row_count) {
        reader.fail("row id " + std::to_string(row) + " is outside the dataset's " +
                    std::to_string(file_row_count) + " responses");
      }
      if (parts[row] != kNoPart) {
        reader.fail("row id " + std::to_string(row) + " is already in the " +
                    names[static_cast<std::size_t>(parts[row])] + " set (line " +
                    std::to_string(listed_at[row]) + " of its file)");
      }
      parts[row] = p;
      listed_at[row] = reader.line_number();
      ++listed;
    }
    // Named here, at the file, rather than as an empty set of the split as a whole.
    if (listed == 0) {
      throw InputError(path.string(), "",
                       std::string("no row ids (the ") + kSetNames[static_cast<std::size_t>(p)] +
                           " set would be empty)");
    }
  }
  return parts;
}

// The rows of the dataset's row lists that an IMPROVE split names.
Parts from_improve_lists(const SplitSpec& spec, const std::vector<std::string>& studies,
                         const std::map<std::string, std::vector<std::uint32_t>>& lists,
                         std::size_t file_row_count) {
  std::vector<std::string> names;
  for (const auto& [name, rows] : lists) names.push_back(name);
  check_row_list_names(spec, studies, names);
  const ImproveLists chosen = improve_lists(spec, studies);
  Parts parts(file_row_count, kNoPart);
  auto take = [&](const std::string& name, std::int8_t part) {
    for (const auto row : lists.at(name)) {
      if (parts[row] != kNoPart) {
        throw option_error(spec, "split", "",
                           "row " + std::to_string(row) + " of row list \"" + name +
                               "\" is in the " + kSetNames[static_cast<std::size_t>(parts[row])] +
                               " set as well");
      }
      parts[row] = part;
    }
  };
  take(chosen.train, kTrainPart);
  take(chosen.val, kValPart);
  for (const auto& name : chosen.test) take(name, kTestPart);
  return parts;
}

std::string fractions_text(const SplitSpec& spec) {
  return fmt::format("fractions {}, {}, {}", spec.fractions[0], spec.fractions[1],
                     spec.fractions[2]);
}

}  // namespace

ImproveLists improve_lists(const SplitSpec& spec, const std::vector<std::string>& studies) {
  if (spec.train_sources.size() != 1 || spec.train_sources.front() == kEveryStudy) {
    throw option_error(spec, "train_sources", "",
                       "an IMPROVE split trains on the split files of one study: give one name");
  }
  study_set(spec.train_sources, studies, spec, "train_sources");
  const std::string& source = spec.train_sources.front();
  const std::string prefix = source + "_split_" + std::to_string(spec.seed) + "_";
  ImproveLists out{prefix + "train", prefix + "val", {}};
  const auto tested = study_set(spec.test_sources, studies, spec, "test_sources");
  const bool only_own = spec.test_sources.empty();
  for (std::size_t i = 0; i < studies.size(); ++i) {
    if (studies[i] == source && (only_own || tested[i])) {
      out.test.push_back(prefix + "test");
    } else if (tested[i]) {
      out.test.push_back(studies[i] + "_all");
    }
  }
  return out;
}

void check_row_list_names(const SplitSpec& spec, const std::vector<std::string>& studies,
                          const std::vector<std::string>& names) {
  const ImproveLists chosen = improve_lists(spec, studies);
  std::vector<std::string> needed = {chosen.train, chosen.val};
  needed.insert(needed.end(), chosen.test.begin(), chosen.test.end());
  for (const auto& name : needed) {
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    // Real IMPROVE data has 155 lists: name a few and where to see them all.
    constexpr std::size_t kNamed = 6;
    std::string known;
    for (std::size_t i = 0; i < std::min(names.size(), kNamed); ++i) {
      known += (known.empty() ? "" : ", ") + names[i];
    }
    if (names.size() > kNamed) {
      known +=
          ", ... (" + std::to_string(names.size()) + " in all; `overseer data info` lists them)";
    }
    throw option_error(spec, "split", "",
                       "the dataset has no row list \"" + name + "\" (" +
                           (known.empty() ? std::string("it has none; IMPROVE data imported with "
                                                        "`overseer data import improve` has its "
                                                        "split files as row lists")
                                          : "it has: " + known) +
                           ")");
  }
}

namespace {

void hold_out_subsets(std::vector<std::size_t>& train, const SplitSpec& spec) {
  std::vector<std::size_t> order = train;
  Rng rng(mix_seed(spec.seed, 0x737562ULL));  // "sub"
  shuffle(order, rng);
  const auto n = order.size();
  const auto k = static_cast<std::size_t>(spec.train_subsets);
  std::vector<bool> held(n == 0 ? 0 : *std::max_element(order.begin(), order.end()) + 1, false);
  for (std::size_t p = 0; p < n; ++p) {
    const auto subset = static_cast<std::int64_t>(p * k / n) + 1;
    const auto& out = spec.held_out_subsets;
    held[order[p]] = std::find(out.begin(), out.end(), subset) != out.end();
  }
  train.erase(std::remove_if(train.begin(), train.end(), [&](std::size_t r) { return held[r]; }),
              train.end());
}

void keep_train_size(std::vector<std::size_t>& train, const SplitSpec& spec) {
  const auto n = train.size();
  const auto size =
      spec.train_size <= 1
          ? static_cast<std::size_t>(std::llround(spec.train_size * static_cast<double>(n)))
          : std::min(n, static_cast<std::size_t>(spec.train_size));
  Rng rng(mix_seed(spec.train_size_seed, 0x6c63ULL));  // "lc"
  shuffle(train, rng);
  train.resize(size);
  std::sort(train.begin(), train.end());
}

}  // namespace

Split make_split(const Responses& responses, const std::vector<std::string>& studies,
                 const SplitSpec& spec, const std::vector<std::size_t>& file_rows,
                 std::size_t file_row_count,
                 const std::map<std::string, std::vector<std::uint32_t>>& row_lists) {
  Parts parts;
  std::string described;
  bool test_expected = spec.fractions[2] > 0;
  switch (spec.kind) {
    case SplitKind::Random: {
      Rng rng(spec.seed);
      parts = cut(responses.size(), spec.fractions, rng);
      described = "random split of " + std::to_string(responses.size()) + " rows with " +
                  fractions_text(spec);
      break;
    }
    case SplitKind::ByCell:
    case SplitKind::ByDrug: {
      const bool by_cell = spec.kind == SplitKind::ByCell;
      std::size_t groups = 0;
      parts = by_cell ? cut_groups(responses.cell, {}, spec, groups)
                      : cut_groups(responses.drug, responses.drug2, spec, groups);
      described = "split of " + std::to_string(groups) + (by_cell ? " cell lines" : " drugs") +
                  " with " + fractions_text(spec);
      break;
    }
    case SplitKind::ByStudy:
      parts = by_study(responses, studies, spec);
      described = "study split";
      test_expected = !spec.test_sources.empty();
      break;
    case SplitKind::Original:
      if (responses.original_part.empty()) {
        throw option_error(spec, "split", "",
                           "the dataset has no original split (NCI-60 imported from DrugCell "
                           "files has one)");
      }
      parts = responses.original_part;
      described = "original split";
      test_expected = true;
      break;
    case SplitKind::Files:
    case SplitKind::Improve: {
      const bool files = spec.kind == SplitKind::Files;
      const Parts file_parts = files ? from_files(spec, file_row_count)
                                     : from_improve_lists(spec, studies, row_lists, file_row_count);
      parts.resize(responses.size());
      for (std::size_t r = 0; r < parts.size(); ++r) {
        parts[r] = file_parts[file_rows.empty() ? r : file_rows[r]];
      }
      described = files ? "split files"
                        : "IMPROVE split " + std::to_string(spec.seed) + " of " +
                              spec.train_sources.front();
      test_expected = !files || !spec.files[2].empty();
      break;
    }
  }

  Split split;
  std::vector<std::size_t>* lists[] = {&split.train, &split.val, &split.test};
  for (std::size_t r = 0; r < parts.size(); ++r) {
    if (parts[r] != kNoPart) lists[static_cast<std::size_t>(parts[r])]->push_back(r);
  }
  for (std::size_t p = 0; p < 3; ++p) {
    if (lists[p]->empty() && (p < 2 || test_expected)) {
      throw InputError(spec.origin_file, spec.origin_pointer,
                       std::string("the ") + kSetNames[p] + " set is empty (" + described + ")");
    }
  }
  return split;
}

void narrow_training(Split& split, const SplitSpec& spec) {
  if (spec.train_subsets > 0) hold_out_subsets(split.train, spec);
  if (spec.train_size > 0) keep_train_size(split.train, spec);
  if (split.train.empty()) {
    throw InputError(
        spec.origin_file, spec.origin_pointer,
        spec.train_subsets > 0
            ? fmt::format("the training set is empty (subsets {} of {} held out)",
                          fmt::join(spec.held_out_subsets, ", "), spec.train_subsets)
            : fmt::format("the training set is empty (train_size {})", spec.train_size));
  }
}

void move_to_test(Split& split, const Responses& responses, const FeatureTable& cells,
                  const FeatureTable& drugs, const SplitSpec& spec) {
  if (spec.move_drugs_to_test.empty() && spec.move_cells_to_test.empty()) return;
  const auto marked = [&](const FeatureTable& table, const std::vector<std::string>& ids,
                          const char* key, const char* noun) {
    std::vector<bool> out(table.rows(), false);
    const auto index = table.row_index();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto it = index.find(ids[i]);
      if (it == index.end()) {
        throw option_error(spec, key, "/" + std::to_string(i),
                           "\"" + ids[i] + "\" is not an id of the dataset's " + noun);
      }
      out[it->second] = true;
    }
    return out;
  };
  const auto drug = marked(drugs, spec.move_drugs_to_test, "move_drugs_to_test", "drugs");
  const auto cell = marked(cells, spec.move_cells_to_test, "move_cells_to_test", "cell lines");
  const auto moves = [&](std::size_t r) {
    const auto second = responses.second_drug(r);
    return drug[responses.drug[r]] || cell[responses.cell[r]] ||
           (second != kNoSecondDrug && drug[second]);
  };
  for (auto* part : {&split.train, &split.val}) {
    for (auto r : *part) {
      if (moves(r)) split.moved.push_back(r);
    }
    part->erase(std::remove_if(part->begin(), part->end(), moves), part->end());
  }
  for (auto r : split.test) {
    if (moves(r)) split.moved.push_back(r);
  }
  split.test.insert(split.test.end(), split.moved.begin(), split.moved.end());
  std::sort(split.test.begin(), split.test.end());
  split.test.erase(std::unique(split.test.begin(), split.test.end()), split.test.end());
  std::sort(split.moved.begin(), split.moved.end());
  for (const auto* part : {&split.train, &split.val}) {
    if (part->empty()) {
      throw InputError(spec.origin_file, spec.origin_pointer,
                       std::string("the ") + (part == &split.train ? "training" : "validation") +
                           " set is empty once the moved drugs and cell lines are in the test "
                           "set");
    }
  }
}

}  // namespace overseer::data
