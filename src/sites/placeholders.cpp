#include "overseer/sites/placeholders.hpp"

#include <cctype>
#include <cstdlib>
#include <functional>

namespace overseer::sites {
namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Calls `found(start, end, name)` for each {name}: start at '{', end one past '}'.
void scan(const std::string& text,
          const std::function<void(std::size_t, std::size_t, const std::string&)>& found) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{' || (i > 0 && text[i - 1] == '$')) continue;
    std::size_t j = i + 1;
    while (j < text.size() && name_char(text[j])) ++j;
    if (j < text.size() && text[j] == '}' && j > i + 1) {
      found(i, j + 1, text.substr(i + 1, j - i - 1));
      i = j;
    }
  }
}

}  // namespace

std::vector<std::string> placeholders(const std::string& text) {
  std::vector<std::string> names;
  scan(text, [&](std::size_t, std::size_t, const std::string& name) { names.push_back(name); });
  return names;
}

std::string expand(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  std::size_t copied = 0;
  scan(text, [&](std::size_t start, std::size_t end, const std::string& name) {
    auto it = values.find(name);
    if (it == values.end()) return;
    out.append(text, copied, start - copied);
    out += it->second;
    copied = end;
  });
  out.append(text, copied, std::string::npos);
  return out;
}

std::string expand_environment(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const bool braced = text[i + 1] == '{';
    std::size_t j = i + (braced ? 2 : 1);
    const std::size_t start = j;
    while (j < text.size() && name_char(text[j])) ++j;
    if (j == start || (braced && (j == text.size() || text[j] != '}'))) {
      out += text[i];
      continue;
    }
    const char* value = std::getenv(text.substr(start, j - start).c_str());
    if (value != nullptr) out += value;
    i = braced ? j : j - 1;
  }
  return out;
}

std::string shell_quote(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789_-./:=,+@%") == std::string::npos;
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace overseer::sites
