// Indexing: slice, narrow and select (views of every step-th element along a
// dim, sharing storage); index_select, gather and scatter_add (copies of the
// entries an int64 index picks, read and added by flat positions); the
// reductions with positions (max, min and topk along a dim); masked_fill;
// and x.index({...}) / index_put_. Each backward puts the gradient back where
// its entries came from in a tensor of zeros, and is itself recorded (its own
// gradient is the same slice or read), so second derivatives flow.
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "ops/op_util.h"

namespace minitorch {

namespace {

// The elements start, start + step, ... < end along dim: a view, unrecorded.
Tensor slice_view(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  Shape shape = x.shape();
  shape[dim] = end > start ? (end - start + step - 1) / step : 0;
  // An empty slice reads nothing: its strides and offset, which may overflow
  // beside a huge dim, do not matter.
  if (numel(shape) == 0) {
    Shape strides = contiguous_strides(shape);
    return make_view(x, std::move(shape), std::move(strides), x.impl()->offset);
  }
  Shape strides = x.strides();
  const int64_t offset = x.impl()->offset + start * strides[dim];
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

// The backward of a read at flat positions (index_select, gather): zeros of
// the input's shape with each gradient entry added where it was read from
// (repeated positions accumulate), recorded as `op`; its own gradient reads
// the same positions again, by `read` (the forward op).
template <class Read>
Tensor read_backward(Op op, const Tensor& grad, const std::vector<int64_t>& positions,
                     const Shape& input_shape, Read read) {
  Tensor out = zeros(input_shape, grad.dtype());
  add_at(out, positions, grad);
  if (should_record({&grad})) {
    record(op, out, {&grad}, [read = std::move(read)](const Tensor& g, const BackwardContext&) {
      return GradList{read(g)};
    });
  }
  return out;
}

// Where each element of `index` (int64 of x's rank, no larger than x in any
// dim but `dim`) points: `target`, x's flat position of the element's own
// coordinate with coordinate `dim` replaced by its value (what gather reads
// and scatter_add writes); `source`, the flat position of the element's
// coordinate in `src` (scatter_add's values, no smaller than index in any
// dim), when src is given. Checked as LibTorch checks; a 0-dim tensor counts
// as shape (1).
struct IndexPositions {
  std::vector<int64_t> target, source;
};
IndexPositions index_positions(const Tensor& x, int64_t dim, const Tensor& index, const Tensor* src,
                               const char* op) {
  MT_CHECK(index.defined() && index.dtype() == kInt64, op, ": index must be an int64 tensor, got ",
           index.defined() ? std::string(dtype_name(index.dtype())) : std::string("undefined"));
  // A scatter by an empty index writes nothing, and LibTorch checks no shape.
  if (src != nullptr && index.numel() == 0) return {};
  const auto as_1d = [](const Shape& s) { return s.empty() ? Shape{1} : s; };
  const Shape x_shape = as_1d(x.shape()), i_shape = as_1d(index.shape());
  const auto rank = static_cast<int64_t>(x_shape.size());
  MT_CHECK(static_cast<int64_t>(i_shape.size()) == rank, op, ": index of shape ",
           index.shape().to_string(), " must have the rank of the input's shape ",
           x.shape().to_string());
  for (int64_t d = 0; d < rank; ++d) {
    MT_CHECK(d == dim || i_shape[d] <= x_shape[d], op, ": index of shape ",
             index.shape().to_string(), " is larger than the input's shape ", x.shape().to_string(),
             " in dim ", d);
  }
  const Shape s_shape = src != nullptr ? as_1d(src->shape()) : i_shape;
  if (src != nullptr) {
    MT_CHECK(static_cast<int64_t>(s_shape.size()) == rank, op, ": src of shape ",
             src->shape().to_string(), " must have the rank of the input's shape ",
             x.shape().to_string());
    for (int64_t d = 0; d < rank; ++d) {
      MT_CHECK(i_shape[d] <= s_shape[d], op, ": index of shape ", index.shape().to_string(),
               " is larger than src's shape ", src->shape().to_string(), " in dim ", d);
    }
  }
  const Shape x_strides = contiguous_strides(x_shape), s_strides = contiguous_strides(s_shape);
  const std::vector<double> values = index.to_vector();
  IndexPositions out;
  out.target.resize(values.size());
  if (src != nullptr) out.source.resize(values.size());
  std::vector<int64_t> coordinate(static_cast<size_t>(rank), 0);
  for (size_t k = 0; k < values.size(); ++k) {
    const auto v = static_cast<int64_t>(values[k]);
    MT_CHECK(v >= 0 && v < x_shape[dim], op, ": index ", v, " is out of range for dim ", dim,
             " of size ", x_shape[dim], " (input of shape ", x.shape().to_string(), ")");
    int64_t target = 0, source = 0;
    for (int64_t d = 0; d < rank; ++d) {
      target += (d == dim ? v : coordinate[d]) * x_strides[d];
      source += coordinate[d] * s_strides[d];
    }
    out.target[k] = target;
    if (src != nullptr) out.source[k] = source;
    // The next coordinate of index, row-major.
    for (int64_t d = rank - 1; d >= 0 && ++coordinate[d] == i_shape[d]; --d) coordinate[d] = 0;
  }
  return out;
}

}  // namespace

Tensor gather(const Tensor& x_in, int64_t dim_in, const Tensor& index) {
  check_defined(x_in, "gather");
  const int64_t dim = wrap_dim(dim_in, std::max<int64_t>(x_in.dim(), 1), "gather");
  std::vector<int64_t> positions =
      index_positions(x_in, dim, index, /*src=*/nullptr, "gather").target;
  Tensor out = take(x_in, positions, index.shape());
  if (should_record({&x_in})) {
    record(Op::kGather, out, {&x_in},
           [dim, index, positions = std::move(positions), shape = x_in.shape()](
               const Tensor& grad, const BackwardContext&) {
             return GradList{
                 read_backward(Op::kGatherBackward, grad, positions, shape,
                               [dim, index](const Tensor& g) { return gather(g, dim, index); })};
           });
  }
  return out;
}

Tensor scatter_add(const Tensor& x, int64_t dim_in, const Tensor& index, const Tensor& src) {
  check_defined(x, "scatter_add");
  check_defined(src, "scatter_add", "src");
  MT_CHECK(x.dtype() == src.dtype() && x.dtype() != kBool,
           "scatter_add: the input and src must have one dtype other than bool, got ",
           dtype_name(x.dtype()), " of shape ", x.shape().to_string(), " and ",
           dtype_name(src.dtype()), " of shape ", src.shape().to_string());
  const int64_t dim = wrap_dim(dim_in, std::max<int64_t>(x.dim(), 1), "scatter_add");
  const IndexPositions positions = index_positions(x, dim, index, &src, "scatter_add");
  Tensor out;
  {
    NoGradGuard no_grad;  // the recorded op reads x and src
    out = x.contiguous().clone();
    add_at(out, positions.target, take(src, positions.source, index.shape()));
  }
  if (should_record({&x, &src})) {
    record(Op::kScatterAdd, out, {&x, &src},
           [dim, index, src_shape = src.shape()](const Tensor& grad, const BackwardContext& ctx) {
             // src's gradient is the gather of grad, padded with zeros where
             // src reaches past index (entries never added).
             Tensor grad_src;
             if (ctx.needs[1] && index.numel() == 0) {
               grad_src = zeros(src_shape, grad.dtype());
             } else if (ctx.needs[1]) {
               grad_src = gather(grad, dim, index);
               if (grad_src.shape() != src_shape) {
                 const Shape src_1d = src_shape.empty() ? Shape{1} : src_shape;
                 grad_src = reshape(grad_src, index.dim() == 0 ? Shape{1} : index.shape());
                 for (size_t d = 0; d < src_1d.size(); ++d) {
                   const auto at = static_cast<int64_t>(d);
                   Shape padded = grad_src.shape();
                   padded[d] = src_1d[d];
                   grad_src = slice_backward(grad_src, padded, at, 0, grad_src.size(at), 1);
                 }
                 grad_src = reshape(grad_src, src_shape);
               }
             }
             return GradList{ctx.needs[0] ? grad : Tensor(), grad_src};
           });
  }
  return out;
}

namespace {

// max(dim) / min(dim): the position argmax / argmin picks, and the value read
// there by gather, so the gradient reaches that position alone.
std::tuple<Tensor, Tensor> extreme_along(const Tensor& x, int64_t dim, bool keepdim, bool is_max) {
  const char* op = is_max ? "max" : "min";
  check_defined(x, op);
  wrap_dim(dim, std::max<int64_t>(x.dim(), 1), op);  // the error names the op
  const Tensor indices = is_max ? argmax(x, dim, /*keepdim=*/true) : argmin(x, dim, true);
  const Tensor values = gather(x, dim, indices);
  if (keepdim) return {values, indices};
  return {squeeze(values, dim), squeeze(indices, dim)};
}

// Positions of the k first entries along `dim` of contiguous x (shape, as
// 1-D when 0-dim) in the order `before` sorts them, ties by position.
template <class T, class Before>
std::vector<double> first_k_along(const T* p, const Shape& shape, int64_t dim, int64_t k,
                                  const Before& before) {
  const AroundDim around = around_dim(shape, dim);
  const int64_t outer = around.outer, size = around.size, inner = around.inner;
  std::vector<double> out(static_cast<size_t>(outer * k * inner));
  std::vector<int64_t> order(static_cast<size_t>(size));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* row = p + o * size * inner + i;
      for (int64_t j = 0; j < size; ++j) order[j] = j;
      std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
        const T va = row[a * inner], vb = row[b * inner];
        if (before(va, vb)) return true;
        return !before(vb, va) && a < b;
      });
      for (int64_t j = 0; j < k; ++j) out[(o * k + j) * inner + i] = static_cast<double>(order[j]);
    }
  }
  return out;
}

}  // namespace

