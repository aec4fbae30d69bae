#include "overseer/core/search_space.hpp"

#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <stdexcept>

#include "overseer/core/error.hpp"

namespace overseer {
namespace {

const std::vector<std::pair<std::string, ParamType>> kTypeNames = {
    {"float", ParamType::Float},     {"int", ParamType::Int},
    {"ordered", ParamType::Ordered}, {"categorical", ParamType::Categorical},
    {"logical", ParamType::Logical}, {"constant", ParamType::Constant}};

ParamType parse_type(const JsonView& view) {
  const std::string name = view.string();
  for (const auto& [text, type] : kTypeNames) {
    if (text == name) return type;
  }
  view.fail("unknown parameter type \"" + name +
            "\"; expected float, int, ordered, categorical, logical or constant");
}

bool matches_element_type(const json& value, const std::string& element_type) {
  if (element_type == "int") return value.is_number_integer();
  if (element_type == "float") return value.is_number();
  if (element_type == "string") return value.is_string();
  if (element_type == "logical") return value.is_boolean();
  return true;
}

std::vector<std::string> allowed_keys(ParamType type) {
  std::vector<std::string> keys = {"name", "type"};
  switch (type) {
    case ParamType::Float:
    case ParamType::Int:
      keys.insert(keys.end(), {"lower", "upper", "log", "sigma", "num", "values"});
      break;
    case ParamType::Ordered:
      keys.insert(keys.end(), {"values", "element_type", "sigma"});
      break;
    case ParamType::Categorical:
      keys.insert(keys.end(), {"values", "element_type"});
      break;
    case ParamType::Logical:
      break;
    case ParamType::Constant:
      keys.push_back("value");
      break;
  }
  return keys;
}

// Integers travel as doubles here; beyond 2^53 they would silently change.
constexpr double kExactLimit = 9007199254740992.0;

// What any range must be, however it was given; `at` is where it was: campaign.json stores a
// range taken from values as lower and upper, and reading it back must not fail.
void check_range(const JsonView& at, const Parameter& p, const std::string& what) {
  if (p.type == ParamType::Int &&
      (std::fabs(p.lower) > kExactLimit || std::fabs(p.upper) > kExactLimit)) {
    at.fail("integer " + what + " must lie within +-2^53");
  }
  if (!std::isfinite(p.upper - p.lower)) at.fail("the range is too wide to sample");
}

void parse_range(const JsonView& view, Parameter& p) {
  if (auto values = view.find("values")) {
    auto items = values->elements();
    if (items.empty()) values->fail("must list at least one value");
    for (const auto& item : items) {
      double v = p.type == ParamType::Int ? static_cast<double>(item.integer()) : item.number();
      p.values.push_back(item.value());
      if (view.has("lower") || view.has("upper")) continue;
      p.lower = p.values.size() == 1 ? v : std::min(p.lower, v);
      p.upper = p.values.size() == 1 ? v : std::max(p.upper, v);
    }
    if (!view.has("lower") && !view.has("upper")) check_range(*values, p, "values");
  }
  if (!view.has("values") || view.has("lower") || view.has("upper")) {
    auto lower = view.at("lower");
    auto upper = view.at("upper");
    p.lower = p.type == ParamType::Int ? static_cast<double>(lower.integer()) : lower.number();
    p.upper = p.type == ParamType::Int ? static_cast<double>(upper.integer()) : upper.number();
    if (p.lower > p.upper) upper.fail("upper must not be below lower");
    check_range(upper, p, "bounds");
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      const double v = p.values[i].get<double>();
      if (v < p.lower || v > p.upper) view.at("values").at(i).fail("value outside [lower, upper]");
    }
  }
  p.log = view.boolean_or("log", false);
  if (p.log && p.lower <= 0) view.at("log").fail("a log-scaled range needs lower > 0");
  if (auto sigma = view.find("sigma")) {
    p.sigma = sigma->number();
    if (*p.sigma <= 0) sigma->fail("sigma must be positive");
  }
  if (auto num = view.find("num")) {
    p.num = num->integer();
    if (*p.num < 1 || *p.num > kMaxGridAxis) {
      num->fail("num must be between 1 and " + std::to_string(kMaxGridAxis));
    }
  }
}

void parse_choices(const JsonView& view, Parameter& p) {
  p.element_type = view.string_or("element_type", "");
  if (!p.element_type.empty() && p.element_type != "int" && p.element_type != "float" &&
      p.element_type != "string" && p.element_type != "logical") {
    view.at("element_type").fail("element_type must be int, float, string or logical");
  }
  auto values = view.at("values");
  auto items = values.elements();
  if (items.empty()) values.fail("must list at least one value");
  std::set<std::string> seen;
  for (const auto& item : items) {
    if (!matches_element_type(item.value(), p.element_type)) {
      item.fail("expected a value of element_type " + p.element_type + ", found " +
                json_type_name(item.value()));
    }
    if (!seen.insert(item.value().dump()).second) item.fail("duplicate value");
    p.values.push_back(item.value());
  }
  if (auto sigma = view.find("sigma")) {
    p.sigma = sigma->number();
    if (*p.sigma <= 0) sigma->fail("sigma must be positive");
  }
}

Parameter parse_parameter(const JsonView& view) {
  view.require_object();
  Parameter p;
  p.file = view.file();
  p.pointer = view.pointer();
  p.name = view.at("name").string();
  if (p.name.empty()) view.at("name").fail("name must not be empty");
  p.type = parse_type(view.at("type"));
  view.only_keys(allowed_keys(p.type));
  switch (p.type) {
    case ParamType::Float:
    case ParamType::Int:
      parse_range(view, p);
      break;
    case ParamType::Ordered:
    case ParamType::Categorical:
      parse_choices(view, p);
      break;
    case ParamType::Logical:
      p.values = json::array({false, true});
      break;
    case ParamType::Constant:
      p.value = view.at("value").value();
      break;
  }
  return p;
}

double log_or_linear_point(const Parameter& p, std::int64_t i, std::int64_t n) {
  if (n == 1) return p.lower;
  double t = static_cast<double>(i) / static_cast<double>(n - 1);
  if (p.log) return std::exp(std::log(p.lower) + t * (std::log(p.upper) - std::log(p.lower)));
  return p.lower + t * (p.upper - p.lower);
}

}  // namespace

