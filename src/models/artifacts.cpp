#include "overseer/models/artifacts.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "overseer/core/csv.hpp"
#include "overseer/models/parameters.hpp"

namespace overseer {

SaveModel save_model_param(const json& params) {
  const std::string choice = choice_param(params, "save_model", "none", {"none", "best", "all"});
  if (choice == "best") return SaveModel::Best;
  return choice == "all" ? SaveModel::All : SaveModel::None;
}

std::filesystem::path checkpoint_dir(const std::filesystem::path& trial_dir) {
  return trial_dir / "checkpoint";
}

void write_json_file(const std::filesystem::path& path, const json& value) {
  std::ofstream out(path);
  out << value.dump(2) << '\n';
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_predictions(const std::filesystem::path& trial_dir, const std::string& part,
                       const data::TrialData& data, const std::vector<std::size_t>& rows,
                       const std::vector<float>& truth, const std::vector<float>& predicted) {
  const auto file = trial_dir / ("predictions_" + part + ".csv");
  std::ofstream out(file);
  out.precision(std::numeric_limits<float>::max_digits10);
  // drug2, the second drug of a combination, only for data that has them.
  const bool pairs = data.has_combinations();
  out << (pairs ? "cell,drug,drug2,study,y_true,y_pred,abs_diff\n"
                : "cell,drug,study,y_true,y_pred,abs_diff\n");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out << csv_field(data.cell_id(rows[i])) << ',' << csv_field(data.drug_id(rows[i])) << ',';
    if (pairs) out << csv_field(data.second_drug_id(rows[i])) << ',';
    out << csv_field(data.study_name(rows[i])) << ',' << truth[i] << ',' << predicted[i] << ','
        << std::abs(predicted[i] - truth[i]) << '\n';
  }
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace overseer
