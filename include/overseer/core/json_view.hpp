#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace overseer {

using json = nlohmann::json;

// Read-only access to a value inside a user's JSON document that remembers where it came from,
// so every type, range or key error is reported with the file name and JSON pointer.
class JsonView {
 public:
  JsonView(const json& value, std::string file, json::json_pointer pointer = json::json_pointer());

  const json& value() const { return *value_; }
  const std::string& file() const { return file_; }
  std::string pointer() const { return pointer_.to_string(); }

  bool has(const std::string& key) const;
  JsonView at(const std::string& key) const;  // required member
  std::optional<JsonView> find(const std::string& key) const;
  JsonView at(std::size_t index) const;
  std::vector<JsonView> elements() const;  // requires an array

  // Rejects members not in `allowed`, suggesting the closest allowed name.
  void only_keys(const std::vector<std::string>& allowed) const;

  void require_object() const;
  std::string string() const;
  double number() const;
  std::int64_t integer() const;
  bool boolean() const;

  std::string string_or(const std::string& key, const std::string& fallback) const;
  double number_or(const std::string& key, double fallback) const;
  std::int64_t integer_or(const std::string& key, std::int64_t fallback) const;
  bool boolean_or(const std::string& key, bool fallback) const;

  [[noreturn]] void fail(const std::string& message) const;

 private:
  const json* value_;
  std::string file_;
  json::json_pointer pointer_;
};

// Parses a JSON file, reporting syntax errors with the file name and byte position.
json read_json_file(const std::filesystem::path& path);

// A short name for a JSON value's type, as used in error messages.
std::string json_type_name(const json& value);

}  // namespace overseer
