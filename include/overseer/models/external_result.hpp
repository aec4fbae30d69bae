#pragma once

#include <cstddef>
#include <filesystem>
#include <istream>
#include <map>
#include <optional>
#include <string>

namespace overseer {

// Reading what an IMPROVE/CANDLE-style external program reports.

// The value on the last line of `log` that holds IMPROVE_RESULT, in either spelling CANDLE
// models print: "IMPROVE_RESULT 0.25" or "IMPROVE_RESULT val_loss:\t0.25". Text after the
// number is ignored, as CANDLE's model.sh ignores it. nullopt when no line holds IMPROVE_RESULT;
// throws std::runtime_error quoting the line when the last such line has no number.
std::optional<double> last_improve_result(std::istream& log);

// The numeric top-level members of a result JSON object such as IMPROVE's val_scores.json.
// Throws std::runtime_error naming the file when it is missing, not JSON or not an object.
std::map<std::string, double> numeric_fields(const std::filesystem::path& file);

// The end of a text file, at most about `max_bytes`, starting at a line; "" when unreadable.
std::string file_tail(const std::filesystem::path& file, std::size_t max_bytes);

}  // namespace overseer
