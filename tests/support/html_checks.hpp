#pragma once

// Reading back the HTML reports in tests.

#include <cstddef>
#include <string>
#include <vector>

namespace overseer::test {

// The ids of the page's <section> elements, in order.
std::vector<std::string> section_ids(const std::string& html);
// How often `what` occurs in `text`, overlapping occurrences included.
std::size_t occurrences(const std::string& text, const std::string& what);

}  // namespace overseer::test