std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_along(x, dim, keepdim, /*is_max=*/true);
}

std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_along(x, dim, keepdim, /*is_max=*/false);
}

std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim_in, bool largest,
                                bool sorted) {
  check_defined(x, "topk");
  MT_CHECK(x.dtype() != kBool, "topk: not defined for bool tensors (tensor of shape ",
           x.shape().to_string(), ")");
  const int64_t dim = wrap_dim(dim_in, std::max<int64_t>(x.dim(), 1), "topk");
  const Shape shape = x.dim() == 0 ? Shape{1} : x.shape();
  MT_CHECK(k >= 0 && k <= shape[dim], "topk: k (", k, ") is out of range for dim ", dim_in,
           " of size ", shape[dim], " (tensor of shape ", x.shape().to_string(), ")");
  // The result is sorted whether or not `sorted` asks: LibTorch leaves the
  // order unsorted results come in unspecified.
  (void)sorted;
  Shape out_shape = shape;
  out_shape[dim] = k;
  if (x.dim() == 0 && k == 1) out_shape.clear();  // a 0-dim input keeps its shape
  Tensor contiguous;
  {
    NoGradGuard no_grad;
    contiguous = x.contiguous();
  }
  const std::vector<double> positions = dispatch_all(x.dtype(), [&]<class T>() {
    const T* p = contiguous.impl()->data<T>();
    // NaN counts as the largest value, as LibTorch's topk has it.
    const auto nan = [](T v) { return std::isnan(static_cast<double>(v)); };
    if (largest) {
      return first_k_along(p, shape, dim, k,
                           [&](T a, T b) { return (nan(a) && !nan(b)) || a > b; });
    }
    return first_k_along(p, shape, dim, k, [&](T a, T b) { return (!nan(a) && nan(b)) || a < b; });
  });
  const Tensor indices = tensor(positions, out_shape, kInt64);
  return {gather(x, dim, indices), indices};
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  check_float(x, "masked_fill", "input");
  check_defined(mask, "masked_fill", "mask");
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
  check_has_dims(x, "slice");
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
  check_has_dims(x, "narrow");
  const int64_t dim = wrap_dim(dim_in, x.dim(), "narrow");
  const int64_t size = x.size(dim);
  // LibTorch's range: -size ... size, where an empty dim counts as size 1
  // for wrapping (its maybe_wrap_dim), so -1 is its start 0.
  MT_CHECK(start >= -std::max<int64_t>(size, 1) && start <= size, "narrow: start ", start,
           " is out of range for dim ", dim_in, " of size ", size, " (tensor of shape ",
           x.shape().to_string(), ")");
  if (start < 0) start = std::max<int64_t>(start + size, 0);
  MT_CHECK(length >= 0 && start + length <= size, "narrow: start (", start, ") + length (", length,
           ") exceeds dim ", dim_in, " of size ", size, " (tensor of shape ", x.shape().to_string(),
           ")");
  return recorded_slice(Op::kNarrow, x, dim, start, start + length, 1);
}

