#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "overseer/core/json_view.hpp"

namespace overseer {

// A campaign from CANDLE/Supervisor configuration files (`overseer import supervisor`): the
// assignments of a cfg-prm file and its cfg-sys or settings file, read without running them
// (core/shell_assignments.hpp), mapped onto a campaign. docs/coming-from-candle.md lists the
// mapping.
struct SupervisorImportOptions {
  std::vector<std::filesystem::path> files;  // sourced in this order
  std::map<std::string, std::string> given;  // --var NAME=VALUE, as if in the environment
  std::filesystem::path model_dir;           // the IMPROVE-curated model that trials run
  std::filesystem::path input_dir;           // its raw data (x_data, y_data, splits)
  std::filesystem::path space_file;          // instead of PARAM_SET_FILE
  std::string train_source;                  // the IMPROVE split: study and number
  std::int64_t split = 0;
  std::string name;  // the campaign's name; default from MODEL_NAME
};

struct SupervisorImport {
  json campaign;
  // What was not mapped, one line each: a line not run ("cfg-prm-1.sh:12: if [ ... ]: part of a
  // conditional ..."), or a variable that has no counterpart ("EMEWS_PROJECT_ROOT=...: not
  // used").
  std::vector<std::string> unmapped;
  // The `overseer submit` options that PROCS, PPN, WALLTIME, QUEUE and PROJECT stand for;
  // empty when none of them is set.
  std::vector<std::string> submit_options;
};

// Throws InputError naming the file and the variable (file:line) for a value that cannot be
// mapped (a probability out of range, an R parameter set, a workflow that is neither GA nor
// mlrMBO).
SupervisorImport import_supervisor(const SupervisorImportOptions& options);

}  // namespace overseer
