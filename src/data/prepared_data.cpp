#include "overseer/data/prepared_data.hpp"

#include <algorithm>

#include "overseer/data/duplicates.hpp"
#include "overseer/data/scaling.hpp"

namespace overseer::data {
namespace {

std::shared_ptr<const FeatureTable> scaled(const std::shared_ptr<const Dataset>& dataset,
                                           const FeatureTable& table,
                                           const std::vector<std::uint32_t>& fit_rows,
                                           Scaling scaling) {
  if (scaling == Scaling::None) return {dataset, &table};
  return std::make_shared<const FeatureTable>(scaled_copy(table, fit_rows, scaling));
}

// The drugs the training rows use, second drugs of combinations included.
std::vector<std::uint32_t> training_drugs(const Responses& r,
                                          const std::vector<std::size_t>& train) {
  auto rows = referenced_rows(r.drug, train);
  if (!r.has_pairs()) return rows;
  for (const auto& second : referenced_rows(r.drug2, train)) {
    if (second != kNoSecondDrug) rows.push_back(second);
  }
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

}  // namespace

std::shared_ptr<const PreparedData> prepare_data(std::shared_ptr<const Dataset> dataset,
                                                 const DataOptions& options) {
  auto p = std::make_shared<PreparedData>();
  p->dataset = dataset;
  std::vector<std::size_t> file_rows;
  if (options.average_duplicates) {
    const KeyGroups groups = group_by_key(dataset->responses);
    p->responses =
        std::make_shared<const Responses>(average_duplicates(dataset->responses, groups));
    file_rows = groups.first_row;
  } else {
    p->responses = {dataset, &dataset->responses};
  }
  p->split = make_split(*p->responses, dataset->studies, options.split, file_rows,
                        dataset->responses.size(), dataset->row_lists);
  move_to_test(p->split, *p->responses, dataset->cells, dataset->drugs, options.split);
  narrow_training(p->split, options.split);
  p->cells = scaled(dataset, dataset->cells, referenced_rows(p->responses->cell, p->split.train),
                    options.scaling);
  p->drugs = scaled(dataset, dataset->drugs, training_drugs(*p->responses, p->split.train),
                    options.scaling);
  return p;
}

}  // namespace overseer::data
