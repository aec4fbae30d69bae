#include "html_checks.hpp"

#include <regex>

namespace overseer::test {

std::vector<std::string> section_ids(const std::string& html) {
  std::vector<std::string> ids;
  const std::regex section("<section id=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), section);
       it != std::sregex_iterator(); ++it) {
    ids.push_back((*it)[1]);
  }
  return ids;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

}  // namespace overseer::test
