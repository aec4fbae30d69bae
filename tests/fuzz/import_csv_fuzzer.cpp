// `overseer data import csv`: the input holds the cell table, the drug table and the responses,
// in that order, separated by form feeds; the responses are read once as one study and once by
// a "study" column.
#include <string_view>

#include "fuzz_input.hpp"
#include "overseer/data/importers.hpp"

using namespace overseer;

namespace {

// The part of `text` before the next form feed, which `text` then starts after.
std::string_view next_part(std::string_view& text) {
  const auto end = text.find('\f');
  const std::string_view part = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  return part;
}

std::filesystem::path write_part(const std::string& name, std::string_view part) {
  return fuzz::write_input(name, reinterpret_cast<const std::uint8_t*>(part.data()), part.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  data::CsvOptions options;
  options.cell_features = write_part("cells.csv", next_part(text));
  options.drug_features = write_part("drugs.csv", next_part(text));
  options.responses = write_part("responses.csv", text);
  fuzz::unless_rejected([&] { return data::import_csv(options).responses.size(); });
  options.study_column = "study";
  fuzz::unless_rejected([&] { return data::import_csv(options).studies.size(); });
  return 0;
}
