#pragma once

#include <optional>
#include <string>

namespace overseer::cli {

// `overseer train`: one evaluation of a model outside any campaign (CANDLE's model.sh), for
// trying parameters and debugging a model. Prints the result as JSON.
struct TrainOptions {
  std::string model;
  std::string params = "{}";  // a JSON object, or the path of a file holding one
  std::string data;           // the same, for model.data; empty: none
  std::string device;         // sets the "device" parameter when given
  std::string trial_dir;      // where params.json, result.json and artifacts go; empty: none
  std::uint64_t seed = 0;
  double timeout_s = 0;
  bool progress = false;  // print each progress report; stop when trial_dir/STOP appears
};

// Exit code: 0 when the trial succeeded or was stopped, 1 when it failed, 2 for bad input.
int train(const TrainOptions& options);

}  // namespace overseer::cli
