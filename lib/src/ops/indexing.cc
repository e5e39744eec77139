// Indexing: slice, narrow and select (views of every step-th element along a
// dim, sharing storage), and index_select (a copy of the entries picked by an
// int64 index along a dim). Each backward puts the gradient back where its
// entries came from in a tensor of zeros, and is itself recorded (its own
// gradient is the same slice or index_select), so second derivatives flow.
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "ops/op_util.h"

namespace minitorch {

namespace {

// The elements start, start + step, ... < end along dim: a view, unrecorded.
Tensor slice_view(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  Shape shape = x.shape();
  Shape strides = x.strides();
  const int64_t offset = x.impl()->offset + start * strides[dim];
  shape[dim] = end > start ? (end - start + step - 1) / step : 0;
  strides[dim] *= step;
  return make_view(x, std::move(shape), std::move(strides), offset);
}

// d x of a slice: zeros of the input's shape with the gradient in the slice.
Tensor slice_backward(const Tensor& grad, const Shape& input_shape, int64_t dim, int64_t start,
                      int64_t end, int64_t step) {
  Tensor out = zeros(input_shape, grad.dtype());
  {
    NoGradGuard no_grad;
    slice_view(out, dim, start, end, step).copy_(grad);
  }
  if (should_record({&grad})) {
    record(Op::kSliceBackward, out, {&grad},
           [dim, start, end, step](const Tensor& g, const BackwardContext&) {
             return GradList{slice(g, dim, start, end, step)};
           });
  }
  return out;
}

void check_sliceable(const Tensor& x, const char* op) {
  MT_CHECK(x.defined(), op, ": input is an undefined tensor");
  MT_CHECK(x.dim() > 0, op, ": cannot be applied to a 0-dim tensor");
}

// A view from slice_view, recorded as `op` with slice_backward.
Tensor recorded_slice(Op op, const Tensor& x, int64_t dim, int64_t start, int64_t end,
                      int64_t step) {
  Tensor out = slice_view(x, dim, start, end, step);
  if (should_record({&x})) {
    record(op, out, {&x},
           [shape = x.shape(), dim, start, end, step](const Tensor& grad, const BackwardContext&) {
             return GradList{slice_backward(grad, shape, dim, start, end, step)};
           });
  }
  return out;
}

// index's values, checked against [0, size) of x's dim.
std::vector<int64_t> checked_index(const Tensor& x, int64_t dim, const Tensor& index,
                                   const char* op) {
  MT_CHECK(index.defined() && index.dtype() == kInt64 && index.dim() <= 1, op,
           ": index must be a 0-dim or 1-D int64 tensor, got ",
           index.defined()
               ? std::string(dtype_name(index.dtype())) + " of shape " + index.shape().to_string()
               : std::string("an undefined tensor"));
  std::vector<int64_t> picked;
  for (const double v : index.to_vector()) {
    const auto i = static_cast<int64_t>(v);
    MT_CHECK(i >= 0 && i < x.size(dim), op, ": index ", i, " is out of range for dim ", dim,
             " of size ", x.size(dim), " (tensor of shape ", x.shape().to_string(), ")");
    picked.push_back(i);
  }
  return picked;
}

// For each block before dim and each k: to[.., k, ..] = from[.., picked[k], ..]
// (add: +=), over contiguous tensors; `to` has picked.size() entries along dim
// when !scatter, `from` has them when scatter.
template <class T>
void move_rows(const T* from, T* to, const Shape& from_shape, const Shape& to_shape, int64_t dim,
               const std::vector<int64_t>& picked, bool scatter) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= from_shape[d];
  for (auto d = dim + 1; d < static_cast<int64_t>(from_shape.size()); ++d) inner *= from_shape[d];
  const int64_t from_size = from_shape[dim], to_size = to_shape[dim];
  const auto count = static_cast<int64_t>(picked.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0; k < count; ++k) {
      const T* src = from + (o * from_size + (scatter ? k : picked[k])) * inner;
      T* dst = to + (o * to_size + (scatter ? picked[k] : k)) * inner;
      for (int64_t i = 0; i < inner; ++i) {
        if (scatter) {
          dst[i] += src[i];
        } else {
          dst[i] = src[i];
        }
      }
    }
  }
}

