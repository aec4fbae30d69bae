#pragma once

#include <memory>

#include "overseer/data/data_options.hpp"
#include "overseer/data/dataset.hpp"
#include "overseer/data/split.hpp"

namespace overseer::data {

// A dataset made ready for training under one set of data options: duplicates averaged, rows
// split, features scaled on the training split. Immutable and shared by every trial with the
// same options; tables that need no change are the dataset's own, not copies.
struct PreparedData {
  std::shared_ptr<const Dataset> dataset;      // as read from the file
  std::shared_ptr<const Responses> responses;  // the rows that `split` indexes
  std::shared_ptr<const FeatureTable> cells;
  std::shared_ptr<const FeatureTable> drugs;
  Split split;
};

// Uncached; models go through DataCache (overseer/data/data_cache.hpp) or load_trial_data.
std::shared_ptr<const PreparedData> prepare_data(std::shared_ptr<const Dataset> dataset,
                                                 const DataOptions& options);

}  // namespace overseer::data
