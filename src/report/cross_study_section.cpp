#include <algorithm>
#include <cstdlib>

#include "overseer/data/text_input.hpp"
#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"
#include "sections.hpp"

namespace overseer::report {
namespace {

std::optional<double> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

std::string table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<table><tr>";
  for (const auto& h : header) out += "<th>" + escape(h) + "</th>";
  out += "</tr>";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& cell : row) out += "<td>" + escape(cell) + "</td>";
    out += "</tr>";
  }
  return out + "</table>";
}

// The CSV's first column labels the rows and every other column is a column of the grid.
std::string heatmap(const ReportContext& c, const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& rows) {
  HeatmapChart grid;
  grid.title = "cross_study.csv";
  grid.y_label = header.front();
  grid.columns.assign(header.begin() + 1, header.end());
  grid.lower_is_better = c.minimize();
  // The heatmap draws row 0 at the bottom; the file's first row belongs at the top.
  for (auto row = rows.rbegin(); row != rows.rend(); ++row) {
    grid.rows.push_back(row->front());
    std::vector<std::optional<double>> values;
    for (std::size_t k = 1; k < row->size(); ++k) values.push_back(number((*row)[k]));
    grid.values.push_back(std::move(values));
  }
  return chart(heatmap_chart(grid));
}

}  // namespace

std::string cross_study_section(const ReportContext& c) {
  const auto file = c.history.dir / "cross_study.csv";
  if (!std::filesystem::exists(file)) return {};
  data::HeaderedReader reader(file);
  const std::vector<std::string> header = reader.header();
  std::vector<std::vector<std::string>> rows;
  for (std::vector<std::string> fields; reader.next(fields);) rows.push_back(fields);
  const bool numeric =
      header.size() >= 2 && !rows.empty() && std::all_of(rows.begin(), rows.end(), [](auto& r) {
        return std::all_of(r.begin() + 1, r.end(), [](auto& f) { return f.empty() || number(f); });
      });
  return note(
             "From cross_study.csv in the run directory: one row per training source and "
             "one column per testing source, as the cross-study workflow writes them." +
             std::string(numeric ? " Brighter cells are better under the campaign's "
                                   "objective mode."
                                 : "")) +
         (numeric ? heatmap(c, header, rows) : table(header, rows));
}

}  // namespace overseer::report
