// A result record in CBOR as a worker sends it to the master (core/result_reader.cpp), which
// reads it event by event; std::invalid_argument is how it rejects bytes that are not one map.
#include <stdexcept>

#include "overseer/core/result_reader.hpp"

using namespace overseer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    read_result(data, size);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
