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

Tensor scatter_rows(const Tensor& grad, const Tensor& indices, const Shape& weight_shape);

Tensor gather_rows(const Tensor& weight_in, const Tensor& indices) {
  const Tensor weight = weight_in.contiguous();
  const int64_t rows = weight.size(0), width = weight.size(1);
  const std::vector<int64_t> picked = checked_indices(indices, rows, "embedding");
  Shape shape = indices.shape();
  shape.push_back(width);
  Tensor out = empty(shape, weight.dtype(), "embedding");
  dispatch_float(weight.dtype(), "embedding", [&]<class T>() {
    const T* w = weight.impl()->data<T>();
    T* o = out.impl()->data<T>();
    for (size_t r = 0; r < picked.size(); ++r) {
      std::copy(w + picked[r] * width, w + (picked[r] + 1) * width, o + r * width);
    }
    return 0;
  });
  return out;
}

Tensor scatter_rows(const Tensor& grad_in, const Tensor& indices, const Shape& weight_shape) {
  const Tensor grad = grad_in.contiguous();
  const int64_t width = weight_shape[1];
  const std::vector<int64_t> picked =
      checked_indices(indices, weight_shape[0], "embedding_backward");
  Tensor out = zeros(weight_shape, grad.dtype());
  dispatch_float(grad.dtype(), "embedding_backward", [&]<class T>() {
    const T* g = grad.impl()->data<T>();
    T* o = out.impl()->data<T>();
    for (size_t r = 0; r < picked.size(); ++r) {
      for (int64_t c = 0; c < width; ++c) o[picked[r] * width + c] += g[r * width + c];
    }
    return 0;
  });
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
