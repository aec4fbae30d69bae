#include "overseer/report/error_analysis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "overseer/core/csv.hpp"
#include "overseer/core/error.hpp"
#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"
#include "sections.hpp"

namespace overseer::report {
namespace {

namespace fs = std::filesystem;

// Population mean and standard deviation.
std::pair<double, double> mean_sd(const std::vector<double>& values) {
  if (values.empty()) return {0, 0};
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / static_cast<double>(values.size()))};
}

double z_of(double value, const std::pair<double, double>& mean_sd) {
  return mean_sd.second > 0 ? (value - mean_sd.first) / mean_sd.second : 0;
}

ErrorGroup group_of(const std::string& name, const std::vector<const Prediction*>& rows) {
  ErrorGroup g;
  g.name = name;
  g.n = rows.size();
  for (const Prediction* p : rows) {
    const double e = p->predicted - p->truth;
    g.mae += std::abs(e);
    g.rmse += e * e;
    g.bias += e;
    g.mean_truth += p->truth;
  }
  if (g.n > 0) {
    const auto n = static_cast<double>(g.n);
    g.mae /= n;
    g.rmse = std::sqrt(g.rmse / n);
    g.bias /= n;
    g.mean_truth /= n;
  }
  return g;
}

// Groups by `key`, with each group's MAE as a z-score among the groups, worst first.
std::vector<ErrorGroup> grouped(const std::vector<Prediction>& predictions,
                                const std::string Prediction::*key) {
  std::map<std::string, std::vector<const Prediction*>> members;
  for (const auto& p : predictions) members[p.*key].push_back(&p);
  std::vector<ErrorGroup> groups;
  std::vector<double> maes;
  for (const auto& [name, rows] : members) {
    groups.push_back(group_of(name, rows));
    maes.push_back(groups.back().mae);
  }
  const auto spread = mean_sd(maes);
  for (auto& g : groups) g.z = z_of(g.mae, spread);
  std::stable_sort(groups.begin(), groups.end(),
                   [](const ErrorGroup& a, const ErrorGroup& b) { return a.mae > b.mae; });
  return groups;
}

// The column of `header` named `name`, or -1.
int column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : static_cast<int>(it - header.begin());
}

// IMPROVE's PART_y_data_predicted.csv under the trial directory (an external model's output).
std::optional<fs::path> improve_predictions(const fs::path& trial_dir, const std::string& part) {
  std::error_code error;
  const std::string name = part + "_y_data_predicted.csv";
  for (auto it = fs::recursive_directory_iterator(trial_dir, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->path().filename() == name) return it->path();
  }
  return std::nullopt;
}

double number_in(const CsvTable::Row& row, int index, const fs::path& file) {
  const std::string& text = row.fields[static_cast<std::size_t>(index)];
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw InputError(file.string() + ":" + std::to_string(row.line), "",
                   "\"" + text + "\" is not a number");
}

}  // namespace

const char* const kErrorsNote =
    "Where the model's errors lie: by range of the true response (equal widths between its "
    "smallest and largest value), by drug and by cell line. MAE is the mean absolute error, bias "
    "the mean of predicted minus true; a drug's z is its MAE as a z-score among the drugs.";

std::vector<Prediction> read_predictions(const fs::path& trial_dir, const std::string& part) {
  fs::path file = trial_dir / ("predictions_" + part + ".csv");
  std::string cell = "cell", drug = "drug", truth = "y_true", predicted = "y_pred";
  if (!fs::exists(file)) {
    const auto improve = improve_predictions(trial_dir, part);
    if (!improve) return {};
    file = *improve;
    cell = "improve_sample_id";
    drug = "improve_chem_id";
  }
  const CsvTable table = read_csv_table(file);
  if (cell == "improve_sample_id") {
    // NAME_true and NAME_pred, for whichever response the model predicts.
    for (const auto& name : table.header) {
      const auto at = name.rfind("_true");
      if (at != std::string::npos && at + 5 == name.size() &&
          column(table.header, name.substr(0, at) + "_pred") >= 0) {
        truth = name;
        predicted = name.substr(0, at) + "_pred";
      }
    }
  }
  const int c = column(table.header, cell), d = column(table.header, drug),
            t = column(table.header, truth), p = column(table.header, predicted);
  for (const auto& [index, name] : {std::pair{c, cell}, {d, drug}, {t, truth}, {p, predicted}}) {
    if (index < 0) {
      throw InputError(file.string(), "", "has no column \"" + name + "\"");
    }
  }
  std::vector<Prediction> out;
  for (const auto& row : table.rows) {
    out.push_back({row.fields[static_cast<std::size_t>(c)], row.fields[static_cast<std::size_t>(d)],
                   number_in(row, t, file), number_in(row, p, file)});
  }
  return out;
}

ErrorAnalysis analyze_errors(const std::vector<Prediction>& predictions, int bins) {
  ErrorAnalysis a;
  a.by_drug = grouped(predictions, &Prediction::drug);
  a.by_cell = grouped(predictions, &Prediction::cell);
  a.by_range = errors_by_range(predictions, bins);
  std::map<std::string, std::vector<double>> by_drug;
  std::vector<double> all;
  for (const auto& p : predictions) {
    const double e = std::abs(p.predicted - p.truth);
    by_drug[p.drug].push_back(e);
    all.push_back(e);
  }
  std::map<std::string, std::pair<double, double>> drug_spread;
  for (const auto& [drug, errors] : by_drug) drug_spread[drug] = mean_sd(errors);
  const auto spread = mean_sd(all);
  for (const auto& p : predictions) {
    const double e = std::abs(p.predicted - p.truth);
    a.rows.push_back({&p, p.predicted - p.truth, z_of(e, drug_spread.at(p.drug)), z_of(e, spread)});
  }
  return a;
}

