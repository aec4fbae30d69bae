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
// features, then drug features, then, when the responses hold drug combinations, the second
// drug's features (zeros for a drug alone). The view refers to the tables and labels it was
// built from, which must outlive it.
class JoinedView {
 public:
  JoinedView(const FeatureTable& cells, const FeatureTable& drugs, const Responses& responses,
             const std::vector<float>& labels);

  std::size_t size() const { return responses_->size(); }
  std::size_t cell_width() const { return cells_->cols(); }
  std::size_t drug_width() const { return drugs_->cols(); }
  // The second drug's block: drug_width() when the responses hold combinations, else 0.
  std::size_t second_drug_width() const { return responses_->has_pairs() ? drug_width() : 0; }
  std::size_t width() const { return cell_width() + drug_width() + second_drug_width(); }
  // The feature tables and the rows of them that response row `r` joins: a two-tower model
  // can read each distinct cell and drug of a minibatch once.
  const FeatureTable& cells() const { return *cells_; }
  const FeatureTable& drugs() const { return *drugs_; }
  std::uint32_t cell_of(std::size_t r) const { return responses_->cell[r]; }
  std::uint32_t drug_of(std::size_t r) const { return responses_->drug[r]; }
  // kNoSecondDrug for a drug alone.
  std::uint32_t second_drug_of(std::size_t r) const { return responses_->second_drug(r); }

  // For the k-th of `count` response rows: its cell features at cell_out + k * cell_width(),
  // its drug features at drug_out + k * drug_width() and its label at y_out[k]. Any output may
  // be null. This is how a two-tower model (Uno) fills a minibatch.
  void gather(const std::size_t* rows, std::size_t count, float* cell_out, float* drug_out,
              float* y_out) const;
  // Their second drugs' features, drug_width() floats each (zeros for a drug alone).
  void gather_second_drug(const std::size_t* rows, std::size_t count, float* out) const;
  // The joined rows, width() floats each, at x_out + k * width().
  void gather_joined(const std::size_t* rows, std::size_t count, float* x_out, float* y_out) const;
  // The joined rows' non-zero values; cheap for binary tables (mutations, fingerprints).
  void gather_csr(const std::size_t* rows, std::size_t count, CsrRows& out, float* y_out) const;

 private:
  // Each output (null: skipped) gets its row every `stride` floats.
  struct Outputs {
    float* cell = nullptr;
    float* drug = nullptr;
    float* second_drug = nullptr;
    std::size_t stride_cell = 0, stride_drug = 0, stride_second_drug = 0;
  };
  void copy_rows(const std::size_t* rows, std::size_t count, const Outputs& out,
                 float* y_out) const;

  const FeatureTable* cells_;
  const FeatureTable* drugs_;
  const Responses* responses_;
  const std::vector<float>* labels_;
};

}  // namespace overseer::data
