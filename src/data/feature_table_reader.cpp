#include "overseer/data/feature_table_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>

#include "overseer/core/error.hpp"
#include "overseer/data/smiles_drugs.hpp"

namespace overseer::data {
namespace {

// Replaces the NaNs that stand for missing values, column by column.
std::size_t fill_missing(FeatureTable& t, MissingValues missing) {
  std::size_t filled = 0;
  for (std::size_t j = 0; j < t.cols(); ++j) {
    double sum = 0;
    std::size_t present = 0;
    for (std::size_t i = 0; i < t.rows(); ++i) {
      if (!std::isnan(t.row(i)[j])) {
        sum += t.row(i)[j];
        ++present;
      }
    }
    const float fill = missing == MissingValues::Mean && present > 0
                           ? static_cast<float>(sum / static_cast<double>(present))
                           : 0.0f;
    for (std::size_t i = 0; i < t.rows(); ++i) {
      if (std::isnan(t.row(i)[j])) {
        t.row(i)[j] = fill;
        ++filled;
      }
    }
  }
  return filled;
}

}  // namespace

bool is_missing_value(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return true;
  std::string word = text.substr(begin, text.find_last_not_of(" \t") + 1 - begin);
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return word == "na" || word == "nan";
}

FeatureTable read_feature_table(HeaderedReader& in, const FeatureTableOptions& options) {
  FeatureTable t;
  t.columns.assign(in.header().begin() + 1, in.header().end());
  std::unordered_set<std::string> seen;
  std::vector<std::string> fields;
  bool first = true;
  while (in.next(fields)) {
    if (std::exchange(first, false) && options.index_name_row &&
        std::all_of(fields.begin() + 1, fields.end(), [](const auto& f) { return f.empty(); })) {
      continue;
    }
    if (!seen.insert(fields[0]).second) in.fail("id \"" + fields[0] + "\" appears twice");
    t.ids.push_back(fields[0]);
    for (std::size_t j = 1; j < fields.size(); ++j) {
      if (is_missing_value(fields[j])) {
        if (options.missing == MissingValues::Error) {
          in.fail("column \"" + in.header()[j] + "\": missing value" +
                  (fields[j].empty() ? std::string() : " \"" + fields[j] + "\"") +
                  " (--missing-features mean or zero fills missing values)");
        }
        t.values.push_back(std::nanf(""));
        continue;
      }
      try {
        t.values.push_back(
            parse_number(fields[j], in.reader(), "column \"" + in.header()[j] + "\""));
      } catch (const InputError& e) {
        if (options.smiles_advice.empty() || !names_smiles(in.header()[j])) throw;
        in.fail(e.message() + "; " + options.smiles_advice);
      }
    }
  }
  if (options.missing != MissingValues::Error) {
    if (const auto filled = fill_missing(t, options.missing)) {
      spdlog::info("{}: {} missing values filled with {}", in.reader().path().string(), filled,
                   options.missing == MissingValues::Mean ? "column means" : "0");
    }
  }
  t.mark_binary();
  return t;
}

FeatureTable read_feature_table(const std::filesystem::path& path,
                                const FeatureTableOptions& options) {
  HeaderedReader in(path);
  return read_feature_table(in, options);
}

}  // namespace overseer::data