std::string to_string(ParamType type) {
  for (const auto& [text, t] : kTypeNames) {
    if (t == type) return text;
  }
  return "unknown";
}

void Parameter::fail(const std::string& message) const {
  throw InputError(file, pointer, message);
}

std::vector<json> Parameter::grid_values() const {
  std::vector<json> out;
  if (type == ParamType::Int && values.empty() && !num && upper - lower + 1 > kMaxGridAxis) {
    fail("a grid over \"" + name + "\" would have " + json(upper - lower + 1).dump() +
         " points; give \"num\" or \"values\" (at most " + std::to_string(kMaxGridAxis) + ")");
  }
  switch (type) {
    case ParamType::Float:
    case ParamType::Int:
      if (!values.empty()) return std::vector<json>(values.begin(), values.end());
      if (type == ParamType::Int && !num) {
        for (auto v = static_cast<std::int64_t>(lower); v <= static_cast<std::int64_t>(upper); ++v)
          out.emplace_back(v);
        return out;
      }
      if (!num) fail("a grid over float parameter \"" + name + "\" needs \"values\" or \"num\"");
      for (std::int64_t i = 0; i < *num; ++i) {
        double v = log_or_linear_point(*this, i, *num);
        if (type == ParamType::Int) {
          json point = static_cast<std::int64_t>(std::llround(v));
          if (out.empty() || out.back() != point) out.push_back(point);
        } else {
          out.emplace_back(v);
        }
      }
      return out;
    case ParamType::Ordered:
    case ParamType::Categorical:
    case ParamType::Logical:
      return std::vector<json>(values.begin(), values.end());
    case ParamType::Constant:
      return {value};
  }
  return out;
}

