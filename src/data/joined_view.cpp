#include "overseer/data/joined_view.hpp"

#include <algorithm>
#include <stdexcept>

namespace overseer::data {

JoinedView::JoinedView(const FeatureTable& cells, const FeatureTable& drugs,
                       const Responses& responses, const std::vector<float>& labels)
    : cells_(&cells), drugs_(&drugs), responses_(&responses), labels_(&labels) {
  if (labels.size() != responses.size()) {
    throw std::invalid_argument("JoinedView: one label per response row expected");
  }
}

void JoinedView::copy_rows(const std::size_t* rows, std::size_t count, const Outputs& out,
                           float* y_out) const {
  const std::size_t cw = cell_width(), dw = drug_width();
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t r = rows[k];
    if (out.cell) std::copy_n(cells_->row(responses_->cell[r]), cw, out.cell + k * out.stride_cell);
    if (out.drug) std::copy_n(drugs_->row(responses_->drug[r]), dw, out.drug + k * out.stride_drug);
    if (out.second_drug) {
      float* to = out.second_drug + k * out.stride_second_drug;
      const std::uint32_t second = responses_->second_drug(r);
      if (second == kNoSecondDrug) {
        std::fill_n(to, dw, 0.0f);
      } else {
        std::copy_n(drugs_->row(second), dw, to);
      }
    }
    if (y_out) y_out[k] = (*labels_)[r];
  }
}

void JoinedView::gather(const std::size_t* rows, std::size_t count, float* cell_out,
                        float* drug_out, float* y_out) const {
  copy_rows(rows, count, {cell_out, drug_out, nullptr, cell_width(), drug_width(), 0}, y_out);
}

void JoinedView::gather_second_drug(const std::size_t* rows, std::size_t count, float* out) const {
  copy_rows(rows, count, {nullptr, nullptr, out, 0, 0, drug_width()}, nullptr);
}

void JoinedView::gather_joined(const std::size_t* rows, std::size_t count, float* x_out,
                               float* y_out) const {
  Outputs out;
  if (x_out) {
    out = {x_out,
           x_out + cell_width(),
           second_drug_width() > 0 ? x_out + cell_width() + drug_width() : nullptr,
           width(),
           width(),
           width()};
  }
  copy_rows(rows, count, out, y_out);
}

void JoinedView::gather_csr(const std::size_t* rows, std::size_t count, CsrRows& out,
                            float* y_out) const {
  out.columns = width();
  out.indptr.assign(1, 0);
  out.indices.clear();
  out.values.clear();
  auto append = [&out](const float* row, std::size_t n, std::size_t offset) {
    for (std::size_t j = 0; j < n; ++j) {
      if (row[j] != 0.0f) {
        out.indices.push_back(static_cast<std::uint32_t>(offset + j));
        out.values.push_back(row[j]);
      }
    }
  };
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t r = rows[k];
    append(cells_->row(responses_->cell[r]), cell_width(), 0);
    append(drugs_->row(responses_->drug[r]), drug_width(), cell_width());
    if (const std::uint32_t second = responses_->second_drug(r); second != kNoSecondDrug) {
      append(drugs_->row(second), drug_width(), cell_width() + drug_width());
    }
    out.indptr.push_back(out.indices.size());
    if (y_out) y_out[k] = (*labels_)[r];
  }
}

}  // namespace overseer::data