// d x of index_select: zeros of the input's shape, each gradient entry added
// where it was picked from (repeated indices accumulate).
Tensor index_select_backward(const Tensor& grad_in, int64_t dim, const Tensor& index,
                             const std::vector<int64_t>& picked, const Shape& input_shape) {
  Tensor grad, out;
  {
    NoGradGuard no_grad;
    grad = grad_in.contiguous();
    out = zeros(input_shape, grad.dtype());
  }
  dispatch_float(grad.dtype(), "index_select_backward", [&]<class T>() {
    move_rows(grad.impl()->data<T>(), out.impl()->data<T>(), grad.shape(), input_shape, dim, picked,
              /*scatter=*/true);
    return 0;
  });
  if (should_record({&grad_in})) {
    record(Op::kIndexSelectBackward, out, {&grad_in},
           [dim, index](const Tensor& g, const BackwardContext&) {
             return GradList{index_select(g, dim, index)};
           });
  }
  return out;
}

// The flat positions gather reads: for every element of `index` (same rank
// as x, no larger than x in any dim but `dim`), x's element at the index's
// position with coordinate `dim` replaced by the index value. Checked.
std::vector<int64_t> gather_positions(const Tensor& x, int64_t dim, const Tensor& index,
                                      const char* op) {
  MT_CHECK(index.defined() && index.dtype() == kInt64, op, ": index must be an int64 tensor, got ",
           index.defined() ? std::string(dtype_name(index.dtype())) : std::string("undefined"));
  const int64_t rank = std::max<int64_t>(x.dim(), 1);
  MT_CHECK(std::max<int64_t>(index.dim(), 1) == rank, op, ": index of shape ",
           index.shape().to_string(), " must have the rank of the input's shape ",
           x.shape().to_string());
  const Shape x_shape = x.dim() == 0 ? Shape{1} : x.shape();
  const Shape i_shape = index.dim() == 0 ? Shape{1} : index.shape();
  for (int64_t d = 0; d < rank; ++d) {
    MT_CHECK(d == dim || i_shape[d] <= x_shape[d], op, ": index of shape ",
             index.shape().to_string(), " is larger than the input's shape ", x.shape().to_string(),
             " in dim ", d);
  }
  const Shape x_strides = contiguous_strides(x_shape);
  const std::vector<double> values = index.to_vector();
  std::vector<int64_t> positions(values.size());
  std::vector<int64_t> coordinate(static_cast<size_t>(rank), 0);
  for (size_t k = 0; k < values.size(); ++k) {
    const auto v = static_cast<int64_t>(values[k]);
    MT_CHECK(v >= 0 && v < x_shape[dim], op, ": index ", v, " is out of range for dim ", dim,
             " of size ", x_shape[dim], " (input of shape ", x.shape().to_string(), ")");
    int64_t flat = 0;
    for (int64_t d = 0; d < rank; ++d) flat += (d == dim ? v : coordinate[d]) * x_strides[d];
    positions[k] = flat;
    // The next coordinate of index, row-major.
    for (int64_t d = rank - 1; d >= 0 && ++coordinate[d] == i_shape[d]; --d) coordinate[d] = 0;
  }
  return positions;
}

// d x of gather: zeros of x's shape with each gradient entry added where it
// was read from (scatter_add); its own gradient is the gather again.
Tensor gather_backward(const Tensor& grad_in, int64_t dim, const Tensor& index,
                       const std::vector<int64_t>& positions, const Shape& input_shape) {
  Tensor grad, out;
  {
    NoGradGuard no_grad;
    grad = grad_in.contiguous();
    out = zeros(input_shape, grad.dtype());
  }
  dispatch_float(grad.dtype(), "gather_backward", [&]<class T>() {
    const T* g = grad.impl()->data<T>();
    T* o = out.impl()->data<T>();
    for (size_t k = 0; k < positions.size(); ++k) o[positions[k]] += g[k];
    return 0;
  });
  if (should_record({&grad_in})) {
    record(Op::kGatherBackward, out, {&grad_in},
           [dim, index](const Tensor& g, const BackwardContext&) {
             return GradList{gather(g, dim, index)};
           });
  }
  return out;
}

}  // namespace

