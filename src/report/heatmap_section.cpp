#include <algorithm>
#include <cmath>

#include "overseer/report/charts.hpp"
#include "overseer/report/svg.hpp"
#include "sections.hpp"

namespace overseer::report {
namespace {

// Automatic pairs are drawn among this many parameters, those whose buckets explain the most
// of the objective's variance.
constexpr std::size_t kAutomaticParameters = 4;

// The share of the objective's variance that the parameter's buckets explain (eta squared).
double explained_variance(const ParameterAxis& axis, const std::vector<const TrialRecord*>& ok) {
  std::vector<double> sum(axis.labels().size()), count(axis.labels().size());
  double total = 0, total_sq = 0, n = 0;
  for (const TrialRecord* t : ok) {
    const auto b = axis.bucket(t->params.value(axis.name(), json()));
    if (!b) continue;
    sum[*b] += t->result.value;
    count[*b] += 1;
    total += t->result.value;
    total_sq += t->result.value * t->result.value;
    n += 1;
  }
  if (n < 2) return 0;
  const double mean = total / n;
  const double variance = total_sq - n * mean * mean;
  if (variance <= 0) return 0;
  double between = 0;
  for (std::size_t i = 0; i < sum.size(); ++i) {
    if (count[i] > 0) between += count[i] * std::pow(sum[i] / count[i] - mean, 2);
  }
  return between / variance;
}

const ParameterAxis& find_axis(const ReportContext& c, const std::string& name) {
  return *std::find_if(c.parameters.begin(), c.parameters.end(),
                       [&](const ParameterAxis& a) { return a.name() == name; });
}

std::vector<std::pair<std::string, std::string>> chosen_pairs(const ReportContext& c) {
  auto pairs = c.requested_pairs;
  std::vector<std::pair<double, const ParameterAxis*>> ranked;
  for (const auto& axis : c.parameters) {
    ranked.emplace_back(explained_variance(axis, c.succeeded), &axis);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  ranked.resize(std::min(ranked.size(), kAutomaticParameters));
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    for (std::size_t j = i + 1; j < ranked.size(); ++j) {
      std::pair<std::string, std::string> pair{ranked[i].second->name(), ranked[j].second->name()};
      const auto same = [&](const auto& p) {
        return p == pair || (p.first == pair.second && p.second == pair.first);
      };
      if (std::none_of(pairs.begin(), pairs.end(), same)) pairs.push_back(pair);
    }
  }
  return pairs;
}

std::string pair_heatmap(const ReportContext& c, const ParameterAxis& x, const ParameterAxis& y) {
  const std::size_t columns = x.labels().size(), rows = y.labels().size();
  std::vector<std::vector<double>> sums(rows, std::vector<double>(columns));
  HeatmapChart chart{c.objective() + " by " + x.name() + " and " + y.name(),
                     x.name(),
                     y.name(),
                     x.labels(),
                     y.labels(),
                     {},
                     std::vector<std::vector<long>>(rows, std::vector<long>(columns)),
                     c.minimize()};
  for (const TrialRecord* t : c.succeeded) {
    const auto col = x.bucket(t->params.value(x.name(), json()));
    const auto row = y.bucket(t->params.value(y.name(), json()));
    if (!col || !row) continue;
    sums[*row][*col] += t->result.value;
    ++chart.counts[*row][*col];
  }
  chart.values.assign(rows, std::vector<std::optional<double>>(columns));
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t k = 0; k < columns; ++k) {
      const long n = chart.counts[r][k];
      if (n > 0) chart.values[r][k] = sums[r][k] / static_cast<double>(n);
    }
  }
  return heatmap_chart(chart);
}

}  // namespace

std::string heatmap_section(const ReportContext& c) {
  if (c.parameters.size() < 2 || c.succeeded.empty()) return {};
  std::string charts;
  for (const auto& [x, y] : chosen_pairs(c)) {
    charts += chart(pair_heatmap(c, find_axis(c, x), find_axis(c, y)));
  }
  return note("The mean " + escape(c.objective()) +
              " of the successful trials in each cell, with the number of trials (n) in it. "
              "Continuous parameters are cut into equal-width ranges (on a log scale where the "
              "space samples them so), categories and numbers with few distinct values get "
              "a cell each. Brighter cells are better. The pairs shown are those given with "
              "--pair, then the pairs among the parameters that explain most of the "
              "objective's variance.") +
         "<div class=\"charts\">" + charts + "</div>";
}

}  // namespace overseer::report
