#include "overseer/data/data_options.hpp"

#include <algorithm>
#include <cmath>
#include <system_error>

namespace overseer::data {
namespace {

const std::vector<std::pair<std::string, SplitKind>> kSplitKinds = {
    {"random", SplitKind::Random},  {"cell", SplitKind::ByCell},       {"drug", SplitKind::ByDrug},
    {"study", SplitKind::ByStudy},  {"original", SplitKind::Original}, {"files", SplitKind::Files},
    {"improve", SplitKind::Improve}};

template <typename Enum>
Enum choice(const JsonView& v, const std::vector<std::pair<std::string, Enum>>& names) {
  const std::string text = v.string();
  std::string allowed;
  for (const auto& [name, value] : names) {
    if (name == text) return value;
    allowed += (allowed.empty() ? "\"" : ", \"") + name + "\"";
  }
  v.fail("expected one of " + allowed + ", found \"" + text + "\"");
}

template <typename Enum>
std::string name_of(Enum value, const std::vector<std::pair<std::string, Enum>>& names) {
  for (const auto& [name, v] : names) {
    if (v == value) return name;
  }
  return "";
}

const std::vector<std::pair<std::string, Scaling>> kScalings = {
    {"none", Scaling::None}, {"std", Scaling::Standard}, {"minmax", Scaling::MinMax}};
const std::vector<std::pair<std::string, NoiseBasis>> kNoiseBases = {{"std", NoiseBasis::Std},
                                                                     {"mean", NoiseBasis::Mean}};

std::uint64_t seed_value(const JsonView& v) {
  const std::int64_t seed = v.integer();
  if (seed < 0) v.fail("a seed must not be negative");
  return static_cast<std::uint64_t>(seed);
}

// A list of study names, or one name alone: a grid over the training study is then a
// categorical parameter of plain strings.
std::vector<std::string> names(const JsonView& v) {
  if (v.value().is_string()) return {v.string()};
  std::vector<std::string> out;
  for (const auto& element : v.elements()) out.push_back(element.string());
  return out;
}

std::array<double, 3> fractions(const JsonView& v) {
  const auto elements = v.elements();
  if (elements.size() != 3) v.fail("expected [train, val, test] fractions");
  std::array<double, 3> out{};
  for (std::size_t i = 0; i < 3; ++i) {
    out[i] = elements[i].number();
    if (out[i] < 0 || out[i] > 1) elements[i].fail("a fraction must be between 0 and 1");
  }
  if (out[0] == 0 || out[1] == 0) v.fail("the train and val fractions must be above 0");
  if (out[0] + out[1] + out[2] > 1 + 1e-9) v.fail("the fractions add up to more than 1");
  return out;
}

// {"improve": STUDY, "k": K, "test": OTHER}: short for "split": "improve" with train_sources
// STUDY, split_seed K and test_sources OTHER (each of which a trial parameter may still set).
void improve_split(const JsonView& v, SplitSpec& split) {
  v.only_keys({"improve", "k", "test"});
  split.kind = SplitKind::Improve;
  split.train_sources = {v.at("improve").string()};
  if (auto k = v.find("k")) split.seed = seed_value(*k);
  if (auto test = v.find("test")) split.test_sources = names(*test);
}

std::filesystem::path resolve(const JsonView& v, const std::filesystem::path& base_dir) {
  const std::filesystem::path path = v.string();
  return path.is_absolute() ? path : base_dir / path;
}

}  // namespace

const std::vector<std::string>& data_parameter_names() {
  static const std::vector<std::string> names = {"split",
                                                 "fractions",
                                                 "split_seed",
                                                 "train_sources",
                                                 "test_sources",
                                                 "average_duplicates",
                                                 "scaling",
                                                 "noise",
                                                 "noise_basis",
                                                 "noise_seed",
                                                 "train_subsets",
                                                 "held_out_subsets",
                                                 "train_size",
                                                 "train_size_seed",
                                                 "move_drugs_to_test",
                                                 "move_cells_to_test"};
  return names;
}

DataOptions parse_data_options(const JsonView& data, const std::filesystem::path& base_dir,
                               const json& params, const std::string& params_origin) {
  DataOptions o;
  if (data.value().is_string()) {
    o.file = resolve(data, base_dir);
  } else {
    std::vector<std::string> allowed = data_parameter_names();
    allowed.insert(allowed.end(), {"file", "split_files"});
    data.only_keys(allowed);
    o.file = resolve(data.at("file"), base_dir);
  }
  const JsonView trial(params, params_origin);
  // A trial parameter wins over the campaign's model.data.
  auto find = [&](const std::string& key) -> std::optional<JsonView> {
    if (params.is_object() && params.contains(key)) {
      o.split.parameter_origins[key] = params_origin;
      return trial.at(key);
    }
    if (data.value().is_object()) return data.find(key);
    return std::nullopt;
  };

  o.split.origin_file = data.file();
  o.split.origin_pointer = data.pointer();
  if (auto v = find("split")) {
    if (v->value().is_object()) {
      improve_split(*v, o.split);
    } else {
      o.split.kind = choice(*v, kSplitKinds);
    }
  }
  if (auto v = find("fractions")) o.split.fractions = fractions(*v);
  if (auto v = find("split_seed")) o.split.seed = seed_value(*v);
  for (auto [key, sources] : {std::pair{"train_sources", &o.split.train_sources},
                              {"test_sources", &o.split.test_sources}}) {
    if (auto v = find(key)) {
      *sources = names(*v);
      if (v->value().is_string()) o.split.single_names.insert(key);
    }
  }
  if (o.split.kind != SplitKind::ByStudy && o.split.kind != SplitKind::Improve) {
    for (const char* key : {"train_sources", "test_sources"}) {
      if (auto v = find(key)) {
        v->fail(std::string(key) + " needs \"split\": \"study\" or \"improve\"");
      }
    }
  }
  if (auto v = find("split_files")) {
    if (o.split.kind != SplitKind::Files) v->fail("split_files needs \"split\": \"files\"");
    v->only_keys({"train", "val", "test"});
    o.split.files[0] = resolve(v->at("train"), base_dir);
    o.split.files[1] = resolve(v->at("val"), base_dir);
    if (auto test = v->find("test")) o.split.files[2] = resolve(*test, base_dir);
  } else if (o.split.kind == SplitKind::Files) {
    data.fail("\"split\": \"files\" needs split_files: {\"train\": ..., \"val\": ...}");
  }
  if (auto v = find("train_subsets")) {
    o.split.train_subsets = v->integer();
    if (o.split.train_subsets < 2 || o.split.train_subsets > 10000) {
      v->fail("train_subsets must be between 2 and 10000");
    }
  }
  if (auto v = find("held_out_subsets")) {
    if (o.split.train_subsets == 0) v->fail("held_out_subsets needs train_subsets");
    for (const auto& element : v->elements()) {
      const std::int64_t subset = element.integer();
      auto& held = o.split.held_out_subsets;
      if (subset < 1 || subset > o.split.train_subsets) {
        element.fail("a subset is numbered from 1 to train_subsets (" +
                     std::to_string(o.split.train_subsets) + ")");
      }
      if (std::find(held.begin(), held.end(), subset) != held.end()) {
        element.fail("subset " + std::to_string(subset) + " is held out twice");
      }
      held.push_back(subset);
    }
  }
  if (auto v = find("train_size")) {
    o.split.train_size = v->number();
    if (!(o.split.train_size > 0) ||
        (o.split.train_size > 1 && o.split.train_size != std::floor(o.split.train_size))) {
      v->fail(
          "train_size must be a share of the training rows above 0 and at most 1, or a whole "
          "number of rows");
    }
  }
  if (auto v = find("train_size_seed")) o.split.train_size_seed = seed_value(*v);
  for (auto [key, ids] : {std::pair{"move_drugs_to_test", &o.split.move_drugs_to_test},
                          {"move_cells_to_test", &o.split.move_cells_to_test}}) {
    if (auto v = find(key)) *ids = names(*v);
  }
  if (auto v = find("average_duplicates")) o.average_duplicates = v->boolean();
  if (auto v = find("scaling")) o.scaling = choice(*v, kScalings);
  if (auto v = find("noise")) {
    o.noise = v->number();
    if (o.noise < 0) v->fail("noise must not be negative");
  }
  if (auto v = find("noise_basis")) o.noise_basis = choice(*v, kNoiseBases);
  if (auto v = find("noise_seed")) o.noise_seed = seed_value(*v);
  return o;
}

std::string file_identity(const std::filesystem::path& file) {
  // A missing file gets a key too; it fails later, when it is read.
  std::error_code ignored;
  auto canonical = std::filesystem::weakly_canonical(file, ignored);
  if (canonical.empty()) canonical = file;
  const auto size = std::filesystem::file_size(file, ignored);
  const auto modified = std::filesystem::last_write_time(file, ignored).time_since_epoch().count();
  return canonical.string() + "|" + std::to_string(size) + "|" + std::to_string(modified);
}

std::string DataOptions::preparation_key() const {
  json files = json::array();
  for (const auto& f : split.files) files.push_back(f.string());
  const json key = {{"file", file_identity(file)},
                    {"average_duplicates", average_duplicates},
                    {"split", name_of(split.kind, kSplitKinds)},
                    {"fractions", split.fractions},
                    {"seed", split.seed},
                    {"train_sources", split.train_sources},
                    {"test_sources", split.test_sources},
                    {"split_files", files},
                    {"train_subsets", split.train_subsets},
                    {"held_out_subsets", split.held_out_subsets},
                    {"train_size", split.train_size},
                    {"train_size_seed", split.train_size_seed},
                    {"move_drugs_to_test", split.move_drugs_to_test},
                    {"move_cells_to_test", split.move_cells_to_test},
                    {"scaling", name_of(scaling, kScalings)}};
  return key.dump();
}

}  // namespace overseer::data
