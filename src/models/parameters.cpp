#include "overseer/models/parameters.hpp"

#include <cmath>
#include <regex>

namespace overseer {
namespace {

[[noreturn]] void wrong(const std::string& name, const std::string& what, const json& value) {
  throw ParameterError(name, "parameter \"" + name + "\" must be " + what + ", found " +
                                 (value.is_primitive() ? value.dump() : json_type_name(value)));
}

std::int64_t whole_number(const std::string& name, const json& value, std::int64_t lower,
                          std::int64_t upper) {
  const std::string what =
      "a whole number in [" + std::to_string(lower) + ", " + std::to_string(upper) + "]";
  if (!value.is_number()) wrong(name, what, value);
  const double v = value.get<double>();
  if (v != std::floor(v) || v < static_cast<double>(lower) || v > static_cast<double>(upper)) {
    wrong(name, what, value);
  }
  return static_cast<std::int64_t>(v);
}

}  // namespace

double number_param(const json& params, const std::string& name) {
  auto it = params.find(name);
  if (it == params.end()) throw ParameterError(name, "missing parameter \"" + name + "\"");
  if (!it->is_number()) wrong(name, "a number", *it);
  return it->get<double>();
}

double number_param(const json& params, const std::string& name, double fallback, double lower,
                    double upper) {
  if (!params.contains(name)) return fallback;
  const double v = number_param(params, name);
  if (!(v >= lower && v <= upper)) {
    wrong(name, "a number in [" + json(lower).dump() + ", " + json(upper).dump() + "]",
          params.at(name));
  }
  return v;
}

std::int64_t int_param(const json& params, const std::string& name, std::int64_t fallback,
                       std::int64_t lower, std::int64_t upper) {
  auto it = params.find(name);
  return it == params.end() ? fallback : whole_number(name, *it, lower, upper);
}

std::string choice_param(const json& params, const std::string& name, const std::string& fallback,
                         const std::vector<std::string>& allowed) {
  auto it = params.find(name);
  if (it == params.end()) return fallback;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  if (!it->is_string()) wrong(name, "one of " + list, *it);
  const auto value = it->get<std::string>();
  for (const auto& a : allowed) {
    if (a == value) return value;
  }
  wrong(name, "one of " + list, *it);
}

bool bool_param(const json& params, const std::string& name, bool fallback) {
  auto it = params.find(name);
  if (it == params.end()) return fallback;
  if (!it->is_boolean()) wrong(name, "true or false", *it);
  return it->get<bool>();
}

Device device_param(const json& params) {
  static const std::regex kDevice("(auto|cpu|cuda|rocm)(:([0-9]{1,4}))?");
  const json value = params.value("device", json("auto"));
  std::smatch match;
  std::string text = value.is_string() ? value.get<std::string>() : "";
  if (!std::regex_match(text, match, kDevice) ||
      (match[3].matched && match[1] != "cuda" && match[1] != "rocm")) {
    wrong("device", "auto, cpu, cuda, cuda:N, rocm or rocm:N", value);
  }
  Device device;
  device.kind = match[1] == "cpu"    ? Device::Cpu
                : match[1] == "cuda" ? Device::Cuda
                : match[1] == "rocm" ? Device::Rocm
                                     : Device::Auto;
  if (match[3].matched) device.index = std::stoi(match[3]);
  device.text = std::move(text);
  return device;
}

Device bound_device(const Device& requested, const std::string& bound) {
  if (requested.kind != Device::Auto) return requested;
  try {
    Device device = device_param(json{{"device", bound}});
    return device.kind == Device::Auto ? requested : device;
  } catch (const ParameterError&) {
    return requested;
  }
}

std::vector<std::int64_t> sizes_param(const json& params, const std::string& name,
                                      const std::vector<std::int64_t>& fallback,
                                      const std::string& count_name, std::int64_t default_count) {
  constexpr std::int64_t kMaxWidth = 1 << 20;
  auto it = params.find(name);
  if (it == params.end()) return fallback;
  if (it->is_array()) {
    std::vector<std::int64_t> sizes;
    for (const auto& v : *it) sizes.push_back(whole_number(name, v, 1, kMaxWidth));
    return sizes;
  }
  const std::int64_t width = whole_number(name, *it, 1, kMaxWidth);
  const std::int64_t count = int_param(params, count_name, default_count, 0, 1000);
  return std::vector<std::int64_t>(static_cast<std::size_t>(count), width);
}

}  // namespace overseer
