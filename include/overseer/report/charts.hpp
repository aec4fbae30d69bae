#pragma once

// The report's chart kinds, each one SVG element drawn from plain data. Every string given
// here is escaped when drawn.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace overseer::report {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // in x order
  bool step = false;                              // hold each value until the next x
  bool line = true;
  bool markers = false;
  bool faded = false;     // drawn thin and grey, behind the others (e.g. stopped trials)
  bool in_legend = true;  // left out of the legend when there are too many series to name
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  std::optional<double> y_reference;  // a dashed horizontal line, e.g. the worker count
};
std::string line_chart(const LineChart& chart);

struct ScatterPoint {
  double x = 0;
  double y = 0;
  std::size_t group = 0;  // colour and legend entry
  std::string tip;        // shown on hover
};

struct ScatterChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<std::string> groups;
  std::vector<ScatterPoint> points;
  // When set, x holds category indices 0..n-1, labelled with these names.
  std::vector<std::string> x_categories;
  bool x_log = false;
  bool diagonal = false;  // the line y = x, for comparing two measurements
};
std::string scatter_chart(const ScatterChart& chart);

// A grid of cells coloured by value, each labelled with its value and, when given, a count
// ("n=12"); rows and columns are labelled.
struct HeatmapChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<std::string> columns;
  std::vector<std::string> rows;
  std::vector<std::vector<std::optional<double>>> values;  // [row][column]
  std::vector<std::vector<long>> counts;                   // [row][column]; may be empty
  bool lower_is_better = true;                             // which end of the palette is bright
};
std::string heatmap_chart(const HeatmapChart& chart);

}  // namespace overseer::report