json Parameter::sample(Rng& rng) const {
  switch (type) {
    case ParamType::Float:
    case ParamType::Int: {
      if (!values.empty())
        return values[static_cast<std::size_t>(rng.integer(0, values.size() - 1))];
      if (type == ParamType::Int && !log) {
        return rng.integer(static_cast<std::int64_t>(lower), static_cast<std::int64_t>(upper));
      }
      double v =
          log ? std::exp(rng.uniform(std::log(lower), std::log(upper))) : rng.uniform(lower, upper);
      if (type == ParamType::Int) {
        return std::clamp(static_cast<std::int64_t>(std::llround(v)),
                          static_cast<std::int64_t>(lower), static_cast<std::int64_t>(upper));
      }
      return v;
    }
    case ParamType::Ordered:
    case ParamType::Categorical:
    case ParamType::Logical:
      return values[static_cast<std::size_t>(rng.integer(0, values.size() - 1))];
    case ParamType::Constant:
      return value;
  }
  return nullptr;
}

json Parameter::value_from_text(const std::string& text) const {
  const auto number = [](const std::string& s) -> std::optional<double> {
    std::size_t used = 0;
    try {
      const double v = std::stod(s, &used);
      if (used == s.size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
    return std::nullopt;
  };
  const auto text_of = [](const json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  const auto lower_case = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  const auto choice = [&](const json& candidates) -> json {
    const auto as_number = number(text);
    for (const auto& v : candidates) {
      if (text_of(v) == text) return v;
      if (v.is_boolean() && lower_case(text) == text_of(v)) return v;
      if (v.is_number() && as_number && *as_number == v.get<double>()) return v;
    }
    std::string list;
    for (const auto& v : candidates) list += (list.empty() ? "" : ", ") + text_of(v);
    throw std::invalid_argument("\"" + text + "\" is not one of " + list);
  };
  switch (type) {
    case ParamType::Float:
    case ParamType::Int: {
      if (!values.empty()) return choice(values);
      const auto v = number(text);
      if (!v) throw std::invalid_argument("\"" + text + "\" is not a number");
      if (type == ParamType::Int && *v != std::floor(*v)) {
        throw std::invalid_argument("\"" + text + "\" is not an integer");
      }
      if (*v < lower || *v > upper) {
        throw std::invalid_argument(text + " is outside [" + json(lower).dump() + ", " +
                                    json(upper).dump() + "]");
      }
      if (type == ParamType::Int) return static_cast<std::int64_t>(*v);
      return *v;
    }
    case ParamType::Ordered:
    case ParamType::Categorical:
    case ParamType::Logical:
      return choice(values);
    case ParamType::Constant:
      return choice(json::array({value}));
  }
  throw std::invalid_argument("unknown parameter type");
}

SearchSpace SearchSpace::parse(const JsonView& view) {
  SearchSpace space;
  auto items = view.elements();
  if (items.empty()) view.fail("the search space is empty: define at least one parameter");
  std::set<std::string> names;
  for (const auto& item : items) {
    Parameter p = parse_parameter(item);
    if (!names.insert(p.name).second)
      item.at("name").fail("duplicate parameter \"" + p.name + "\"");
    space.parameters_.push_back(std::move(p));
  }
  return space;
}

const Parameter* SearchSpace::find(const std::string& name) const {
  for (const auto& p : parameters_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

json SearchSpace::to_json() const {
  json out = json::array();
  for (const auto& p : parameters_) {
    json entry = {{"name", p.name}, {"type", to_string(p.type)}};
    switch (p.type) {
      case ParamType::Float:
      case ParamType::Int:
        entry["lower"] =
            p.type == ParamType::Int ? json(static_cast<std::int64_t>(p.lower)) : json(p.lower);
        entry["upper"] =
            p.type == ParamType::Int ? json(static_cast<std::int64_t>(p.upper)) : json(p.upper);
        entry["log"] = p.log;
        if (p.num) entry["num"] = *p.num;
        if (!p.values.empty()) entry["values"] = p.values;
        break;
      case ParamType::Ordered:
      case ParamType::Categorical:
        entry["values"] = p.values;
        if (!p.element_type.empty()) entry["element_type"] = p.element_type;
        break;
      case ParamType::Logical:
        break;
      case ParamType::Constant:
        entry["value"] = p.value;
        break;
    }
    if (p.sigma) entry["sigma"] = *p.sigma;
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace overseer
