#include "overseer/core/json_view.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "overseer/core/error.hpp"
#include "overseer/core/input_file.hpp"

namespace overseer {
namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string json_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "an unsupported value";
  }
}

JsonView::JsonView(const json& value, std::string file, json::json_pointer pointer)
    : value_(&value), file_(std::move(file)), pointer_(std::move(pointer)) {}

void JsonView::fail(const std::string& message) const {
  throw InputError(file_, pointer_.to_string(), message);
}

void JsonView::require_object() const {
  if (!value_->is_object()) fail("expected an object, found " + json_type_name(*value_));
}

bool JsonView::has(const std::string& key) const {
  return value_->is_object() && value_->contains(key);
}

JsonView JsonView::at(const std::string& key) const {
  require_object();
  auto it = value_->find(key);
  if (it == value_->end())
    JsonView(*value_, file_, pointer_ / key).fail("required field is missing");
  return JsonView(*it, file_, pointer_ / key);
}

std::optional<JsonView> JsonView::find(const std::string& key) const {
  require_object();
  auto it = value_->find(key);
  if (it == value_->end()) return std::nullopt;
  return JsonView(*it, file_, pointer_ / key);
}

JsonView JsonView::at(std::size_t index) const {
  return JsonView(value_->at(index), file_, pointer_ / index);
}

std::vector<JsonView> JsonView::elements() const {
  if (!value_->is_array()) fail("expected an array, found " + json_type_name(*value_));
  std::vector<JsonView> out;
  out.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) out.push_back(at(i));
  return out;
}

void JsonView::only_keys(const std::vector<std::string>& allowed) const {
  require_object();
  for (const auto& item : value_->items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) != allowed.end()) continue;
    std::string message = "unknown field \"" + item.key() + "\"";
    auto best = std::min_element(allowed.begin(), allowed.end(), [&](const auto& a, const auto& b) {
      return edit_distance(item.key(), a) < edit_distance(item.key(), b);
    });
    if (best != allowed.end() && edit_distance(item.key(), *best) <= 2) {
      message += " (did you mean \"" + *best + "\"?)";
    } else {
      std::string names;
      for (const auto& name : allowed) names += (names.empty() ? "" : ", ") + name;
      message += "; allowed: " + names;
    }
    JsonView(item.value(), file_, pointer_ / item.key()).fail(message);
  }
}

std::string JsonView::string() const {
  if (!value_->is_string()) fail("expected a string, found " + json_type_name(*value_));
  return value_->get<std::string>();
}

double JsonView::number() const {
  if (!value_->is_number()) fail("expected a number, found " + json_type_name(*value_));
  double v = value_->get<double>();
  if (!std::isfinite(v)) fail("expected a finite number");
  return v;
}

std::int64_t JsonView::integer() const {
  if (value_->is_number_unsigned() && value_->get<std::uint64_t>() > INT64_MAX) {
    fail("integer too large");
  }
  if (value_->is_number_integer()) return value_->get<std::int64_t>();
  if (value_->is_number_float()) {
    double v = value_->get<double>();
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15) {
      return static_cast<std::int64_t>(v);
    }
  }
  fail("expected an integer, found " + json_type_name(*value_));
}

bool JsonView::boolean() const {
  if (!value_->is_boolean()) fail("expected true or false, found " + json_type_name(*value_));
  return value_->get<bool>();
}

std::string JsonView::string_or(const std::string& key, const std::string& fallback) const {
  auto v = find(key);
  return v ? v->string() : fallback;
}

double JsonView::number_or(const std::string& key, double fallback) const {
  auto v = find(key);
  return v ? v->number() : fallback;
}

std::int64_t JsonView::integer_or(const std::string& key, std::int64_t fallback) const {
  auto v = find(key);
  return v ? v->integer() : fallback;
}

bool JsonView::boolean_or(const std::string& key, bool fallback) const {
  auto v = find(key);
  return v ? v->boolean() : fallback;
}

json read_json_file(const std::filesystem::path& path) {
  if (const std::string problem = file_problem(path); !problem.empty()) {
    throw InputError(path.string(), "", problem);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), "", "cannot open file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return json::parse(buffer.str());
  } catch (const json::exception& e) {
    std::string detail = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix: users need the position.
    auto bracket = detail.find("] ");
    if (bracket != std::string::npos) detail = detail.substr(bracket + 2);
    throw InputError(path.string(), "", "malformed JSON: " + detail);
  }
}

}  // namespace overseer
