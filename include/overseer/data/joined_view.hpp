#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "overseer/data/dataset.hpp"

namespace overseer::data {

// Rows in compressed sparse row form, as XGBoost (XGDMatrixCreateFromCSREx) and torch sparse
// tensors take them. Only non-zero values are stored.
struct CsrRows {
  std::vector<std::size_t> indptr;     // rows + 1 offsets into indices and values
  std::vector<std::uint32_t> indices;  // column of each value
  std::vector<float> values;
  std::size_t columns = 0;
};

// The join of response rows with their cell and drug features, gathered on demand into
// buffers the caller owns; the joined table itself never exists. Joined column order: cell
// features, then drug features. The view refers to the tables and labels it was built from,
// which must outlive it.
class JoinedView {
 public:
  JoinedView(const FeatureTable& cells, const FeatureTable& drugs, const Responses& responses,
             const std::vector<float>& labels);

  std::size_t size() const { return responses_->size(); }
  std::size_t cell_width() const { return cells_->cols(); }
  std::size_t drug_width() const { return drugs_->cols(); }
  std::size_t width() const { return cell_width() + drug_width(); }
  // The feature tables and the rows of them that response row `r` joins: a two-tower model
  // can read each distinct cell and drug of a minibatch once.
  const FeatureTable& cells() const { return *cells_; }
  const FeatureTable& drugs() const { return *drugs_; }
  std::uint32_t cell_of(std::size_t r) const { return responses_->cell[r]; }
  std::uint32_t drug_of(std::size_t r) const { return responses_->drug[r]; }

  // For the k-th of `count` response rows: its cell features at cell_out + k * cell_width(),
  // its drug features at drug_out + k * drug_width() and its label at y_out[k]. Any output may
  // be null. This is how a two-tower model (Uno) fills a minibatch.
  void gather(const std::size_t* rows, std::size_t count, float* cell_out, float* drug_out,
              float* y_out) const;
  // The joined rows, width() floats each, at x_out + k * width().
  void gather_joined(const std::size_t* rows, std::size_t count, float* x_out, float* y_out) const;
  // The joined rows' non-zero values; cheap for binary tables (mutations, fingerprints).
  void gather_csr(const std::size_t* rows, std::size_t count, CsrRows& out, float* y_out) const;

 private:
  void copy_rows(const std::size_t* rows, std::size_t count, float* cell_out,
                 std::size_t cell_stride, float* drug_out, std::size_t drug_stride,
                 float* y_out) const;

  const FeatureTable* cells_;
  const FeatureTable* drugs_;
  const Responses* responses_;
  const std::vector<float>* labels_;
};

}  // namespace overseer::data
