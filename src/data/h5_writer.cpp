#include <algorithm>
#include <string>
#include <system_error>
#include <vector>

#include "overseer/core/error.hpp"
#include "overseer/data/h5_file.hpp"
#include "overseer/data/h5_support.hpp"

namespace overseer::data {
namespace {

using h5::Handle;

constexpr hsize_t kResponseChunk = 1 << 16;
constexpr hsize_t kFeatureChunkValues = 1 << 16;

// Property lists shared by every object: no modification times, so that converting the same
// input twice gives identical bytes (data/nci60.h5 is under version control).
Handle untimed(hid_t list_class) {
  Handle list(H5Pcreate(list_class), H5Pclose);
  H5Pset_obj_track_times(list.get(), false);
  return list;
}

}  // namespace

struct H5Writer::State {
  std::filesystem::path path;
  std::filesystem::path partial;
  std::size_t pairs = 0;
  std::size_t written = 0;
  bool with_original_part = false;
  bool with_second_drug = false;
  Handle file;
  Handle responses;
  bool closed = false;

  [[noreturn]] void fail(const std::string& object, const std::string& what) const {
    throw InputError(path.string(), object, "cannot write " + what);
  }

  void check(herr_t status, const std::string& object, const std::string& what) const {
    if (status < 0) fail(object, what);
  }

  Handle group(hid_t parent, const char* name, const std::string& object) {
    Handle gcpl = untimed(H5P_GROUP_CREATE);
    Handle g(H5Gcreate2(parent, name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose);
    if (!g.valid()) fail(object, "the group");
    return g;
  }

  // Chunked and compressed when every dimension is non-empty (HDF5 rejects empty chunks).
  Handle dataset(hid_t parent, const char* name, hid_t type, const std::vector<hsize_t>& dims,
                 const std::vector<hsize_t>& chunk, const std::string& object) {
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    Handle dcpl = untimed(H5P_DATASET_CREATE);
    const bool empty = std::any_of(dims.begin(), dims.end(), [](hsize_t d) { return d == 0; });
    if (!empty && !chunk.empty()) {
      H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
      H5Pset_shuffle(dcpl.get());
      H5Pset_deflate(dcpl.get(), 4);
    }
    Handle d(H5Dcreate2(parent, name, type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
             H5Dclose);
    if (!d.valid()) fail(object, "the dataset");
    return d;
  }

  void strings(hid_t parent, const char* name, const std::vector<std::string>& values,
               const std::string& object) {
    Handle type = h5::string_type();
    Handle d = dataset(parent, name, type.get(), {values.size()}, {}, object);
    if (values.empty()) return;
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const auto& v : values) pointers.push_back(v.c_str());
    check(H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), object,
          "the strings");
  }

