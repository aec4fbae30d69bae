#pragma once

// A thin owner of XGBoost C-API handles: every call is checked, and a failure becomes an
// exception carrying XGBoost's own message.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "overseer/data/joined_view.hpp"

namespace overseer::xgb {

class Matrix {
 public:
  // Entries not stored in `rows` are missing to XGBoost: 0/1 features (mutations,
  // fingerprints) go in without a dense copy, and training and prediction both take this form
  // so they treat absent values alike.
  Matrix(const data::CsrRows& rows, const std::vector<float>& labels);
  // Per-row weights of the training objective, one per row.
  void set_weights(const std::vector<float>& weights);
  ~Matrix();
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;
  void* handle() const { return handle_; }

 private:
  void* handle_ = nullptr;
};

class Booster {
 public:
  // `cache` lists the matrices the booster will train on or evaluate.
  explicit Booster(const std::vector<const Matrix*>& cache);
  ~Booster();
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;

  void set(const std::string& name, const std::string& value);
  void update(int iteration, const Matrix& train);
  std::vector<float> predict(const Matrix& rows) const;
  // The model as XGBoost's JSON (the format python xgboost loads with load_model).
  // The format follows the extension: .json, or .ubj (binary, every float exact).
  void save(const std::string& path) const;
  void load(const std::string& path);

 private:
  void* handle_ = nullptr;
};

// Whether the library was built with CUDA or HIP, i.e. can run gpu_hist.
bool built_with_gpu();

// "1.7.4": the library's version, which differs from its file name in Debian's package.
std::string version();

}  // namespace overseer::xgb
