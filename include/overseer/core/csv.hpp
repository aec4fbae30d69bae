#pragma once

#include <string>

namespace overseer {

// `text` as one CSV field (RFC 4180): quoted, with quotes doubled, only when it holds a comma,
// a quote or a line break, so that ids from user data cannot shift the columns.
std::string csv_field(const std::string& text);

}  // namespace overseer
