#include "overseer/search/ga_options.hpp"

namespace overseer::ga {
namespace {

// Large enough for any real campaign, small enough that budgets computed from them fit.
constexpr std::int64_t kMaxCount = 1'000'000;

std::int64_t count_in(const JsonView& search, const std::string& key, std::int64_t fallback,
                      std::int64_t lowest, std::int64_t highest) {
  const std::int64_t value = search.integer_or(key, fallback);
  if (value < lowest || value > highest) {
    search.at(key).fail(key + " must be between " + std::to_string(lowest) + " and " +
                        std::to_string(highest));
  }
  return value;
}

double probability(const JsonView& search, const std::string& key, double fallback) {
  const double value = search.number_or(key, fallback);
  if (value < 0 || value > 1) search.at(key).fail(key + " must be between 0 and 1");
  return value;
}

}  // namespace

std::optional<std::int64_t> Options::max_evaluations() const {
  if (!num_iterations) return std::nullopt;
  return population_size + (*num_iterations - 1) * generation_size();
}

Options Options::parse(const JsonView& search) {
  Options o;
  if (!search.has("population_size")) search.fail("ga needs \"population_size\"");
  o.population_size = count_in(search, "population_size", 0, 2, kMaxCount);
  if (search.has("num_iterations")) {
    o.num_iterations = count_in(search, "num_iterations", 0, 1, kMaxCount);
  }

  const std::string strategy = search.string_or("strategy", "simple");
  if (strategy == "mu_plus_lambda") {
    o.strategy = Strategy::MuPlusLambda;
    o.offspring = count_in(search, "offspring", o.population_size / 2, 1, o.population_size - 1);
  } else if (strategy != "simple") {
    search.at("strategy")
        .fail("strategy must be \"simple\" or \"mu_plus_lambda\", found \"" + strategy + "\"");
  } else if (search.has("offspring")) {
    search.at("offspring").fail("offspring applies only to strategy \"mu_plus_lambda\"");
  }

  o.mut_prob = probability(search, "mut_prob", o.mut_prob);
  o.cx_prob = probability(search, "cx_prob", o.cx_prob);
  // Supervisor mutates each gene with the individual's mutation probability.
  o.mut_indpb = probability(search, "mut_indpb", o.mut_prob);
  o.cx_indpb = probability(search, "cx_indpb", o.cx_indpb);
  o.tournsize = count_in(search, "tournsize", o.tournsize, 1, kMaxCount);
  if (o.cx_prob + o.mut_prob <= 0) {
    search.fail("cx_prob and mut_prob are both 0: no child would ever differ from its parents");
  }
  if (o.strategy == Strategy::MuPlusLambda && o.cx_prob + o.mut_prob > 1) {
    search.fail(
        "mu_plus_lambda needs cx_prob + mut_prob <= 1 (the rest is the chance of copying "
        "a parent)");
  }

  o.init_params_file = search.string_or("init_params_file", "");
  if (search.has("init_params_file") && o.init_params_file.empty()) {
    search.at("init_params_file").fail("init_params_file must name a file");
  }

  const std::string mode = search.string_or("mode", "steady_state");
  if (mode == "generational") {
    o.mode = Mode::Generational;
  } else if (mode != "steady_state") {
    search.at("mode").fail("mode must be \"generational\" or \"steady_state\", found \"" + mode +
                           "\"");
  }
  return o;
}

std::vector<std::string> option_names() {
  return {"population_size", "num_iterations", "strategy",        "offspring",
          "mut_prob",        "cx_prob",        "mut_indpb",       "cx_indpb",
          "tournsize",       "mode",           "init_params_file"};
}

}  // namespace overseer::ga
