#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace overseer {

// Reading what an IMPROVE/CANDLE-style external program reports.

// The value on the last line of `log` that holds IMPROVE_RESULT, in either spelling CANDLE
// models print: "IMPROVE_RESULT 0.25" or "IMPROVE_RESULT val_loss:\t0.25". Text after the
// number is ignored, as CANDLE's model.sh ignores it. nullopt when no line holds IMPROVE_RESULT;
// throws std::runtime_error quoting the line when the last such line has no number.
std::optional<double> last_improve_result(std::istream& log);

// A progress line of an external program: "IMPROVE_PROGRESS epoch=3 val_loss=0.41 lr=0.001"
// (text before the keyword is ignored). The step is `epoch` or `step`, a whole number; the other
// `name=number` pairs are its metrics. nullopt for a line without the keyword, without a step,
// or with a pair that is not name=number.
struct ProgressLine {
  std::int64_t step = 0;
  std::map<std::string, double> metrics;
};
std::optional<ProgressLine> parse_improve_progress(std::string_view line);
// The file that asks a program to stop, in its trial directory: the command model creates it,
// and `overseer train --progress` obeys it as a program would.
inline constexpr const char* kStopFileName = "STOP";
// The line that parse_improve_progress reads back: "IMPROVE_PROGRESS step=3 val_loss=0.41",
// every value with as many digits as it takes to read it back exactly.
std::string format_improve_progress(std::int64_t step,
                                    const std::map<std::string, double>& metrics);

// The numeric top-level members of a result JSON object such as IMPROVE's val_scores.json.
// Throws std::runtime_error naming the file when it is missing, not JSON or not an object.
std::map<std::string, double> numeric_fields(const std::filesystem::path& file);

// The end of a text file, at most about `max_bytes`, starting at a line; "" when unreadable.
std::string file_tail(const std::filesystem::path& file, std::size_t max_bytes);

}  // namespace overseer
