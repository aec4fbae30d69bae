#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace overseer {

// Name -> entry table filled by static registration in each plug-in's own file, in the manner
// of XGBoost's objective registry. Entries are looked up by the name a campaign file uses.
template <typename Entry>
class Registry {
 public:
  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  bool add(const std::string& name, Entry entry) {
    return entries_.emplace(name, std::move(entry)).second;
  }

  const Entry* find(const std::string& name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }

  std::string names_joined() const {
    std::string out;
    for (const auto& name : names()) out += (out.empty() ? "" : ", ") + name;
    return out;
  }

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace overseer
