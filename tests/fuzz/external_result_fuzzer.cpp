// What an external (IMPROVE/CANDLE-style) program leaves behind, as the command model reads it:
// its log's last IMPROVE_RESULT line, a result JSON file such as val_scores.json, and the tail of
// its log quoted in a failed trial's message. std::runtime_error is how each reports bad output,
// and the trial then fails with that message.
#include <sstream>
#include <stdexcept>

#include "fuzz_input.hpp"
#include "overseer/models/external_result.hpp"

using namespace overseer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream log(text);
  const auto file = fuzz::write_input("val_scores.json", data, size);
  try {
    last_improve_result(log);
  } catch (const std::runtime_error&) {
  }
  try {
    numeric_fields(file);
  } catch (const std::runtime_error&) {
  }
  if (file_tail(file, size / 2 + 1).size() > size)
    fuzz::property_failed("the tail outgrew the file");
  return 0;
}