  void string_attribute(hid_t object_id, const char* name, const std::string& value) {
    Handle type = h5::string_type();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(H5Acreate2(object_id, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
             H5Aclose);
    const char* text = value.c_str();
    check(a.valid() ? H5Awrite(a.get(), type.get(), &text) : -1, std::string("@") + name,
          "the attribute");
  }

  void int_attribute(hid_t object_id, const char* name, int value) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(H5Acreate2(object_id, name, H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
             H5Aclose);
    check(a.valid() ? H5Awrite(a.get(), H5T_NATIVE_INT, &value) : -1, std::string("@") + name,
          "the attribute");
  }

  void table(const char* name, const FeatureTable& t) {
    const std::string base = std::string("/") + name;
    Handle g = group(file.get(), name, base);
    strings(g.get(), "ids", t.ids, base + "/ids");
    strings(g.get(), "columns", t.columns, base + "/columns");
    const hsize_t rows = t.rows(), cols = t.cols();
    const hsize_t chunk_cols = std::min<hsize_t>(std::max<hsize_t>(cols, 1), kFeatureChunkValues);
    const hsize_t chunk_rows =
        std::clamp<hsize_t>(kFeatureChunkValues / chunk_cols, 1, std::max<hsize_t>(rows, 1));
    Handle d = dataset(g.get(), "features", H5T_IEEE_F32LE, {rows, cols}, {chunk_rows, chunk_cols},
                       base + "/features");
    if (!t.values.empty()) {
      check(H5Dwrite(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.values.data()),
            base + "/features", "the features");
    }
    int_attribute(g.get(), "binary", t.binary ? 1 : 0);
  }

  struct Column {
    const char* name;
    hid_t file_type;
    hid_t memory_type;
  };

  std::vector<Column> columns() const {
    std::vector<Column> out = {{"cell", H5T_STD_U32LE, H5T_NATIVE_UINT32},
                               {"drug", H5T_STD_U32LE, H5T_NATIVE_UINT32},
                               {"y", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT},
                               {"study", H5T_STD_U16LE, H5T_NATIVE_UINT16}};
    if (with_original_part) out.push_back({"original_part", H5T_STD_I8LE, H5T_NATIVE_INT8});
    if (with_second_drug) out.push_back({"drug2", H5T_STD_U32LE, H5T_NATIVE_UINT32});
    return out;
  }

  static const void* column_data(const Responses& r, const std::string& name) {
    if (name == "cell") return r.cell.data();
    if (name == "drug") return r.drug.data();
    if (name == "y") return r.y.data();
    if (name == "study") return r.study.data();
    if (name == "drug2") return r.drug2.data();
    return r.original_part.data();
  }
};

H5Writer::H5Writer(const std::filesystem::path& path, const Dataset& tables, std::size_t pairs,
                   ResponseColumns optional)
    : state_(std::make_unique<State>()) {
  h5::silence_errors();
  State& s = *state_;
  s.path = path;
  s.partial = path;
  s.partial += ".partial";
  s.pairs = pairs;
  s.with_original_part = optional.original_part;
  s.with_second_drug = optional.second_drug;
  s.file = Handle(H5Fcreate(s.partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (!s.file.valid()) s.fail("", "the file (is its directory missing or read-only?)");

  s.string_attribute(s.file.get(), "format", h5::kFormatName);
  s.int_attribute(s.file.get(), "version", h5::kFormatVersion);
  s.string_attribute(s.file.get(), "provenance", tables.provenance);
  s.table("cells", tables.cells);
  s.table("drugs", tables.drugs);
  s.strings(s.file.get(), "studies", tables.studies, "/studies");
  if (!tables.row_lists.empty()) {
    Handle lists = s.group(s.file.get(), "row_lists", "/row_lists");
    for (const auto& [name, rows] : tables.row_lists) {
      const std::string object = "/row_lists/" + name;
      Handle d = s.dataset(lists.get(), name.c_str(), H5T_STD_U32LE, {rows.size()},
                           {std::clamp<hsize_t>(rows.size(), 1, kResponseChunk)}, object);
      if (!rows.empty()) {
        s.check(H5Dwrite(d.get(), H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()),
                object, "the rows");
      }
    }
  }

  s.responses = s.group(s.file.get(), "responses", "/responses");
  const hsize_t chunk = std::min<hsize_t>(std::max<hsize_t>(pairs, 1), kResponseChunk);
  for (const auto& column : s.columns()) {
    s.dataset(s.responses.get(), column.name, column.file_type, {pairs}, {chunk},
              std::string("/responses/") + column.name);
  }
}

H5Writer::~H5Writer() {
  if (state_->closed) return;
  state_->responses = Handle();
  state_->file = Handle();
  std::error_code ignored;
  std::filesystem::remove(state_->partial, ignored);
}

void H5Writer::append(const Responses& chunk) {
  State& s = *state_;
  h5::silence_errors();
  const hsize_t count = chunk.size();
  if (s.written + count > s.pairs) {
    throw std::logic_error("H5Writer: more responses appended than announced");
  }
  if (count == 0) return;
  if (s.with_original_part && chunk.original_part.size() != chunk.size()) {
    throw std::logic_error("H5Writer: responses without their original part");
  }
  if (s.with_second_drug && chunk.drug2.size() != chunk.size()) {
    throw std::logic_error("H5Writer: responses without their second drug");
  }
  const hsize_t offset = s.written;
  Handle memory(H5Screate_simple(1, &count, nullptr), H5Sclose);
  for (const auto& column : s.columns()) {
    const std::string object = std::string("/responses/") + column.name;
    Handle d(H5Dopen2(s.responses.get(), column.name, H5P_DEFAULT), H5Dclose);
    Handle space(H5Dget_space(d.get()), H5Sclose);
    H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &offset, nullptr, &count, nullptr);
    s.check(H5Dwrite(d.get(), column.memory_type, memory.get(), space.get(), H5P_DEFAULT,
                     State::column_data(chunk, column.name)),
            object, "the responses");
  }
  s.written += count;
}

void H5Writer::close() {
  State& s = *state_;
  if (s.written != s.pairs) {
    throw std::logic_error("H5Writer: " + std::to_string(s.written) + " responses written of " +
                           std::to_string(s.pairs));
  }
  s.responses = Handle();
  s.check(H5Fflush(s.file.get(), H5F_SCOPE_GLOBAL), "", "the file");
  s.file = Handle();
  std::error_code error;
  std::filesystem::rename(s.partial, s.path, error);
  if (error) s.fail("", "the file: " + error.message());
  s.closed = true;
}

void write_h5(const Dataset& dataset, const std::filesystem::path& path) {
  H5Writer writer(path, dataset, dataset.responses.size(),
                  {!dataset.responses.original_part.empty(), dataset.responses.has_pairs()});
  writer.append(dataset.responses);
  writer.close();
}

}  // namespace overseer::data
