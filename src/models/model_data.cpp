#include "overseer/models/model_data.hpp"

#include <algorithm>
#include <filesystem>

#include "overseer/core/error.hpp"
#include "overseer/core/input_file.hpp"
#include "overseer/data/data_options.hpp"
#include "overseer/data/h5_file.hpp"
#include "overseer/models/parameters.hpp"

namespace overseer {
namespace {

// Where a value of train_sources or test_sources was written.
struct SourcesValue {
  const json* value;
  std::string file;
  std::string pointer;
};

std::vector<SourcesValue> sources_values(const Campaign& campaign) {
  std::vector<SourcesValue> out;
  const std::string file = campaign.file.string();
  for (const char* key : {"train_sources", "test_sources"}) {
    for (auto [holder, pointer] : {std::pair{&campaign.model.data, "/model/data/"},
                                   {&campaign.model.params, "/model/params/"}}) {
      if (holder->is_object() && holder->contains(key)) {
        out.push_back({&holder->at(key), file, pointer + std::string(key)});
      }
    }
    const Parameter* p = campaign.space.find(key);
    if (p == nullptr) continue;
    if (p->type == ParamType::Constant) {
      out.push_back({&p->value, p->file, p->pointer + "/value"});
    } else {
      for (std::size_t i = 0; i < p->values.size(); ++i) {
        out.push_back({&p->values[i], p->file, p->pointer + "/values/" + std::to_string(i)});
      }
    }
  }
  return out;
}

void check_names(const SourcesValue& v, const std::vector<std::string>& studies) {
  const auto check = [&](const json& name, const std::string& pointer) {
    if (!name.is_string()) throw InputError(v.file, pointer, "expected a study name (a string)");
    const std::string text = name.get<std::string>();
    if (text == data::kEveryStudy ||
        std::find(studies.begin(), studies.end(), text) != studies.end()) {
      return;
    }
    std::string known;
    for (const auto& s : studies) known += (known.empty() ? "" : ", ") + s;
    throw InputError(v.file, pointer, "unknown study \"" + text + "\"; the dataset has: " + known);
  };
  if (!v.value->is_array()) return check(*v.value, v.pointer);
  for (std::size_t i = 0; i < v.value->size(); ++i) {
    check(v.value->at(i), v.pointer + "/" + std::to_string(i));
  }
}

JsonView model_data_view(const Campaign& campaign) {
  return JsonView(campaign.model.data, campaign.file.string(),
                  json::json_pointer(campaign.model.data_pointer));
}

// Where model.data names its dataset: the whole field when it is a path, else its "file".
JsonView file_field(const JsonView& data) {
  return data.value().is_object() && data.value().contains("file") ? data.at("file") : data;
}

void check_exists(const std::filesystem::path& file, const JsonView& where) {
  if (const std::string problem = file_problem(file); !problem.empty()) {
    where.fail(file.string() + ": " + problem);
  }
}

}  // namespace

data::TrialData load_model_data(const Campaign& campaign, const json& params, std::uint64_t seed) {
  const auto options =
      data::parse_data_options(model_data_view(campaign), campaign.base_dir, params);
  return data::load_trial_data(options, seed);
}

void check_model_data(const Campaign& campaign, const json& params) {
  static const std::string kParameters = "parameters";
  const JsonView data = model_data_view(campaign);
  if (data.value().is_null()) {
    data.fail("required field is missing: the dataset, {\"file\": ..., \"split\": ...}");
  }
  data::DataOptions options;
  try {
    options = data::parse_data_options(data, campaign.base_dir, params, kParameters);
  } catch (const InputError& e) {
    if (e.file() != kParameters) throw;
    const std::string name = e.pointer().substr(1, e.pointer().find('/', 1) - 1);
    throw ParameterError(name, "parameter \"" + name + "\": " + e.message());
  }
  check_exists(options.file, file_field(data));
  const char* parts[] = {"train", "val", "test"};
  for (std::size_t i = 0; i < options.split.files.size(); ++i) {
    if (!options.split.files[i].empty()) {
      check_exists(options.split.files[i], data.at("split_files").at(parts[i]));
    }
  }
}

bool model_data_has_combinations(const Campaign& campaign, const json& params) {
  const auto options =
      data::parse_data_options(model_data_view(campaign), campaign.base_dir, params);
  return std::filesystem::exists(options.file) && data::read_h5_has_combinations(options.file);
}

void fail_at_model_data(const Campaign& campaign, const std::string& message) {
  file_field(model_data_view(campaign)).fail(message);
}

void check_model_data_studies(const Campaign& campaign) {
  const auto values = sources_values(campaign);
  const json& data = campaign.model.data;
  // An IMPROVE split names row lists of the dataset.
  const bool improve = data.is_object() && data.contains("split") &&
                       (data.at("split").is_object() || data.at("split") == "improve");
  if ((values.empty() && !improve) || data.is_null()) return;
  const auto options = data::parse_data_options(model_data_view(campaign), campaign.base_dir);
  // The model's own check (check_model_data) reports a missing file at its field.
  if (!std::filesystem::exists(options.file)) return;
  const auto studies = data::read_h5_studies(options.file);
  for (const auto& v : values) check_names(v, studies);
  // With train_sources searched, each trial's split is checked when it is made.
  if (improve && !options.split.train_sources.empty()) {
    data::check_row_list_names(options.split, studies, data::read_h5_row_list_names(options.file));
  }
}

}  // namespace overseer
