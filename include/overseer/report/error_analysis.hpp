#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace overseer::report {

// The High Error Drug analysis (`overseer analyze errors`, docs/workflows.md): where a
// drug-response model's errors lie, per drug, per cell line and per range of the response.

// One scored (cell, drug) pair of a trial's predictions.
struct Prediction {
  std::string cell, drug;
  double truth = 0, predicted = 0;
};

// A trial's predictions for one part ("val" or "test"): its predictions_PART.csv, or an
// IMPROVE model's PART_y_data_predicted.csv (improve_sample_id, improve_chem_id and a pair of
// NAME_true, NAME_pred columns) anywhere under the trial directory. Empty when it has neither;
// a file that cannot be read throws InputError naming it.
std::vector<Prediction> read_predictions(const std::filesystem::path& trial_dir,
                                         const std::string& part);

// Error statistics of a group of predictions (a drug, a cell line, a response range).
struct ErrorGroup {
  std::string name;
  double low = 0, high = 0;  // the response range, for ranges
  std::size_t n = 0;
  double mae = 0, rmse = 0, bias = 0;  // bias: the mean of predicted - truth
  double mean_truth = 0;
  double z = 0;  // the group's MAE as a z-score among the groups of its kind
};

// One prediction's absolute error as z-scores: within its drug and across all predictions.
struct RowError {
  const Prediction* row = nullptr;
  double error = 0;  // predicted - truth
  double z_in_drug = 0, z_across = 0;
};

struct ErrorAnalysis {
  std::vector<ErrorGroup> by_drug, by_cell;  // sorted by MAE, worst first
  std::vector<RowError> rows;                // in the predictions' order
  std::vector<ErrorGroup> by_range;          // `bins` equal-width response ranges, low first
};

// z-scores use the population standard deviation (numpy's and scipy's default); a group of
// one value, or of equal values, has z 0. Ranges cut [min, max] of the truth into `bins`
// equal widths, the last one closed.
ErrorAnalysis analyze_errors(const std::vector<Prediction>& predictions, int bins);
// The same ranges of an analysis for another bin count.
std::vector<ErrorGroup> errors_by_range(const std::vector<Prediction>& predictions, int bins);

std::string groups_csv(const std::vector<ErrorGroup>& groups, const char* key);
std::string ranges_csv(const std::vector<ErrorGroup>& ranges);
std::string row_errors_csv(const std::vector<RowError>& rows);

// The analysis of each part as one HTML page: the errors by response range, the drugs and cell
// lines with the largest MAE, and the distribution of per-drug MAE.
struct PartAnalysis {
  std::string part;
  ErrorAnalysis analysis;
  std::vector<ErrorGroup> two_ranges;
};
std::string errors_html(const std::string& title, const std::vector<PartAnalysis>& parts);
// One part's charts (errors by 10 and by 2 response ranges, per-drug MAE) and tables (the
// drugs and cell lines with the largest MAE), for errors.html and the report's section.
std::string part_errors_html(const PartAnalysis& part);
// What the analysis's terms mean, for a page or a section.
extern const char* const kErrorsNote;

}  // namespace overseer::report
