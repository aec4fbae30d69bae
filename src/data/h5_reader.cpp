#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "overseer/core/error.hpp"
#include "overseer/core/input_file.hpp"
#include "overseer/data/h5_file.hpp"
#include "overseer/data/h5_support.hpp"

namespace overseer::data {
namespace {

using h5::Handle;

class Reader {
 public:
  explicit Reader(const std::filesystem::path& path) : path_(path.string()) {
    h5::silence_errors();
    if (const std::string problem = file_problem(path); !problem.empty()) fail("", problem);
    if (H5Fis_hdf5(path_.c_str()) <= 0) fail("", "not an HDF5 file");
    file_ = Handle(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file_.valid()) fail("", "cannot open the HDF5 file");
  }

  [[noreturn]] void fail(const std::string& object, const std::string& message) const {
    throw InputError(path_, object, message);
  }

  void check_format() const {
    if (!has_attribute("format") || string_attribute("format") != h5::kFormatName) {
      fail("", std::string("not an Overseer dataset: the root has no attribute format=\"") +
                   h5::kFormatName + "\"");
    }
    const int version = int_attribute("version");
    if (version < 1 || version > h5::kFormatVersion) {
      fail("/@version", "format version " + std::to_string(version) + " is not supported (this " +
                            "build reads version " + std::to_string(h5::kFormatVersion) + ")");
    }
  }

  std::string string_attribute(const char* name) const {
    const std::string object = std::string("/@") + name;
    Handle a(H5Aopen(file_.get(), name, H5P_DEFAULT), H5Aclose);
    if (!a.valid()) fail(object, "missing attribute");
    Handle type(H5Aget_type(a.get()), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_STRING) fail(object, "expected a string attribute");
    if (H5Tis_variable_str(type.get()) > 0) {
      Handle memory = h5::string_type();
      char* text = nullptr;
      if (H5Aread(a.get(), memory.get(), &text) < 0) fail(object, "cannot read the attribute");
      std::string value = text ? text : "";
      H5free_memory(text);
      return value;
    }
    std::string value(H5Tget_size(type.get()), '\0');
    if (H5Aread(a.get(), type.get(), value.data()) < 0) fail(object, "cannot read the attribute");
    return value.substr(0, std::strlen(value.c_str()));
  }

  bool has_attribute(const char* name) const { return H5Aexists(file_.get(), name) > 0; }

  int int_attribute(const char* name) const {
    const std::string object = std::string("/@") + name;
    Handle a(H5Aopen(file_.get(), name, H5P_DEFAULT), H5Aclose);
    if (!a.valid()) fail(object, "missing attribute");
    int value = 0;
    if (H5Aread(a.get(), H5T_NATIVE_INT, &value) < 0) fail(object, "expected an integer");
    return value;
  }

  // Opens a dataset and checks its rank; returns its dimensions through `dims`.
  Handle open(const std::string& name, int rank, std::vector<hsize_t>& dims) const {
    if (!has_path(name)) fail(name, "missing dataset");
    Handle d(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d.valid()) fail(name, "not a dataset");
    Handle space(H5Dget_space(d.get()), H5Sclose);
    const int actual = H5Sget_simple_extent_ndims(space.get());
    if (actual != rank) {
      fail(name,
           "expected " + std::to_string(rank) + " dimension(s), found " + std::to_string(actual));
    }
    dims.assign(static_cast<std::size_t>(rank), 0);
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return d;
  }

