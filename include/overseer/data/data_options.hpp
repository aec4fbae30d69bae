#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "overseer/core/json_view.hpp"
#include "overseer/data/label_noise.hpp"
#include "overseer/data/scaling.hpp"
#include "overseer/data/split.hpp"

namespace overseer::data {

// How a model gets its data: a campaign's `model.data` object (docs/data.md, "Data options").
struct DataOptions {
  std::filesystem::path file;
  bool average_duplicates = false;
  SplitSpec split;
  Scaling scaling = Scaling::None;
  double noise = 0;
  NoiseBasis noise_basis = NoiseBasis::Std;
  std::optional<std::uint64_t> noise_seed;  // unset: the trial's seed

  // Everything that shapes the prepared data (file identity included), but not the label
  // noise: trials with equal keys share one prepared copy.
  std::string preparation_key() const;
};

// Path, size and modification time of a file: a rewritten file gets a new identity.
std::string file_identity(const std::filesystem::path& file);

// Reads `data` (an object, or a string naming the file). Trial parameters named as in
// data_parameter_names() override it, so a search can vary the noise level or the split seed.
// Relative paths resolve against `base_dir`. Mistakes throw InputError with the JSON pointer,
// in a trial parameter under the name `params_origin`.
DataOptions parse_data_options(const JsonView& data, const std::filesystem::path& base_dir,
                               const json& params = json::object(),
                               const std::string& params_origin = "trial parameters");

// The trial parameters that parse_data_options takes over; models should not use these names
// for their own parameters.
const std::vector<std::string>& data_parameter_names();

}  // namespace overseer::data
