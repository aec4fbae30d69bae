#include "overseer/store/learning_curve.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "overseer/core/csv.hpp"

namespace overseer {
namespace {

double size_of(const TrialRecord& t) {
  return t.params.value("train_size", 0.0);
}

}  // namespace

bool is_learning_curve(const Campaign& campaign) {
  if (campaign.search.algorithm != "dag") return false;
  const json& generator = campaign.search.options.value("generator", json());
  return generator.is_object() && generator.value("kind", "") == "learning_curve";
}

std::string learning_curve_csv(const std::vector<TrialRecord>& finished) {
  std::vector<const TrialRecord*> rows;
  std::set<std::string> metrics;
  for (const auto& t : finished) {
    rows.push_back(&t);
    for (const auto& [name, value] : t.result.metrics) metrics.insert(name);
  }
  std::sort(rows.begin(), rows.end(), [](const TrialRecord* x, const TrialRecord* y) {
    return std::pair(size_of(*x), x->params.value("train_size_seed", 0)) <
           std::pair(size_of(*y), y->params.value("train_size_seed", 0));
  });
  std::ostringstream out;
  out << "size,repeat,trial,status,value";
  for (const auto& m : metrics) out << ',' << csv_field("metric_" + m);
  out << '\n';
  for (const TrialRecord* t : rows) {
    out << csv_number(size_of(*t)) << ',' << t->params.value("train_size_seed", 0) << ',' << t->id
        << ',' << to_string(t->result.status) << ',' << csv_number(t->result.value);
    for (const auto& m : metrics) {
      const auto value = t->result.metrics.find(m);
      out << ',' << (value == t->result.metrics.end() ? "" : csv_number(value->second));
    }
    out << '\n';
  }
  return out.str();
}

double PowerLaw::operator()(double size) const {
  return a * std::pow(size, b);
}

std::optional<PowerLaw> fit_power_law(const std::vector<TrialRecord>& finished) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  std::set<double> sizes;
  for (const auto& t : finished) {
    const double size = size_of(t), value = t.result.value;
    if (t.result.status != TrialStatus::Ok || !(size > 0) || !(value > 0)) continue;
    const double x = std::log(size), y = std::log(value);
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    sizes.insert(size);
  }
  if (sizes.size() < 2) return std::nullopt;
  PowerLaw law;
  law.b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  law.a = std::exp((sy - law.b * sx) / n);
  return law;
}

}  // namespace overseer