  template <typename T>
  std::vector<T> numbers(const std::string& name, hid_t memory_type, H5T_class_t expected,
                         std::vector<hsize_t>& dims, int rank) const {
    Handle d = open(name, rank, dims);
    Handle type(H5Dget_type(d.get()), H5Tclose);
    if (H5Tget_class(type.get()) != expected) {
      fail(name, expected == H5T_FLOAT ? "expected floating-point numbers" : "expected integers");
    }
    std::size_t count = 1;
    for (hsize_t dim : dims) count *= dim;
    std::vector<T> values(count);
    if (count > 0 &&
        H5Dread(d.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
      fail(name, "cannot read the values (out of range for their type?)");
    }
    return values;
  }

  template <typename T>
  std::vector<T> column(const std::string& name, hid_t memory_type, H5T_class_t expected,
                        std::size_t length) const {
    std::vector<hsize_t> dims;
    auto values = numbers<T>(name, memory_type, expected, dims, 1);
    if (dims[0] != length) {
      fail(name, "has " + std::to_string(dims[0]) + " rows, but /responses/y has " +
                     std::to_string(length));
    }
    return values;
  }

  // Variable-length strings as written here and by h5py, or fixed-length ones from numpy.
  std::vector<std::string> strings(const std::string& name) const {
    std::vector<hsize_t> dims;
    Handle d = open(name, 1, dims);
    Handle type(H5Dget_type(d.get()), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_STRING) fail(name, "expected strings");
    const std::size_t count = dims[0];
    std::vector<std::string> out;
    out.reserve(count);
    if (count == 0) return out;
    if (H5Tis_variable_str(type.get()) > 0) {
      Handle memory = h5::string_type();
      std::vector<char*> texts(count, nullptr);
      if (H5Dread(d.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, texts.data()) < 0) {
        fail(name, "cannot read the strings");
      }
      for (char* text : texts) out.emplace_back(text ? text : "");
      Handle space(H5Dget_space(d.get()), H5Sclose);
      H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, texts.data());
      return out;
    }
    const std::size_t width = H5Tget_size(type.get());
    std::vector<char> buffer(count * width);
    if (H5Dread(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0) {
      fail(name, "cannot read the strings");
    }
    for (std::size_t i = 0; i < count; ++i) {
      const char* text = buffer.data() + i * width;
      out.emplace_back(text, strnlen(text, width));
    }
    return out;
  }

  FeatureTable table(const std::string& group) const {
    FeatureTable t;
    t.ids = strings(group + "/ids");
    t.columns = strings(group + "/columns");
    std::vector<hsize_t> dims;
    const std::string name = group + "/features";
    t.values = numbers<float>(name, H5T_NATIVE_FLOAT, H5T_FLOAT, dims, 2);
    if (dims[0] != t.ids.size() || dims[1] != t.columns.size()) {
      fail(name, "shape " + std::to_string(dims[0]) + " x " + std::to_string(dims[1]) +
                     " does not match " + std::to_string(t.ids.size()) + " ids x " +
                     std::to_string(t.columns.size()) + " columns");
    }
    for (std::size_t i = 0; i < t.values.size(); ++i) {
      if (!std::isfinite(t.values[i])) {
        const std::size_t row = i / t.cols();
        fail(name, "row " + std::to_string(row) + " (\"" + t.ids[row] + "\"), column \"" +
                       t.columns[i % t.cols()] + "\": not a finite number");
      }
    }
    t.mark_binary();
    return t;
  }

  bool has_combinations() const { return has_path("/responses/drug2"); }

  // The names under /row_lists, sorted (HDF5's name index).
  std::vector<std::string> row_list_names() const {
    std::vector<std::string> out;
    if (!has_path("/row_lists")) return out;
    Handle group(H5Gopen2(file_.get(), "/row_lists", H5P_DEFAULT), H5Gclose);
    H5G_info_t info{};
    if (!group.valid() || H5Gget_info(group.get(), &info) < 0) fail("/row_lists", "not a group");
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      const ssize_t size = H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i,
                                              nullptr, 0, H5P_DEFAULT);
      std::string name(static_cast<std::size_t>(std::max<ssize_t>(size, 0)), '\0');
      H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                         name.size() + 1, H5P_DEFAULT);
      out.push_back(std::move(name));
    }
    return out;
  }

  // Every list under /row_lists, each checked to be ascending rows of the responses.
  std::map<std::string, std::vector<std::uint32_t>> row_lists(std::size_t responses) const {
    std::map<std::string, std::vector<std::uint32_t>> out;
    for (const auto& name : row_list_names()) {
      const std::string object = "/row_lists/" + name;
      std::vector<hsize_t> dims;
      auto rows = numbers<std::uint32_t>(object, H5T_NATIVE_UINT32, H5T_INTEGER, dims, 1);
      for (std::size_t k = 0; k < rows.size(); ++k) {
        check_index(object.c_str(), k, rows[k], responses, "responses");
        if (k > 0 && rows[k] <= rows[k - 1]) {
          fail(object, "row " + std::to_string(k) + ": not ascending");
        }
      }
      out.emplace(name, std::move(rows));
    }
    return out;
  }

