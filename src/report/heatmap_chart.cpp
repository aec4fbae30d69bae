#include <algorithm>

#include <fmt/format.h>

#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"

namespace overseer::report {
namespace {

constexpr double kRowLabelWidth = 120;
constexpr double kRowHeight = 36;
constexpr double kTop = 12;
constexpr double kBottom = 84;  // room for slanted column labels

// "layers 4", or only "4" for an axis without a name.
std::string labelled(const std::string& axis, const std::string& value) {
  return axis.empty() ? value : axis + " " + value;
}

}  // namespace

std::string heatmap_chart(const HeatmapChart& chart) {
  Extent range;
  for (const auto& row : chart.values) {
    for (const auto& v : row) {
      if (v) range.add(*v);
    }
  }
  const double cell_w = std::clamp(
      440.0 / static_cast<double>(std::max<std::size_t>(chart.columns.size(), 1)), 40.0, 80.0);
  Frame f;
  f.left = kRowLabelWidth;
  f.top = kTop;
  f.bottom = kBottom;
  f.right = 8;
  f.width = f.left + cell_w * static_cast<double>(chart.columns.size()) + f.right;
  f.height = f.top + kRowHeight * static_cast<double>(chart.rows.size()) + f.bottom;

  std::string out = svg_open(f, chart.title);
  const bool with_counts = !chart.counts.empty();
  for (std::size_t r = 0; r < chart.rows.size(); ++r) {
    // Row 0 at the bottom, as on a y axis.
    const double y = f.plot_bottom() - kRowHeight * static_cast<double>(r + 1);
    out += fmt::format(
        "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}"
        "</text>",
        f.left - 6, y + kRowHeight / 2 + 4, escape(chart.rows[r]));
    for (std::size_t c = 0; c < chart.columns.size(); ++c) {
      const double x = f.left + cell_w * static_cast<double>(c);
      const auto& value = chart.values[r][c];
      const long count = with_counts ? chart.counts[r][c] : 0;
      std::string tip = labelled(chart.y_label, chart.rows[r]) + ", " +
                        labelled(chart.x_label, chart.columns[c]) + ": " +
                        (value ? format_number(*value) : "no value");
      if (with_counts) tip += fmt::format(" (n={})", count);
      if (!value) {
        out += fmt::format(
            "<rect class=\"empty\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
            "height=\"{:.1f}\"><title>{}</title></rect>",
            x, y, cell_w - 1, kRowHeight - 1, escape(tip));
        continue;
      }
      const double span = range.hi - range.lo;
      double t = span > 0 ? (*value - range.lo) / span : 0.5;
      if (chart.lower_is_better) t = 1 - t;
      out += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
          "fill=\"{}\"><title>{}</title></rect>",
          x, y, cell_w - 1, kRowHeight - 1, sequential_colour(t), escape(tip));
      // Light text on the palette's dark end.
      const char* ink = t > 0.6 ? "" : " on-dark";
      out +=
          fmt::format("<text class=\"cell{}\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", ink,
                      x + cell_w / 2, y + (with_counts ? 15 : 22), escape(format_number(*value)));
      if (with_counts) {
        out += fmt::format("<text class=\"count{}\" x=\"{:.1f}\" y=\"{:.1f}\">n={}</text>", ink,
                           x + cell_w / 2, y + 29, count);
      }
    }
  }
  for (std::size_t c = 0; c < chart.columns.size(); ++c) {
    const double x = f.left + cell_w * (static_cast<double>(c) + 0.5);
    const double y = f.plot_bottom() + 12;
    out += fmt::format(
        "<text class=\"tick\" x=\"{0:.1f}\" y=\"{1:.1f}\" text-anchor=\"end\" "
        "transform=\"rotate(-30 {0:.1f} {1:.1f})\">{2}</text>",
        x, y, escape(chart.columns[c]));
  }
  out += fmt::format(
      "<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}"
      "</text>",
      (f.plot_left() + f.plot_right()) / 2, f.height - 10, escape(chart.x_label));
  out += fmt::format("<text class=\"label\" x=\"4\" y=\"{:.1f}\">{}</text>", f.top - 2,
                     escape(chart.y_label));
  return out + "</svg>";
}

}  // namespace overseer::report
