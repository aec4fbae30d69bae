#include "overseer/data/summary.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <spdlog/fmt/fmt.h>

#include "overseer/data/duplicates.hpp"

namespace overseer::data {
namespace {

TableSummary summarize_table(const FeatureTable& t) {
  TableSummary s;
  s.rows = t.rows();
  s.features = t.cols();
  s.binary = t.binary;
  s.density = t.values.empty() ? 0.0 : static_cast<double>(t.nonzeros()) / t.values.size();
  return s;
}

nlohmann::json table_json(const TableSummary& t) {
  return {{"rows", t.rows}, {"features", t.features}, {"density", t.density}, {"binary", t.binary}};
}

std::string table_text(const TableSummary& t) {
  return fmt::format("{} x {} features, {}density {:.2f}%", t.rows, t.features,
                     t.binary ? "binary, " : "", 100 * t.density);
}

}  // namespace

DatasetSummary summarize(const Dataset& d) {
  DatasetSummary s;
  s.cells = summarize_table(d.cells);
  s.drugs = summarize_table(d.drugs);
  const Responses& r = d.responses;
  s.pairs = r.size();
  s.combinations = static_cast<std::size_t>(
      std::count_if(r.drug2.begin(), r.drug2.end(),
                    [](std::uint32_t second) { return second != kNoSecondDrug; }));
  std::vector<std::size_t> per_study(d.studies.size(), 0);
  for (auto study : r.study) ++per_study[study];
  for (std::size_t i = 0; i < d.studies.size(); ++i)
    s.studies.emplace_back(d.studies[i], per_study[i]);

  if (!r.y.empty()) {
    double sum = 0, sum_sq = 0;
    for (float y : r.y) sum += y;
    s.y_mean = sum / r.size();
    for (float y : r.y) sum_sq += (y - s.y_mean) * (y - s.y_mean);
    s.y_sd = r.size() > 1 ? std::sqrt(sum_sq / (r.size() - 1)) : 0.0;
    const auto [low, high] = std::minmax_element(r.y.begin(), r.y.end());
    s.y_min = *low;
    s.y_max = *high;
  }
  const KeyGroups groups = group_by_key(r);
  s.duplicated_keys = groups.duplicated_keys();
  s.duplicate_rows = r.size() - groups.groups();
  s.has_original_parts = !r.original_part.empty();
  for (auto part : r.original_part) {
    if (part != kNoPart) ++s.original_parts[static_cast<std::size_t>(part)];
  }
  for (const auto& [name, rows] : d.row_lists) s.row_lists.emplace_back(name, rows.size());
  s.provenance = d.provenance;
  return s;
}

nlohmann::json DatasetSummary::to_json() const {
  nlohmann::json j = {{"cells", table_json(cells)},
                      {"drugs", table_json(drugs)},
                      {"pairs", pairs},
                      {"studies", nlohmann::json::object()},
                      {"y", {{"mean", y_mean}, {"sd", y_sd}, {"min", y_min}, {"max", y_max}}},
                      {"duplicated_keys", duplicated_keys},
                      {"duplicate_rows", duplicate_rows},
                      {"provenance", provenance}};
  for (const auto& [name, rows] : studies) j["studies"][name] = rows;
  if (combinations > 0) j["drug_pairs"] = combinations;
  if (has_original_parts) {
    j["original_split"] = {
        {"train", original_parts[0]}, {"val", original_parts[1]}, {"test", original_parts[2]}};
  }
  if (!row_lists.empty()) {
    j["row_lists"] = nlohmann::json::object();
    for (const auto& [name, rows] : row_lists) j["row_lists"][name] = rows;
  }
  return j;
}

std::string DatasetSummary::to_text() const {
  std::ostringstream out;
  out << "cells:      " << table_text(cells) << "\n";
  out << "drugs:      " << table_text(drugs) << "\n";
  out << "pairs:      " << pairs << "\n";
  if (combinations > 0) {
    out << "drug pairs: " << combinations << " responses to a combination of two drugs\n";
  }
  out << "studies:    " << studies.size() << " (";
  for (std::size_t i = 0; i < studies.size(); ++i) {
    out << (i ? ", " : "") << studies[i].first << ": " << studies[i].second;
  }
  out << ")\n";
  out << fmt::format("y:          mean {:.4g}, sd {:.4g}, min {:.4g}, max {:.4g}\n", y_mean, y_sd,
                     y_min, y_max);
  out << "duplicates: " << duplicated_keys << " (cell, drug, study) keys with more than one row, "
      << duplicate_rows << " extra rows\n";
  if (has_original_parts) {
    out << "original split: train " << original_parts[0] << ", val " << original_parts[1]
        << ", test " << original_parts[2] << "\n";
  }
  if (!row_lists.empty()) {
    // Listed in full: a campaign's split names them.
    out << "row lists:  " << row_lists.size() << " (";
    for (std::size_t i = 0; i < row_lists.size(); ++i) {
      out << (i ? ", " : "") << row_lists[i].first << ": " << row_lists[i].second;
    }
    out << ")\n";
  }
  if (!provenance.empty()) out << "provenance: " << provenance << "\n";
  return out.str();
}

}  // namespace overseer::data
