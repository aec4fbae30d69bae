// A small CSV file as an initial population or an earlier run's results.csv is read
// (core/csv.cpp): accepted or rejected with an input error, and every field that results.csv
// writes (csv_field) reads back as that one field, line breaks and quotes included.
#include "fuzz_input.hpp"
#include "overseer/core/csv.hpp"

using namespace overseer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = fuzz::write_input("table.csv", data, size);
  const auto table = fuzz::unless_rejected([&] { return read_csv_table(file); });
  if (!table) return 0;
  std::vector<std::string> fields = table->header;
  for (const auto& row : table->rows)
    fields.insert(fields.end(), row.fields.begin(), row.fields.end());
  for (const auto& field : fields) {
    const std::string written = csv_field(field);
    if (csv_record(written) != std::vector<std::string>{field}) {
      fuzz::property_failed("the CSV field " + written + " does not read back as one field");
    }
  }
  return 0;
}
