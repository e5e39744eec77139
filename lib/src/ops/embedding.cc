// embedding: rows of a weight matrix picked by int64 indices (a gather), and
// its backward, which scatters gradient rows back (adding where indices
// repeat). The backward is itself recorded, as a gather of the gradient, so
// second derivatives flow.
#include "ops/op_util.h"

namespace minitorch {

namespace {

// indices as int64 values, checked against [0, rows).
std::vector<int64_t> checked_indices(const Tensor& indices, int64_t rows, const char* op) {
  std::vector<int64_t> out;
  const std::vector<double> values = indices.to_vector();
  out.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const auto v = static_cast<int64_t>(values[i]);
    MT_CHECK(v >= 0 && v < rows, op, ": index ", v, " at position ", i, " is out of range for ",
             rows, " rows");
    out.push_back(v);
  }
  return out;
}

// The flat positions of the rows `indices` picks, row after row.
std::vector<int64_t> row_positions(const Tensor& indices, const Shape& weight_shape,
                                   const char* op) {
  return positions_along(weight_shape, 0, checked_indices(indices, weight_shape[0], op));
}

Tensor gather_rows(const Tensor& weight, const Tensor& indices) {
  Shape shape = indices.shape();
  shape.push_back(weight.size(1));
  return take(weight, row_positions(indices, weight.shape(), "embedding"), shape);
}

Tensor scatter_rows(const Tensor& grad, const Tensor& indices, const Shape& weight_shape) {
  Tensor out = zeros(weight_shape, grad.dtype());
  add_at(out, row_positions(indices, weight_shape, "embedding_backward"), grad);
  return out;
}

// The recorded backward: d weight = scatter(grad); its own gradient is the
// gather of the incoming gradient.
Tensor embedding_backward(const Tensor& grad, const Tensor& indices, const Shape& weight_shape) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = scatter_rows(grad, indices, weight_shape);
  }
  if (should_record({&grad})) {
    record(Op::kEmbeddingBackward, out, {&grad},
           [indices](const Tensor& g, const BackwardContext&) {
             return GradList{embedding(g, indices)};
           });
  }
  return out;
}

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices) {
  check_float(weight, "embedding", "weight");
  MT_CHECK(indices.defined() && indices.dtype() == kInt64,
           "embedding: indices must be an int64 tensor",
           indices.defined() ? absl::StrCat(", got ", dtype_name(indices.dtype()), " of shape ",
                                            indices.shape().to_string())
                             : std::string(" (got an undefined tensor)"));
  MT_CHECK(weight.dim() == 2, "embedding: weight must have shape (num, dim), got ",
           weight.shape().to_string());
  Tensor out = gather_rows(weight, indices);
  if (should_record({&weight})) {
    record(Op::kEmbedding, out, {&weight},
           [indices, shape = weight.shape()](const Tensor& grad, const BackwardContext&) {
             return GradList{embedding_backward(grad, indices, shape)};
           });
  }
  return out;
}

}  // namespace minitorch
