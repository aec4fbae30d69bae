#pragma once

// What every chart of the HTML report shares: escaping, number formatting, scales with their
// ticks, the plot frame with its axes, and the colour palettes.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace overseer::report {

// Text and attribute values for HTML and SVG: & < > " ' become entities.
std::string escape(std::string_view text);

// A short human form: 4 significant digits ("0.01235", "1.235e+06").
std::string format_number(double value);

// The smallest and largest of the finite values added.
struct Extent {
  double lo = 0;
  double hi = 0;
  bool empty = true;
  void add(double value);
};

// Maps data values to pixels along one axis, linearly or on a log10 scale.
class Scale {
 public:
  // An empty or single-value extent is widened so that points land inside the frame.
  Scale(Extent extent, double pixel_from, double pixel_to, bool log = false);
  double operator()(double value) const;
  // 4-8 round values inside the extent (powers of ten on a log scale).
  std::vector<double> ticks() const;
  bool log() const { return log_; }

 private:
  double lo_, hi_, from_, to_;
  bool log_;
};

// Chart geometry shared by the charts that have two numeric axes.
struct Frame {
  double width = 560;
  double height = 320;
  double left = 64;
  double right = 16;
  double top = 16;
  double bottom = 48;
  double plot_left() const { return left; }
  double plot_right() const { return width - right; }
  double plot_top() const { return top; }
  double plot_bottom() const { return height - bottom; }
};

// `<svg ...>` with a role and an accessible title; close with "</svg>".
std::string svg_open(const Frame& frame, const std::string& title);

// Grid lines, tick labels and axis titles. Category axes pass `x_categories`: labels placed at
// the integer positions 0, 1, ... of the x scale.
std::string axes(const Frame& frame, const Scale& x, const Scale& y, const std::string& x_label,
                 const std::string& y_label, const std::vector<std::string>& x_categories = {});

// A legend row of coloured swatches at the top right of the plot.
std::string legend(const Frame& frame,
                   const std::vector<std::pair<std::string, std::string>>& name_and_colour);

// Charts draw at most about this many points or markers each, every k-th one of a larger set
// (k = mark_stride), so that a report of 100,000 trials stays a file a browser opens quickly.
inline constexpr std::size_t kMaxMarks = 5000;
std::size_t mark_stride(std::size_t count);

// Distinct colours for series and groups, cycling.
const std::string& series_colour(std::size_t index);

// A sequential palette (viridis) at t in [0, 1], as #rrggbb.
std::string sequential_colour(double t);

}  // namespace overseer::report