  Responses responses(const Dataset& d) const {
    Responses r;
    std::vector<hsize_t> dims;
    r.y = numbers<float>("/responses/y", H5T_NATIVE_FLOAT, H5T_FLOAT, dims, 1);
    const std::size_t n = r.y.size();
    r.cell = column<std::uint32_t>("/responses/cell", H5T_NATIVE_UINT32, H5T_INTEGER, n);
    r.drug = column<std::uint32_t>("/responses/drug", H5T_NATIVE_UINT32, H5T_INTEGER, n);
    r.study = column<std::uint16_t>("/responses/study", H5T_NATIVE_UINT16, H5T_INTEGER, n);
    if (has_path("/responses/original_part")) {
      r.original_part =
          column<std::int8_t>("/responses/original_part", H5T_NATIVE_INT8, H5T_INTEGER, n);
    }
    if (has_path("/responses/drug2")) {
      r.drug2 = column<std::uint32_t>("/responses/drug2", H5T_NATIVE_UINT32, H5T_INTEGER, n);
    }
    for (std::size_t i = 0; i < n; ++i) {
      check_index("/responses/cell", i, r.cell[i], d.cells.rows(), "cells");
      check_index("/responses/drug", i, r.drug[i], d.drugs.rows(), "drugs");
      check_index("/responses/study", i, r.study[i], d.studies.size(), "studies");
      if (r.has_pairs() && r.drug2[i] != kNoSecondDrug) {
        check_index("/responses/drug2", i, r.drug2[i], d.drugs.rows(), "drugs");
      }
      if (!std::isfinite(r.y[i])) {
        fail("/responses/y", "row " + std::to_string(i) + ": not a finite number");
      }
      if (!r.original_part.empty() && (r.original_part[i] < kNoPart || r.original_part[i] > 2)) {
        fail("/responses/original_part",
             "row " + std::to_string(i) + ": expected -1 (none), 0 (train), 1 (val) or 2 (test)");
      }
    }
    return r;
  }

 private:
  bool has_path(const std::string& name) const {
    // H5Lexists fails rather than returning false when an intermediate group is missing.
    std::size_t slash = 0;
    while ((slash = name.find('/', slash + 1)) != std::string::npos) {
      if (H5Lexists(file_.get(), name.substr(0, slash).c_str(), H5P_DEFAULT) <= 0) return false;
    }
    return H5Lexists(file_.get(), name.c_str(), H5P_DEFAULT) > 0;
  }

  void check_index(const char* name, std::size_t row, std::size_t index, std::size_t size,
                   const char* what) const {
    if (index >= size) {
      fail(name, "row " + std::to_string(row) + ": index " + std::to_string(index) +
                     " is outside the " + std::to_string(size) + " " + what);
    }
  }

  std::string path_;
  Handle file_;
};

}  // namespace

Dataset read_h5(const std::filesystem::path& path) {
  Reader reader(path);
  reader.check_format();
  Dataset d;
  if (reader.has_attribute("provenance")) d.provenance = reader.string_attribute("provenance");
  d.cells = reader.table("/cells");
  d.drugs = reader.table("/drugs");
  d.studies = reader.strings("/studies");
  if (d.studies.size() > std::numeric_limits<std::uint16_t>::max()) {
    reader.fail("/studies", "more than 65535 studies");
  }
  d.responses = reader.responses(d);
  d.row_lists = reader.row_lists(d.responses.size());
  return d;
}

std::vector<std::string> read_h5_studies(const std::filesystem::path& path) {
  Reader reader(path);
  reader.check_format();
  return reader.strings("/studies");
}

std::vector<std::string> read_h5_row_list_names(const std::filesystem::path& path) {
  Reader reader(path);
  reader.check_format();
  return reader.row_list_names();
}

bool read_h5_has_combinations(const std::filesystem::path& path) {
  Reader reader(path);
  reader.check_format();
  return reader.has_combinations();
}

}  // namespace overseer::data
