// Joining: cat (along an existing dim) and stack (along a new one), each
// copying its inputs into one result whose backward hands every input its
// part of the gradient as a view (narrow or select); split and chunk, which
// return narrow views.
#include <optional>
#include <string>

#include "ops/op_util.h"

namespace minitorch {

namespace {

// The dtype the inputs of a join are converted to, by LibTorch's promotion;
// Error naming `op` for an empty list or an undefined tensor.
DType joined_dtype(const std::vector<Tensor>& tensors, const char* op) {
  MT_CHECK(!tensors.empty(), op, ": expected a non-empty list of tensors");
  DType dtype = kBool;
  for (size_t i = 0; i < tensors.size(); ++i) {
    MT_CHECK(tensors[i].defined(), op, ": tensor ", i, " of the list is undefined");
    dtype = promote_types(dtype, tensors[i].dtype());
  }
  return dtype;
}

// The inputs converted to `dtype` (differentiably), as pointers for record().
struct Converted {
  std::vector<Tensor> tensors;
  std::vector<const Tensor*> pointers;
  Converted(const std::vector<Tensor>& in, DType dtype) {
    for (const Tensor& t : in) tensors.push_back(t.dtype() == dtype ? t : t.to(dtype));
    for (const Tensor& t : tensors) pointers.push_back(&t);
  }
};

}  // namespace

Tensor cat(const std::vector<Tensor>& tensors_in, int64_t dim_in) {
  const DType dtype = joined_dtype(tensors_in, "cat");
  const Converted in(tensors_in, dtype);
  // LibTorch skips 1-D empty tensors (its legacy placeholder for "nothing");
  // they still get a gradient, of their empty shape. Where every input is
  // one, the result is one too, whatever the dim.
  const auto skipped = [&](size_t i) {
    return in.tensors[i].dim() == 1 && in.tensors[i].numel() == 0;
  };
  std::optional<size_t> first_kept;
  for (size_t i = 0; i < in.tensors.size() && !first_kept; ++i) {
    if (!skipped(i)) first_kept = i;
  }
  Shape shape = {0};
  int64_t dim = 0;
  std::vector<int64_t> offsets, sizes;
  if (first_kept) {
    const Tensor& first = in.tensors[*first_kept];
    MT_CHECK(first.dim() > 0, "cat: zero-dimensional tensor ", *first_kept,
             " cannot be concatenated");
    dim = wrap_dim(dim_in, first.dim(), "cat");
    shape = first.shape();
    shape[dim] = 0;
    for (size_t i = 0; i < in.tensors.size(); ++i) {
      const Tensor& t = in.tensors[i];
      offsets.push_back(shape[dim]);
      sizes.push_back(skipped(i) ? 0 : t.size(dim));
      if (skipped(i)) continue;
      bool matches = t.dim() == first.dim();
      for (int64_t d = 0; matches && d < t.dim(); ++d)
        matches = d == dim || t.size(d) == first.size(d);
      MT_CHECK(matches, "cat: tensor ", i, " of shape ", t.shape().to_string(),
               " does not match tensor ", *first_kept, " of shape ", first.shape().to_string(),
               " in every dim but dim ", dim_in);
      shape[dim] += t.size(dim);
    }
  } else {
    offsets.assign(in.tensors.size(), 0);
    sizes.assign(in.tensors.size(), 0);
  }
  Tensor out = empty(shape, dtype, "cat");
  {
    NoGradGuard no_grad;
    for (size_t i = 0; i < in.tensors.size(); ++i) {
      if (!skipped(i)) narrow(out, dim, offsets[i], sizes[i]).copy_(in.tensors[i]);
    }
  }
  if (should_record(in.pointers)) {
    std::vector<bool> empty_part;
    for (size_t i = 0; i < in.tensors.size(); ++i) empty_part.push_back(skipped(i));
    record(Op::kCat, out, in.pointers,
           [dim, offsets, sizes, empty_part](const Tensor& grad, const BackwardContext& ctx) {
             GradList grads;
             for (size_t i = 0; i < offsets.size(); ++i) {
               if (!ctx.needs[i]) {
                 grads.push_back(Tensor());
               } else if (empty_part[i]) {
                 grads.push_back(zeros({0}, grad.dtype()));
               } else {
                 grads.push_back(narrow(grad, dim, offsets[i], sizes[i]));
               }
             }
             return grads;
           });
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors_in, int64_t dim_in) {
  const DType dtype = joined_dtype(tensors_in, "stack");
  const Converted in(tensors_in, dtype);
  const Tensor& first = in.tensors[0];
  const int64_t dim = wrap_dim(dim_in, first.dim() + 1, "stack");
  for (size_t i = 0; i < in.tensors.size(); ++i) {
    MT_CHECK(in.tensors[i].shape() == first.shape(), "stack: tensor ", i, " of shape ",
             in.tensors[i].shape().to_string(), " does not match tensor 0 of shape ",
             first.shape().to_string());
  }
  Shape shape = first.shape();
  shape.insert(shape.begin() + dim, static_cast<int64_t>(in.tensors.size()));
  Tensor out = empty(shape, dtype, "stack");
  {
    NoGradGuard no_grad;
    for (size_t i = 0; i < in.tensors.size(); ++i) {
      select(out, dim, static_cast<int64_t>(i)).copy_(in.tensors[i]);
    }
  }
  if (should_record(in.pointers)) {
    record(
        Op::kStack, out, in.pointers,
        [dim, count = in.tensors.size()](const Tensor& grad, const BackwardContext& ctx) {
          GradList grads;
          for (size_t i = 0; i < count; ++i) {
            grads.push_back(ctx.needs[i] ? select(grad, dim, static_cast<int64_t>(i)) : Tensor());
          }
          return grads;
        });
  }
  return out;
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim_in) {
  check_has_dims(x, "split");
  const int64_t dim = wrap_dim(dim_in, x.dim(), "split");
  const int64_t size = x.size(dim);
  MT_CHECK(split_size > 0 || (split_size == 0 && size == 0), "split: split_size must be ",
           "positive, got ", split_size, " for dim ", dim_in, " of size ", size);
  std::vector<Tensor> parts;
  if (size == 0) return {x};
  for (int64_t start = 0; start < size; start += split_size) {
    parts.push_back(narrow(x, dim, start, std::min(split_size, size - start)));
  }
  return parts;
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim_in) {
  check_has_dims(x, "chunk");
  MT_CHECK(chunks > 0, "chunk: chunks must be positive, got ", chunks);
  const int64_t size = x.size(wrap_dim(dim_in, x.dim(), "chunk"));
  // LibTorch's rule: parts of ceil(size / chunks), the last one smaller.
  return split(x, std::max<int64_t>((size + chunks - 1) / chunks, size == 0 ? 0 : 1), dim_in);
}

}  // namespace minitorch