Tensor gather(const Tensor& x_in, int64_t dim_in, const Tensor& index) {
  MT_CHECK(x_in.defined(), "gather: input is an undefined tensor");
  const int64_t dim = wrap_dim(dim_in, std::max<int64_t>(x_in.dim(), 1), "gather");
  const std::vector<int64_t> positions = gather_positions(x_in, dim, index, "gather");
  Tensor x;
  {
    NoGradGuard no_grad;  // the recorded op reads x_in
    x = x_in.contiguous();
  }
  Tensor out = empty(index.shape(), x.dtype(), "gather");
  dispatch_all(x.dtype(), [&]<class T>() {
    const T* p = x.impl()->data<T>();
    T* o = out.impl()->data<T>();
    for (size_t k = 0; k < positions.size(); ++k) o[k] = p[positions[k]];
    return 0;
  });
  if (should_record({&x_in})) {
    record(Op::kGather, out, {&x_in},
           [dim, index, positions, shape = x.shape()](const Tensor& grad, const BackwardContext&) {
             return GradList{gather_backward(grad, dim, index, positions, shape)};
           });
  }
  return out;
}

std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  MT_CHECK(x.defined(), "max: input is an undefined tensor");
  wrap_dim(dim, std::max<int64_t>(x.dim(), 1), "max");  // the error names max
  const Tensor indices = argmax(x, dim, /*keepdim=*/true);
  const Tensor values = gather(x, dim, indices);
  if (keepdim) return {values, indices};
  return {squeeze(values, dim), squeeze(indices, dim)};
}

std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  MT_CHECK(x.defined(), "min: input is an undefined tensor");
  wrap_dim(dim, std::max<int64_t>(x.dim(), 1), "min");
  const Tensor indices = argmin(x, dim, /*keepdim=*/true);
  const Tensor values = gather(x, dim, indices);
  if (keepdim) return {values, indices};
  return {squeeze(values, dim), squeeze(indices, dim)};
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  check_float(x, "masked_fill", "input");
  MT_CHECK(mask.defined(), "masked_fill: mask is an undefined tensor");
  MT_CHECK(mask.dtype() == kBool, "masked_fill: mask must be a bool tensor, got ",
           dtype_name(mask.dtype()), " of shape ", mask.shape().to_string());
  MT_CHECK(broadcast_shapes(x.shape(), mask.shape(), "masked_fill") == x.shape(),
           "masked_fill: mask of shape ", mask.shape().to_string(),
           " does not broadcast to the input's shape ", x.shape().to_string());
  // where() already has the gradient LibTorch's masked_fill has: zero where
  // the mask is set.
  return where(mask, scalar_like(value, x), x);
}

Tensor slice(const Tensor& x, int64_t dim_in, std::optional<int64_t> start_in,
             std::optional<int64_t> end_in, int64_t step) {
  check_sliceable(x, "slice");
  const int64_t dim = wrap_dim(dim_in, x.dim(), "slice");
  MT_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t size = x.size(dim);
  // Negative bounds count from the end; then both clamp to [0, size].
  const auto clamped = [size](int64_t bound) {
    if (bound < 0) bound += size;
    return std::min(std::max<int64_t>(bound, 0), size);
  };
  const int64_t start = clamped(start_in.value_or(0));
  const int64_t end = std::max(start, clamped(end_in.value_or(size)));
  return recorded_slice(Op::kSlice, x, dim, start, end, step);
}

Tensor narrow(const Tensor& x, int64_t dim_in, int64_t start, int64_t length) {
  check_sliceable(x, "narrow");
  const int64_t dim = wrap_dim(dim_in, x.dim(), "narrow");
  const int64_t size = x.size(dim);
  MT_CHECK(start >= -size && start <= size, "narrow: start ", start, " is out of range for dim ",
           dim_in, " of size ", size, " (tensor of shape ", x.shape().to_string(), ")");
  if (start < 0) start += size;
  MT_CHECK(length >= 0 && start + length <= size, "narrow: start (", start, ") + length (", length,
           ") exceeds dim ", dim_in, " of size ", size, " (tensor of shape ", x.shape().to_string(),
           ")");
  return recorded_slice(Op::kNarrow, x, dim, start, start + length, 1);
}

Tensor select(const Tensor& x, int64_t dim_in, int64_t index) {
  check_sliceable(x, "select");
  const int64_t dim = wrap_dim(dim_in, x.dim(), "select");
  const int64_t size = x.size(dim);
  MT_CHECK(index >= -size && index < size, "select: index ", index, " is out of range for dim ",
           dim_in, " of size ", size, " (tensor of shape ", x.shape().to_string(), ")");
  if (index < 0) index += size;
  // The one-element slice with dim dropped.
  const Tensor one = slice_view(x, dim, index, index + 1, 1);
  Shape shape = one.shape(), strides = one.strides();
  shape.erase(shape.begin() + dim);
  strides.erase(strides.begin() + dim);
  Tensor out = make_view(x, std::move(shape), std::move(strides), one.impl()->offset);
  if (should_record({&x})) {
    record(Op::kSelect, out, {&x},
           [shape = x.shape(), dim, index](const Tensor& grad, const BackwardContext&) {
             return GradList{slice_backward(unsqueeze(grad, dim), shape, dim, index, index + 1, 1)};
           });
  }
  return out;
}

