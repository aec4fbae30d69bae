// Closed-form test functions with known optima, for testing searchers and measuring dispatch
// without training cost.
#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <stdexcept>

#include "overseer/core/error.hpp"
#include "overseer/models/model.hpp"

namespace overseer {
namespace {

class AnalyticModel : public Model {
 public:
  using Function = double (*)(const std::vector<double>&);

  AnalyticModel(std::vector<std::string> names, Function f) : names_(std::move(names)), f_(f) {}

  void check(const json& params) const override {
    for (const auto& name : names_) number_param(params, name);
  }

  Metrics evaluate(const json& params, const RunContext&) override {
    std::vector<double> x;
    x.reserve(names_.size());
    for (const auto& name : names_) x.push_back(number_param(params, name));
    return {{"value", f_(x)}};
  }

 private:
  std::vector<std::string> names_;
  Function f_;
};

// Branin-Hoo on x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887 at three points.
double branin(const std::vector<double>& x) {
  const double pi = 3.14159265358979323846;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  const double y = x[1] - b * x[0] * x[0] + c * x[0] - 6;
  return y * y + 10 * (1 - t) * std::cos(x[0]) + 10;
}

// Hartmann 6-D on [0, 1]^6; minimum -3.32237.
double hartmann6(const std::vector<double>& x) {
  static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static const double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                 {0.05, 10, 17, 0.1, 8, 14},
                                 {3, 3.5, 1.7, 10, 17, 8},
                                 {17, 8, 0.05, 10, 0.1, 14}};
  static const double p[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                 {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                 {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                 {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
  double sum = 0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0;
    for (int j = 0; j < 6; ++j) inner += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]);
    sum += alpha[i] * std::exp(-inner);
  }
  return -sum;
}

// n-D Rosenbrock; minimum 0 at (1, ..., 1).
double rosenbrock(const std::vector<double>& x) {
  double sum = 0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    sum += 100 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1 - x[i], 2);
  }
  return sum;
}

// A mixed-type test function: x1, x2 in [0, 1], an integer n, a categorical kind (a, b, c or d)
// and a logical flag. Each kind moves the optimum of the continuous part (a bowl with ripples,
// so there are local minima) and of n, and adds its own offset; only kind c reaches 0, at
// x1 = 0.35, x2 = 0.55, n = 9, flag = true. A search must learn the kinds as categories: their
// order means nothing.
class MixedModel : public Model {
 public:
  void check(const json& params) const override { read(params); }

  Metrics evaluate(const json& params, const RunContext&) override {
    const Point x = read(params);
    struct Kind {
      double offset, x1, x2, n;
    };
    static const Kind kinds[] = {
        {0.6, 0.2, 0.8, 3}, {0.3, 0.8, 0.2, 16}, {0.0, 0.35, 0.55, 9}, {0.9, 0.5, 0.5, 10}};
    const Kind& k = kinds[x.kind];
    const double pi = 3.14159265358979323846;
    const double d1 = x.x1 - k.x1, d2 = x.x2 - k.x2;
    const double ripples = 0.1 * ((1 - std::cos(6 * pi * d1)) + (1 - std::cos(6 * pi * d2)));
    return {{"value", k.offset + 4 * (d1 * d1 + d2 * d2) + ripples +
                          0.01 * std::pow(static_cast<double>(x.n) - k.n, 2) + (x.flag ? 0 : 0.5)}};
  }

 private:
  struct Point {
    double x1, x2;
    std::int64_t n;
    std::size_t kind;
    bool flag;
  };

  static Point read(const json& params) {
    for (const char* name : {"n", "kind", "flag"}) {
      if (!params.contains(name))
        throw ParameterError(name, "missing parameter \"" + std::string(name) + "\"");
    }
    static const std::vector<std::string> kinds = {"a", "b", "c", "d"};
    const std::string kind = choice_param(params, "kind", "a", kinds);
    return {number_param(params, "x1"), number_param(params, "x2"),
            int_param(params, "n", 0, -1000000, 1000000),
            static_cast<std::size_t>(std::find(kinds.begin(), kinds.end(), kind) - kinds.begin()),
            bool_param(params, "flag", true)};
  }
};

std::vector<std::string> numbered(const std::string& prefix, std::size_t n) {
  std::vector<std::string> names;
  for (std::size_t i = 1; i <= n; ++i) names.push_back(prefix + std::to_string(i));
  return names;
}

// Rosenbrock's dimension is the number of x1..xN parameters in the campaign (space plus fixed).
std::size_t rosenbrock_dimension(const Campaign& campaign) {
  static const std::regex kCoordinate("x([1-9][0-9]{0,5})");
  std::set<std::size_t> indices;
  auto count = [&](const std::string& name) {
    std::smatch m;
    if (std::regex_match(name, m, kCoordinate)) indices.insert(std::stoul(m[1]));
  };
  for (const auto& p : campaign.space.parameters()) count(p.name);
  for (const auto& item : campaign.model.params.items()) count(item.key());
  const std::size_t n = indices.empty() ? 0 : *indices.rbegin();
  if (n < 2 || indices.size() != n) {
    throw InputError(campaign.file.string(), "/space",
                     "rosenbrock needs parameters x1..xN without gaps, N >= 2");
  }
  return n;
}

const bool registered_branin = ModelRegistry::instance().add(
    "branin", {{"value"}, [](const Campaign&) {
                 return std::make_unique<AnalyticModel>(numbered("x", 2), branin);
               }});
const bool registered_hartmann6 = ModelRegistry::instance().add(
    "hartmann6", {{"value"}, [](const Campaign&) {
                    return std::make_unique<AnalyticModel>(numbered("x", 6), hartmann6);
                  }});
const bool registered_rosenbrock = ModelRegistry::instance().add(
    "rosenbrock", {{"value"}, [](const Campaign& c) {
                     return std::make_unique<AnalyticModel>(numbered("x", rosenbrock_dimension(c)),
                                                            rosenbrock);
                   }});
const bool registered_mixed = ModelRegistry::instance().add(
    "mixed", {{"value"}, [](const Campaign&) { return std::make_unique<MixedModel>(); }});

}  // namespace
}  // namespace overseer
