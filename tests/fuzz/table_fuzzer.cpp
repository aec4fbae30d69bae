// A delimited table as the importers read one (data/text_input.cpp): CSV or TSV, plain or gzip,
// with a header; every field as a number; and each field written back as results.csv writes
// text (core/csv.cpp), which the reader must split back into that one field.
#include <vector>

#include "fuzz_input.hpp"
#include "overseer/core/csv.hpp"
#include "overseer/data/text_input.hpp"

using namespace overseer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = fuzz::write_input("table.csv", data, size);
  std::vector<std::string> read;  // the header's fields and those of every row accepted
  fuzz::unless_rejected([&] {
    data::HeaderedReader in(file);
    read = in.header();
    std::vector<std::string> fields;
    while (in.next(fields)) read.insert(read.end(), fields.begin(), fields.end());
    return read.size();
  });
  const data::TextReader reader(file);  // what messages name
  std::vector<std::string> back;
  for (const auto& field : read) {
    fuzz::unless_rejected([&] { return data::parse_number(field, reader, "column"); });
    const std::string written = csv_field(field);
    const bool split = fuzz::unless_rejected([&] {
                         data::split_fields(written, ',', reader, back);
                         return true;
                       }).has_value();
    if (!split || back != std::vector<std::string>{field}) {
      fuzz::property_failed("the CSV field " + written + " does not read back as one field");
    }
  }
  return 0;
}