Tensor index_select(const Tensor& x_in, int64_t dim_in, const Tensor& index) {
  check_sliceable(x_in, "index_select");
  const int64_t dim = wrap_dim(dim_in, x_in.dim(), "index_select");
  const std::vector<int64_t> picked = checked_index(x_in, dim, index, "index_select");
  Tensor x;
  {
    NoGradGuard no_grad;  // the recorded op reads x_in
    x = x_in.contiguous();
  }
  Shape shape = x.shape();
  shape[dim] = static_cast<int64_t>(picked.size());
  Tensor out = empty(shape, x.dtype(), "index_select");
  dispatch_all(x.dtype(), [&]<class T>() {
    move_rows(x.impl()->data<T>(), out.impl()->data<T>(), x.shape(), shape, dim, picked,
              /*scatter=*/false);
    return 0;
  });
  if (should_record({&x_in})) {
    record(Op::kIndexSelect, out, {&x_in},
           [dim, index, picked, shape = x.shape()](const Tensor& grad, const BackwardContext&) {
             return GradList{index_select_backward(grad, dim, index, picked, shape)};
           });
  }
  return out;
}

Tensor Tensor::index(std::initializer_list<indexing::TensorIndex> indices) const {
  using Kind = indexing::TensorIndex::Kind;
  MT_CHECK(defined(), "index: input is an undefined tensor");
  // Dims the expression consumes (integers and slices), for the Ellipsis.
  int64_t consumed = 0, ellipses = 0;
  for (const indexing::TensorIndex& i : indices) {
    consumed += i.kind() == Kind::kInteger || i.kind() == Kind::kSlice ? 1 : 0;
    ellipses += i.kind() == Kind::kEllipsis ? 1 : 0;
  }
  MT_CHECK(ellipses <= 1, "index: an index may have only one Ellipsis");
  MT_CHECK(consumed <= dim(), "index: too many indices (", consumed, ") for a tensor of shape ",
           shape().to_string());
  // Left to right, `d` the dim of the result the next entry applies to. An
  // entry's own error (an integer out of range) is reported as index's.
  Tensor out = *this;
  int64_t d = 0;
  try {
    for (const indexing::TensorIndex& i : indices) {
      switch (i.kind()) {
        case Kind::kInteger:
          out = minitorch::select(out, d, i.integer());
          break;
        case Kind::kSlice: {
          const indexing::Slice& s = i.slice();
          out = minitorch::slice(out, d, s.start, s.stop, s.step.value_or(1));
          ++d;
          break;
        }
        case Kind::kNone:
          out = minitorch::unsqueeze(out, d);
          ++d;
          break;
        case Kind::kEllipsis:
          d += dim() - consumed;
          break;
      }
    }
  } catch (const Error& e) {
    throw Error(std::string("index: ") + e.what());
  }
  return out;
}

Tensor& Tensor::index_put_(std::initializer_list<indexing::TensorIndex> indices,
                           const Tensor& value) {
  index(indices).copy_(value);
  return *this;
}

Tensor& Tensor::index_put_(std::initializer_list<indexing::TensorIndex> indices, double value) {
  index(indices).fill_(value);
  return *this;
}

Tensor Tensor::slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
                     int64_t step) const {
  return minitorch::slice(*this, dim, start, end, step);
}
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  return minitorch::narrow(*this, dim, start, length);
}
Tensor Tensor::select(int64_t dim, int64_t index) const {
  return minitorch::select(*this, dim, index);
}
Tensor Tensor::gather(int64_t dim, const Tensor& index) const {
  return minitorch::gather(*this, dim, index);
}
Tensor Tensor::masked_fill(const Tensor& mask, double value) const {
  return minitorch::masked_fill(*this, mask, value);
}
Tensor Tensor::index_select(int64_t dim, const Tensor& index) const {
  return minitorch::index_select(*this, dim, index);
}

}  // namespace minitorch
