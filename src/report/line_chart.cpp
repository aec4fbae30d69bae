#include <cmath>

#include <fmt/format.h>

#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"

namespace overseer::report {
namespace {

const std::string kFadedColour = "#9a9a9a";

}  // namespace

std::string line_chart(const LineChart& chart) {
  const Frame f;
  Extent xs, ys;
  for (const auto& s : chart.series) {
    for (const auto& [x, y] : s.points) xs.add(x), ys.add(y);
  }
  if (chart.y_reference) ys.add(*chart.y_reference);
  const Scale x(xs, f.plot_left(), f.plot_right());
  const Scale y(ys, f.plot_bottom(), f.plot_top());

  std::string out = svg_open(f, chart.title) + axes(f, x, y, chart.x_label, chart.y_label);
  if (chart.y_reference) {
    out += fmt::format(
        "<line class=\"reference\" x1=\"{0:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" "
        "y2=\"{2:.1f}\"/>",
        f.plot_left(), f.plot_right(), y(*chart.y_reference));
  }
  std::vector<std::pair<std::string, std::string>> entries;
  // Faded series first, so that the others are drawn over them.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    if (chart.series[i].faded) order.push_back(i);
  }
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    if (!chart.series[i].faded) order.push_back(i);
  }
  for (const std::size_t i : order) {
    const Series& s = chart.series[i];
    const std::string colour = s.faded ? kFadedColour : series_colour(i);
    if (s.in_legend) entries.emplace_back(s.name, colour);
    std::string path;
    for (const auto& [px, py] : s.points) {
      if (!std::isfinite(px) || !std::isfinite(py)) continue;
      if (path.empty()) {
        path = fmt::format("M{:.1f} {:.1f}", x(px), y(py));
      } else if (s.step) {
        path += fmt::format("H{:.1f}V{:.1f}", x(px), y(py));
      } else {
        path += fmt::format("L{:.1f} {:.1f}", x(px), y(py));
      }
    }
    if (s.line && !path.empty()) {
      out += fmt::format("<path class=\"series{}\" d=\"{}\" stroke=\"{}\"><title>{}</title></path>",
                         s.faded ? " faded" : "", path, colour, escape(s.name));
    }
    if (!s.markers) continue;
    const std::size_t stride = mark_stride(s.points.size());
    for (std::size_t k = 0; k < s.points.size(); k += stride) {
      const auto [px, py] = s.points[k];
      if (!std::isfinite(px) || !std::isfinite(py)) continue;
      out += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"><title>{}: {}, {}</title>"
          "</circle>",
          x(px), y(py), colour, escape(s.name), format_number(px), format_number(py));
    }
  }
  if (entries.size() > 1) out += legend(f, entries);
  return out + "</svg>";
}

}  // namespace overseer::report
