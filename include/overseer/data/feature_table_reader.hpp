#pragma once

#include <filesystem>
#include <string>

#include "overseer/data/dataset.hpp"
#include "overseer/data/text_input.hpp"

namespace overseer::data {

// What a feature table's missing values (an empty field, NA, NaN) become: an error naming the
// file, line and column, the column's mean over the rows that have it (0 where none has), or 0.
enum class MissingValues { Error, Mean, Zero };

// An empty field, NA or NaN, in any case.
bool is_missing_value(const std::string& text);

struct FeatureTableOptions {
  MissingValues missing = MissingValues::Error;
  // The first row may name the id column alone, its other fields empty, as pandas writes it
  // under a header of several lines: it is skipped.
  bool index_name_row = false;
  // Appended to the message when a column named like "smiles" holds something other than
  // numbers: where SMILES go instead.
  std::string smiles_advice;
};

// A delimited table whose first column holds the id and every other column a numeric feature
// named by the header (its naming row). Ids must be unique.
FeatureTable read_feature_table(HeaderedReader& in, const FeatureTableOptions& options = {});
FeatureTable read_feature_table(const std::filesystem::path& path,
                                const FeatureTableOptions& options = {});

}  // namespace overseer::data
