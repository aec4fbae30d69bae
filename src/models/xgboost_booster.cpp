#include "xgboost_booster.hpp"

#include <xgboost/c_api.h>

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace overseer::xgb {
namespace {

void check(int code, const char* what) {
  if (code != 0)
    throw std::runtime_error(std::string("xgboost: ") + what + ": " + XGBGetLastError());
}

}  // namespace

Matrix::Matrix(const data::CsrRows& rows, const std::vector<float>& labels) {
  DMatrixHandle handle = nullptr;
  check(XGDMatrixCreateFromCSREx(rows.indptr.data(), rows.indices.data(), rows.values.data(),
                                 rows.indptr.size(), rows.values.size(), rows.columns, &handle),
        "cannot build a DMatrix");
  handle_ = handle;
  if (!labels.empty()) {
    check(XGDMatrixSetFloatInfo(handle, "label", labels.data(), labels.size()),
          "cannot set labels");
  }
}

void Matrix::set_weights(const std::vector<float>& weights) {
  check(XGDMatrixSetFloatInfo(handle_, "weight", weights.data(), weights.size()),
        "cannot set weights");
}

Matrix::~Matrix() {
  if (handle_ != nullptr) XGDMatrixFree(handle_);
}

Booster::Booster(const std::vector<const Matrix*>& cache) {
  std::vector<DMatrixHandle> handles;
  for (const Matrix* m : cache) handles.push_back(m->handle());
  BoosterHandle handle = nullptr;
  check(XGBoosterCreate(handles.data(), handles.size(), &handle), "cannot create a booster");
  handle_ = handle;
}

Booster::~Booster() {
  if (handle_ != nullptr) XGBoosterFree(handle_);
}

void Booster::set(const std::string& name, const std::string& value) {
  check(XGBoosterSetParam(handle_, name.c_str(), value.c_str()), ("parameter " + name).c_str());
}

void Booster::update(int iteration, const Matrix& train) {
  check(XGBoosterUpdateOneIter(handle_, iteration, train.handle()), "training failed");
}

std::vector<float> Booster::predict(const Matrix& rows) const {
  bst_ulong length = 0;
  const float* values = nullptr;
  check(XGBoosterPredict(handle_, rows.handle(), 0, 0, 0, &length, &values), "prediction failed");
  return std::vector<float>(values, values + length);
}

void Booster::save(const std::string& path) const {
  check(XGBoosterSaveModel(handle_, path.c_str()), ("cannot save " + path).c_str());
}

void Booster::load(const std::string& path) {
  check(XGBoosterLoadModel(handle_, path.c_str()), ("cannot load " + path).c_str());
}

bool built_with_gpu() {
  const char* info = nullptr;
  check(XGBuildInfo(&info), "cannot read the build information");
  const auto flags = nlohmann::json::parse(info);
  return flags.value("USE_CUDA", false) || flags.value("USE_HIP", false);
}

std::string version() {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

}  // namespace overseer::xgb
