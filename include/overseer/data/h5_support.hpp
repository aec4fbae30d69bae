#pragma once

// Small RAII layer over the HDF5 C API shared by the reader and the writer of the native
// dataset format (docs/data.md, "HDF5 layout") and by the writer of a run's results.h5.

#include <hdf5.h>

#include <string>
#include <vector>

namespace overseer::data::h5 {

inline constexpr const char* kFormatName = "overseer-drug-response";
inline constexpr int kFormatVersion = 1;

// Owns one HDF5 identifier and closes it with the matching H5?close function.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// HDF5 keeps its error stack per thread and prints it to stderr by default; every entry point
// silences it so that failures reach the user once, as our own message.
void silence_errors();

// A variable-length UTF-8 string type, as h5py writes str arrays.
Handle string_type();

}  // namespace overseer::data::h5