std::vector<ErrorGroup> errors_by_range(const std::vector<Prediction>& predictions, int bins) {
  if (predictions.empty() || bins < 1) return {};
  double low = predictions.front().truth, high = low;
  for (const auto& p : predictions) {
    low = std::min(low, p.truth);
    high = std::max(high, p.truth);
  }
  const double width = (high - low) / bins;
  std::vector<std::vector<const Prediction*>> members(static_cast<std::size_t>(bins));
  for (const auto& p : predictions) {
    const int bin = width > 0 ? std::min(bins - 1, static_cast<int>((p.truth - low) / width)) : 0;
    members[static_cast<std::size_t>(bin)].push_back(&p);
  }
  std::vector<ErrorGroup> ranges;
  for (int b = 0; b < bins; ++b) {
    ErrorGroup g = group_of(std::to_string(b + 1), members[static_cast<std::size_t>(b)]);
    g.low = low + width * b;
    g.high = b + 1 == bins ? high : low + width * (b + 1);
    ranges.push_back(std::move(g));
  }
  return ranges;
}

std::string groups_csv(const std::vector<ErrorGroup>& groups, const char* key) {
  std::ostringstream out;
  out << key << ",n,mae,rmse,bias,mean_true,mae_z\n";
  for (const auto& g : groups) {
    out << csv_field(g.name) << ',' << g.n << ',' << csv_number(g.mae) << ',' << csv_number(g.rmse)
        << ',' << csv_number(g.bias) << ',' << csv_number(g.mean_truth) << ',' << csv_number(g.z)
        << '\n';
  }
  return out.str();
}

std::string ranges_csv(const std::vector<ErrorGroup>& ranges) {
  std::ostringstream out;
  out << "bin,low,high,n,mae,rmse,bias\n";
  for (const auto& g : ranges) {
    out << g.name << ',' << csv_number(g.low) << ',' << csv_number(g.high) << ',' << g.n << ','
        << (g.n ? csv_number(g.mae) : "") << ',' << (g.n ? csv_number(g.rmse) : "") << ','
        << (g.n ? csv_number(g.bias) : "") << '\n';
  }
  return out.str();
}

std::string row_errors_csv(const std::vector<RowError>& rows) {
  std::ostringstream out;
  out << "cell,drug,y_true,y_pred,error,abs_error,z_in_drug,z_across_drugs\n";
  for (const auto& r : rows) {
    out << csv_field(r.row->cell) << ',' << csv_field(r.row->drug) << ','
        << csv_number(r.row->truth) << ',' << csv_number(r.row->predicted) << ','
        << csv_number(r.error) << ',' << csv_number(std::abs(r.error)) << ','
        << csv_number(r.z_in_drug) << ',' << csv_number(r.z_across) << '\n';
  }
  return out.str();
}

std::string part_errors_html(const PartAnalysis& p) {
  std::string charts;
  for (const auto* ranges : {&p.analysis.by_range, &p.two_ranges}) {
    Series mae{"MAE", {}}, bias{"bias", {}};
    mae.markers = bias.markers = true;
    for (const auto& g : *ranges) {
      if (g.n == 0) continue;
      const double middle = (g.low + g.high) / 2;
      mae.points.emplace_back(middle, g.mae);
      bias.points.emplace_back(middle, g.bias);
    }
    charts += chart(line_chart({fmt::format("{}: {} response ranges", p.part, ranges->size()),
                                "true response (middle of the range)",
                                "error",
                                {mae, bias},
                                0.0}));
  }
  Series drugs{"per-drug MAE, worst first", {}};
  for (std::size_t i = 0; i < p.analysis.by_drug.size(); ++i) {
    drugs.points.emplace_back(static_cast<double>(i + 1), p.analysis.by_drug[i].mae);
  }
  charts +=
      chart(line_chart({p.part + ": drugs by MAE", "drug (rank)", "MAE", {drugs}, std::nullopt}));
  std::string html = "<div class=\"charts\">" + charts + "</div>";
  for (const auto& [kind, groups] :
       {std::pair{"drugs", &p.analysis.by_drug}, {"cell lines", &p.analysis.by_cell}}) {
    html += fmt::format(
        "<h3>The {} with the largest MAE ({})</h3><table><tr><th>{}</th><th>n</th>"
        "<th>MAE</th><th>bias</th><th>MAE z</th></tr>",
        kind, escape(p.part), kind);
    for (std::size_t i = 0; i < std::min<std::size_t>(10, groups->size()); ++i) {
      const auto& g = (*groups)[i];
      html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                          escape(g.name), g.n, format_number(g.mae), format_number(g.bias),
                          format_number(g.z));
    }
    html += "</table>";
  }
  return html;
}

std::string errors_html(const std::string& title, const std::vector<PartAnalysis>& parts) {
  std::string body = "<h1>" + escape(title) + "</h1>" + note(kErrorsNote);
  for (const auto& p : parts) body += "<h2>" + escape(p.part) + "</h2>" + part_errors_html(p);
  return html_page(title, body);
}

}  // namespace overseer::report