Tensor select(const Tensor& x, int64_t dim_in, int64_t index) {
  check_has_dims(x, "select");
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
  check_has_dims(x_in, "index_select");
  const int64_t dim = wrap_dim(dim_in, x_in.dim(), "index_select");
  const std::vector<int64_t> picked = checked_index(x_in, dim, index, "index_select");
  Shape shape = x_in.shape();
  shape[dim] = static_cast<int64_t>(picked.size());
  std::vector<int64_t> positions = positions_along(x_in.shape(), dim, picked);
  Tensor out = take(x_in, positions, shape);
  if (should_record({&x_in})) {
    record(Op::kIndexSelect, out, {&x_in},
           [dim, index, positions = std::move(positions), shape = x_in.shape()](
               const Tensor& grad, const BackwardContext&) {
             return GradList{read_backward(
                 Op::kIndexSelectBackward, grad, positions, shape,
                 [dim, index](const Tensor& g) { return index_select(g, dim, index); })};
           });
  }
  return out;
}

Tensor Tensor::index(std::initializer_list<indexing::TensorIndex> indices) const {
  using Kind = indexing::TensorIndex::Kind;
  check_defined(*this, "index");
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
Tensor Tensor::scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const {
  return minitorch::scatter_add(*this, dim, index, src);
}
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return minitorch::max(*this, dim, keepdim);
}
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  return minitorch::min(*this, dim, keepdim);
}
std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t dim, bool largest, bool sorted) const {
  return minitorch::topk(*this, k, dim, largest, sorted);
}
Tensor Tensor::masked_fill(const Tensor& mask, double value) const {
  return minitorch::masked_fill(*this, mask, value);
}
Tensor Tensor::index_select(int64_t dim, const Tensor& index) const {
  return minitorch::index_select(*this, dim, index);
}

}  // namespace minitorch
