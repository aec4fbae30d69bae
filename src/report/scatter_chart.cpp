#include <cmath>

#include <fmt/format.h>

#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"

namespace overseer::report {
namespace {

// A fixed offset in [-0.3, 0.3] per point, so that points of one category do not hide each
// other while the chart stays the same from run to run.
double jitter(std::size_t index) {
  return (static_cast<double>((index * 2654435761u) % 1000) / 1000.0 - 0.5) * 0.6;
}

}  // namespace

std::string scatter_chart(const ScatterChart& chart) {
  const Frame f;
  const bool categories = !chart.x_categories.empty();
  Extent xs, ys;
  for (const auto& p : chart.points) xs.add(p.x), ys.add(p.y);
  if (categories) {
    xs = {};
    xs.add(-0.5);
    xs.add(static_cast<double>(chart.x_categories.size()) - 0.5);
  }
  if (chart.diagonal) {
    xs.add(ys.lo), xs.add(ys.hi);
    ys = xs;
  }
  const Scale x(xs, f.plot_left(), f.plot_right(), chart.x_log && !categories);
  const Scale y(ys, f.plot_bottom(), f.plot_top());

  std::string out =
      svg_open(f, chart.title) + axes(f, x, y, chart.x_label, chart.y_label, chart.x_categories);
  if (chart.diagonal && !xs.empty) {
    out += fmt::format(
        "<line class=\"reference\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" "
        "y2=\"{:.1f}\"/>",
        x(xs.lo), y(xs.lo), x(xs.hi), y(xs.hi));
  }
  const std::size_t stride = mark_stride(chart.points.size());
  for (std::size_t i = 0; i < chart.points.size(); i += stride) {
    const ScatterPoint& p = chart.points[i];
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    const double px = categories ? x(p.x + jitter(i)) : x(p.x);
    out += fmt::format(
        "<circle class=\"point\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"><title>{}"
        "</title></circle>",
        px, y(p.y), series_colour(p.group), escape(p.tip));
  }
  if (chart.groups.size() > 1) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (std::size_t g = 0; g < chart.groups.size(); ++g) {
      entries.emplace_back(chart.groups[g], series_colour(g));
    }
    out += legend(f, entries);
  }
  return out + "</svg>";
}

}  // namespace overseer::report
