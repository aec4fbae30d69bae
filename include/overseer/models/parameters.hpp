#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "overseer/core/json_view.hpp"

namespace overseer {

// A hyperparameter a model cannot use: missing, of the wrong type, or out of its range.
class ParameterError : public std::invalid_argument {
 public:
  ParameterError(std::string parameter, const std::string& message)
      : std::invalid_argument(message), parameter_(std::move(parameter)) {}
  const std::string& parameter() const { return parameter_; }

 private:
  std::string parameter_;
};

// Readers for a model's merged parameters. Each throws ParameterError naming the parameter when
// it is of the wrong type or out of range; those with a fallback return it when it is absent.

// A required number.
double number_param(const json& params, const std::string& name);
double number_param(const json& params, const std::string& name, double fallback, double lower,
                    double upper);
// A whole number (a float with no fraction is accepted: search spaces often produce 64.0).
std::int64_t int_param(const json& params, const std::string& name, std::int64_t fallback,
                       std::int64_t lower, std::int64_t upper);
// One of `allowed`.
std::string choice_param(const json& params, const std::string& name, const std::string& fallback,
                         const std::vector<std::string>& allowed);
bool bool_param(const json& params, const std::string& name, bool fallback);

// Where a model runs (`device`, default "auto").
struct Device {
  enum Kind { Auto, Cpu, Cuda, Rocm } kind = Auto;
  int index = 0;  // which GPU for Cuda and Rocm
  std::string text;
};
// `device`: auto, cpu, cuda, cuda:N, rocm or rocm:N.
Device device_param(const json& params);
// The device to use: `requested` unless it is auto and the worker was bound to a GPU or to the
// CPU (`bound` is RunContext::device); a bound device the models do not know (xpu) leaves auto.
Device bound_device(const Device& requested, const std::string& bound);
// Layer sizes: a list of whole numbers, or one number repeated `count_name` times (default
// `default_count`), which lets a search vary width and depth as two scalars.
std::vector<std::int64_t> sizes_param(const json& params, const std::string& name,
                                      const std::vector<std::int64_t>& fallback,
                                      const std::string& count_name, std::int64_t default_count);

}  // namespace overseer
