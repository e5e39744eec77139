// View ops: new shape and strides over the same storage, no data copied
// (reshape copies first where no strides give its shape, as LibTorch's
// does; view refuses there).
// Each backward maps the gradient back to the input's shape.
#include <limits>
#include <optional>

#include "ops/op_util.h"

namespace minitorch {

namespace {

Tensor view_of(const Tensor& x, Shape shape, Shape strides) {
  return make_view(x, std::move(shape), std::move(strides), x.impl()->offset);
}

}  // namespace

namespace {

// `shape_in` with its -1 (if any) inferred from x's element count; Error
// naming `op` unless the counts agree.
Shape inferred_shape(const Tensor& x, absl::Span<const int64_t> shape_in, const char* op) {
  Shape shape(shape_in);
  int64_t inferred = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      MT_CHECK(inferred < 0, op, ": more than one -1 in shape ", shape.to_string());
      inferred = static_cast<int64_t>(i);
      continue;
    }
    MT_CHECK(shape[i] >= 0, op, ": negative dim ", shape[i], " in shape ", shape.to_string());
  }
  const int64_t n = x.numel();
  if (inferred >= 0) {
    Shape without_inferred = shape;
    without_inferred[inferred] = 1;
    const int64_t known = checked_numel(without_inferred, op);
    MT_CHECK(known != 0 && n % known == 0, op, ": cannot reshape a tensor of shape ",
             x.shape().to_string(), " (", n, " elements) to ", shape.to_string());
    shape[inferred] = n / known;
  }
  const int64_t target = checked_numel(shape, op);  // the user's dims may overflow
  MT_CHECK(target == n, op, ": cannot reshape a tensor of shape ", x.shape().to_string(), " (", n,
           " elements) to ", shape.to_string(), " (", target, " elements)");
  return shape;
}

// x's elements as `shape` over `strides`, recorded as a reshape.
Tensor reshaped_view(const Tensor& x, Shape shape, Shape strides) {
  Tensor out = view_of(x, std::move(shape), std::move(strides));
  if (should_record({&x})) {
    record(Op::kReshape, out, {&x},
           [input_shape = x.shape()](const Tensor& grad, const BackwardContext&) {
             return GradList{reshape(grad, input_shape)};
           });
  }
  return out;
}

}  // namespace

Tensor reshape(const Tensor& x, absl::Span<const int64_t> shape_in) {
  check_defined(x, "reshape");
  Shape shape = inferred_shape(x, shape_in, "reshape");
  if (shape == x.shape()) return x;
  if (std::optional<Shape> strides = view_strides(x.shape(), x.strides(), shape)) {
    return reshaped_view(x, std::move(shape), std::move(*strides));
  }
  const Tensor source = x.contiguous();
  Shape strides = contiguous_strides(shape);
  return reshaped_view(source, std::move(shape), std::move(strides));
}

Tensor Tensor::view(absl::Span<const int64_t> shape_in) const {
  check_defined(*this, "view");
  Shape shape = inferred_shape(*this, shape_in, "view");
  std::optional<Shape> strides = view_strides(this->shape(), this->strides(), shape);
  MT_CHECK(strides.has_value(), "view: size ", shape.to_string(),
           " is not compatible with the input's size ", this->shape().to_string(), " and strides ",
           this->strides().to_string(),
           " (a new dim would span two runs of memory); use reshape(), which copies");
  return reshaped_view(*this, std::move(shape), std::move(*strides));
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  check_defined(x, "transpose");
  const int64_t d0 = wrap_dim(dim0, x.dim(), "transpose");
  const int64_t d1 = wrap_dim(dim1, x.dim(), "transpose");
  if (x.dim() == 0 || d0 == d1) return x;
  Shape shape = x.shape();
  Shape strides = x.strides();
  std::swap(shape[d0], shape[d1]);
  std::swap(strides[d0], strides[d1]);
  Tensor out = view_of(x, std::move(shape), std::move(strides));
  if (should_record({&x})) {
    record(Op::kTranspose, out, {&x}, [d0, d1](const Tensor& grad, const BackwardContext&) {
      return GradList{transpose(grad, d0, d1)};
    });
  }
  return out;
}

