#pragma once

#include <string>

namespace overseer {

// `text` as one CSV field (RFC 4180): quoted, with quotes doubled, only when it holds a comma,
// a quote or a line break, so that ids from user data cannot shift the columns.
std::string csv_field(const std::string& text);

// A number as a CSV field: the shortest text that reads back as the same double, and an empty
// field for NaN and infinities (as pandas reads a missing value).
std::string csv_number(double value);

}  // namespace overseer
