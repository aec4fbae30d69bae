#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "overseer/data/dataset.hpp"

namespace overseer::data {

// The native file format: one HDF5 file holding the three tables as written by this module and
// readable from h5py (layout in docs/data.md). Failures throw InputError naming the file and,
// for bad content, the HDF5 dataset at fault.
void write_h5(const Dataset& dataset, const std::filesystem::path& path);
Dataset read_h5(const std::filesystem::path& path);
// Only /studies: for checking study names without reading the tables.
std::vector<std::string> read_h5_studies(const std::filesystem::path& path);
// Only the names under /row_lists, sorted: for checking a split that names them.
std::vector<std::string> read_h5_row_list_names(const std::filesystem::path& path);
// Whether the responses hold drug combinations (/responses/drug2), without reading them.
bool read_h5_has_combinations(const std::filesystem::path& path);

// The response columns a file may hold beyond cell, drug, y and study.
struct ResponseColumns {
  bool original_part = false;
  bool second_drug = false;  // drug combinations: /responses/drug2
};

// Writes the feature tables at once and then the responses chunk by chunk, so that a generator
// of millions of pairs never holds them all. The file appears under its name only after a
// successful close(); until then it is written next to it as NAME.partial.
class H5Writer {
 public:
  // `tables` supplies the cells, drugs, studies and provenance; its responses are ignored.
  H5Writer(const std::filesystem::path& path, const Dataset& tables, std::size_t pairs,
           ResponseColumns optional);
  ~H5Writer();
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;

  void append(const Responses& chunk);
  // Fails unless exactly `pairs` rows were appended.
  void close();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace overseer::data