Tensor permute(const Tensor& x, absl::Span<const int64_t> dims) {
  check_defined(x, "permute");
  const int64_t rank = x.dim();
  MT_CHECK(static_cast<int64_t>(dims.size()) == rank, "permute: dims ", Shape(dims).to_string(),
           " has ", dims.size(), " entries for a tensor of shape ", x.shape().to_string());
  Shape shape(rank), strides(rank), inverse(rank);
  absl::InlinedVector<bool, kInlineRank> seen(rank, false);
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t d = wrap_dim(dims[i], rank, "permute");
    MT_CHECK(!seen[d], "permute: dim ", dims[i], " repeats in dims ", Shape(dims).to_string());
    seen[d] = true;
    shape[i] = x.size(d);
    strides[i] = x.strides()[d];
    inverse[d] = i;
  }
  Tensor out = view_of(x, std::move(shape), std::move(strides));
  if (should_record({&x})) {
    record(Op::kPermute, out, {&x}, [inverse](const Tensor& grad, const BackwardContext&) {
      return GradList{permute(grad, inverse)};
    });
  }
  return out;
}

Tensor expand(const Tensor& x, absl::Span<const int64_t> shape_in) {
  check_defined(x, "expand");
  const auto rank = static_cast<int64_t>(shape_in.size());
  const int64_t lead = rank - x.dim();
  MT_CHECK(lead >= 0, "expand: cannot expand a tensor of shape ", x.shape().to_string(),
           " to the lower rank shape ", Shape(shape_in).to_string());
  Shape shape(rank), strides(rank);
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t want = shape_in[i];
    if (i < lead) {
      MT_CHECK(want >= 0, "expand: new leading dim ", i, " of shape ", Shape(shape_in).to_string(),
               " must be given (not ", want, ")");
      shape[i] = want;
      strides[i] = 0;
      continue;
    }
    const int64_t have = x.size(i - lead);
    if (want == -1 || want == have) {
      shape[i] = have;
      strides[i] = x.strides()[i - lead];
    } else {
      MT_CHECK(have == 1 && want >= 0, "expand: cannot expand a tensor of shape ",
               x.shape().to_string(), " to ", Shape(shape_in).to_string(), " (dim ", i,
               " has size ", have, ", not 1)");
      shape[i] = want;
      strides[i] = 0;
    }
  }
  checked_numel(shape, "expand");
  if (shape == x.shape()) return x;
  Tensor out = view_of(x, std::move(shape), std::move(strides));
  if (should_record({&x})) {
    record(Op::kExpand, out, {&x},
           [input_shape = x.shape()](const Tensor& grad, const BackwardContext&) {
             return GradList{sum_to(grad, input_shape)};
           });
  }
  return out;
}

namespace {

// Removes the dims in `drop` from x's shape: a view, recorded as `op`.
Tensor drop_dims(const Tensor& x, absl::Span<const bool> drop, Op op) {
  Shape shape, strides;
  for (int64_t i = 0; i < x.dim(); ++i) {
    if (drop[i]) continue;
    shape.push_back(x.size(i));
    strides.push_back(x.strides()[i]);
  }
  if (shape.size() == x.shape().size()) return x;
  Tensor out = view_of(x, std::move(shape), std::move(strides));
  if (should_record({&x})) {
    record(op, out, {&x}, [input_shape = x.shape()](const Tensor& grad, const BackwardContext&) {
      return GradList{reshape(grad, input_shape)};
    });
  }
  return out;
}

}  // namespace

Tensor squeeze(const Tensor& x) {
  check_defined(x, "squeeze");
  absl::InlinedVector<bool, kInlineRank> drop(x.dim());
  for (int64_t i = 0; i < x.dim(); ++i) drop[i] = x.size(i) == 1;
  return drop_dims(x, drop, Op::kSqueeze);
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  check_defined(x, "squeeze");
  const int64_t d = wrap_dim(dim, x.dim(), "squeeze");
  absl::InlinedVector<bool, kInlineRank> drop(x.dim(), false);
  // Squeezing a dim whose size is not 1 leaves the tensor as is (LibTorch).
  if (x.dim() > 0) drop[d] = x.size(d) == 1;
  return drop_dims(x, drop, Op::kSqueeze);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  check_defined(x, "unsqueeze");
  const int64_t d = wrap_dim(dim, x.dim() + 1, "unsqueeze");
  Shape shape = x.shape();
  Shape strides = x.strides();
  // Any stride works for a size-1 dim; this one keeps contiguous tensors contiguous.
  int64_t stride = 1;
  if (d < x.dim() && __builtin_mul_overflow(x.strides()[d], x.size(d), &stride)) {
    stride = std::numeric_limits<int64_t>::max();  // only an empty tensor gets here
  }
  shape.insert(shape.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  Tensor out = view_of(x, std::move(shape), std::move(strides));
  if (should_record({&x})) {
    record(Op::kUnsqueeze, out, {&x},
           [d](const Tensor& grad, const BackwardContext&) { return GradList{squeeze(grad, d)}; });
  }
  return out;
}

}  // namespace minitorch
