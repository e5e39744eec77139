// Reductions: sum, mean, amax, logsumexp over dim lists with keepdim,
// forward and backward side by side. One kernel serves them all
// (kernels/reduce.h).
#include "kernels/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "kernels/fast_math.h"
#include "ops/op_util.h"

namespace minitorch {

namespace {

// The kept-shape result (reduced dims of size 1) of a computation as is
// with keepdim, else viewed without the reduced dims.
Tensor finish(Tensor kept, const Shape& input_shape, absl::Span<const bool> mask, bool keepdim) {
  if (keepdim) return kept;
  Shape shape = reduced_shape(input_shape, mask, false);
  Shape strides = contiguous_strides(shape);
  return make_view(kept, std::move(shape), std::move(strides), 0);
}

// The number of elements each output sums, as a double: beside a zero dim
// the reduced dims may multiply past int64.
double reduced_count(const Shape& shape, absl::Span<const bool> mask) {
  double count = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (mask[i]) count *= static_cast<double>(shape[i]);
  }
  return count;
}

// Along a reduced dim of stride 0 (an expanded tensor, such as the gradient
// a sum or mean passes back) every term is the same: such dims are summed as
// a product by their size instead of being read element by element, and a
// scalar expanded to every dim needs no loop at all.
Tensor sum_forward(const Tensor& x, absl::Span<const bool> mask, bool keepdim) {
  const bool one_value =
      std::all_of(x.strides().begin(), x.strides().end(), [](int64_t s) { return s == 0; });
  if (one_value && x.numel() > 0) {  // a scalar expanded to x's shape
    return dispatch_float(x.dtype(), "sum", [&]<class T>() {
      Tensor out = empty(reduced_shape(x.shape(), mask, keepdim), x.dtype(), "sum");
      const T total = *x.impl()->data<T>() * static_cast<T>(reduced_count(x.shape(), mask));
      T* po = out.impl()->data<T>();
      const int64_t n = out.numel();
      for (int64_t i = 0; i < n; ++i) po[i] = total;
      return out;
    });
  }
  Shape read_shape = x.shape();
  double repeats = 1;
  for (size_t d = 0; d < mask.size(); ++d) {
    if (mask[d] && x.strides()[d] == 0 && read_shape[d] > 1) {
      repeats *= static_cast<double>(read_shape[d]);
      read_shape[d] = 1;
    }
  }
  const Tensor read = repeats == 1 ? x : make_view(x, read_shape, x.strides(), x.impl()->offset);
  return dispatch_float(x.dtype(), "sum", [&]<class T>() {
    // float32 accumulates in double (kernels/reduce.h).
    Tensor out;
    if constexpr (std::is_same_v<T, float>) {
      out = reduce_kernel<T>(
          read, mask, reduced_shape(x.shape(), mask, keepdim), double{0},
          [](double acc, auto v) { return acc + v; },
          [](const float* a, int64_t n) { return fast::sum_in_double(a, n); },
          [](double* acc, const float* a, int64_t rows, int64_t stride, int64_t n) {
            fast::accumulate_rows_in_double(a, rows, stride, acc, n);
          });
    } else {
      out = reduce_kernel<T>(read, mask, reduced_shape(x.shape(), mask, keepdim), T(0),
                             [](T acc, T v) { return acc + v; });
    }
    if (repeats != 1) {
      T* po = out.impl()->data<T>();
      const int64_t n = out.numel();
      for (int64_t i = 0; i < n; ++i) po[i] *= static_cast<T>(repeats);
    }
    return out;
  });
}

// The dims set in a reduction mask, for calling a reduction again.
absl::InlinedVector<int64_t, kInlineRank> mask_dims(absl::Span<const bool> mask) {
  absl::InlinedVector<int64_t, kInlineRank> dims;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) dims.push_back(static_cast<int64_t>(i));
  }
  return dims;
}

}  // namespace

Tensor sum(const Tensor& x, absl::Span<const int64_t> dims, bool keepdim) {
  // int64 and bool sum to int64, as in LibTorch, and are never recorded.
  if (x.defined() && !is_floating(x.dtype())) {
    const auto mask = reduction_mask(dims, x.dim(), "sum");
    Tensor counts;
    {
      NoGradGuard no_grad;
      counts = x.dtype() == kInt64 ? x : x.to(kInt64);
    }
    return reduce_kernel<int64_t>(counts, mask, reduced_shape(x.shape(), mask, keepdim), int64_t{0},
                                  [](int64_t acc, int64_t v) { return acc + v; });
  }
  check_float(x, "sum", "input");
  const auto mask = reduction_mask(dims, x.dim(), "sum");
  Tensor out = sum_forward(x, mask, keepdim);
  if (should_record({&x})) {
    record(Op::kSum, out, {&x},
           [shape = x.shape(), mask](const Tensor& grad, const BackwardContext&) {
             return GradList{expand_reduced(grad, shape, mask)};
           });
  }
  return out;
}

Tensor sum(const Tensor& x) { return sum(x, {}, false); }

Tensor mean(const Tensor& x, absl::Span<const int64_t> dims, bool keepdim) {
  check_float(x, "mean", "input");
  const auto mask = reduction_mask(dims, x.dim(), "mean");
  // An empty reduction is 0 / 0 = NaN, as in LibTorch.
  const double count = reduced_count(x.shape(), mask);
  Tensor out;
  {
    NoGradGuard no_grad;
    out = sum_forward(x, mask, keepdim) / count;
  }
  if (should_record({&x})) {
    record(Op::kMean, out, {&x},
           [shape = x.shape(), mask, count](const Tensor& grad, const BackwardContext&) {
             return GradList{expand_reduced(grad / count, shape, mask)};
           });
  }
  return out;
}

Tensor mean(const Tensor& x) { return mean(x, {}, false); }

Tensor amax(const Tensor& x, absl::Span<const int64_t> dims, bool keepdim) {
  check_float(x, "amax", "input");
  const auto mask = reduction_mask(dims, x.dim(), "amax");
  for (size_t i = 0; i < mask.size(); ++i) {
    MT_CHECK(!mask[i] || x.size(i) != 0, "amax: cannot reduce over dim ", i, " of size 0 in shape ",
             x.shape().to_string(), " (the maximum of nothing is undefined)");
  }
  Tensor out = dispatch_float(x.dtype(), "amax", [&]<class T>() {
    return reduce_kernel<T>(x, mask, reduced_shape(x.shape(), mask, keepdim),
                            -std::numeric_limits<T>::infinity(), [](T acc, T v) {
                              return (v > acc || v != v) ? v : acc;  // NaN wins and stays
                            });
  });
  if (should_record({&x})) {
    record(Op::kAmax, out, {&x},
           [input = SavedTensor(x), result = SavedTensor(out, true), mask](
               const Tensor& grad, const BackwardContext& ctx) {
             // The gradient is split evenly among the elements equal to the maximum.
             const Tensor x = input.unpack(ctx);
             const Tensor is_max = eq_mask(x, expand_reduced(result.unpack(ctx), x.shape(), mask));
             const Tensor count = sum(is_max, mask_dims(mask), /*keepdim=*/true);
             return GradList{expand_reduced(grad, x.shape(), mask) * is_max / count};
           });
  }
  return out;
}

Tensor amax(const Tensor& x) { return amax(x, {}, false); }

// m with its infinite entries replaced by 0 (NaN stays), in one pass: m is
// always detached, so no gradient goes through it.
Tensor finite_or_zero(const Tensor& m) {
  return dispatch_float(m.dtype(), "logsumexp", [&]<class T>() {
    return map_unary<T>(m, m.dtype(), [](T v) { return std::isinf(v) ? T(0) : v; });
  });
}

// The max of x over the masked dims (kept), detached, with an infinite max
// replaced by 0: the shift that keeps logsumexp's exponentials in range.
Tensor finite_max(const Tensor& x, absl::Span<const bool> mask) {
  // Nothing to take the max of: a shift of 0, so the logsumexp of nothing is
  // log(0) = -inf, as LibTorch's.
  if (x.numel() == 0) return zeros(reduced_shape(x.shape(), mask, /*keepdim=*/true), x.dtype());
  return finite_or_zero(amax(x.detach(), mask_dims(mask), /*keepdim=*/true));
}

Tensor logsumexp(const Tensor& x, absl::Span<const int64_t> dims, bool keepdim) {
  check_float(x, "logsumexp", "input");
  const auto mask = reduction_mask(dims, x.dim(), "logsumexp");
  Tensor kept;
  {
    NoGradGuard no_grad;
    // log sum exp(x) = m + log sum exp(x - m) with m the max, so no exp
    // overflows. An infinite m (all -inf, or a +inf) is replaced by 0, which
    // leaves the exact result (-inf or +inf) to the log.
    const Tensor m = finite_max(x, mask);
    kept = log(sum(exp(x - m), mask_dims(mask), /*keepdim=*/true)) + m;
  }
  Tensor out = finish(kept, x.shape(), mask, keepdim);
  if (should_record({&x})) {
    record(Op::kLogsumexp, out, {&x},
           [input = SavedTensor(x), mask](const Tensor& grad, const BackwardContext& ctx) {
             // The gradient is the softmax over the reduced dims, computed from the
             // max-shifted input: exp(x - result) would lose log(n) when |result|
             // is so large that its rounding exceeds it (|x| ~ 1e17 and beyond).
             const Tensor x = input.unpack(ctx);
             if (x.numel() == 0) return GradList{zeros(x.shape(), x.dtype())};
             const Tensor m = amax(x.detach(), mask_dims(mask), /*keepdim=*/true);
             const Tensor e = exp(x - finite_or_zero(m));
             Tensor softmax = e / sum(e, mask_dims(mask), /*keepdim=*/true);
             // Where the max is +inf, LibTorch's exp(x - result): 0 for every
             // finite x (the shifted form would give inf / inf), NaN at the
             // +inf. Selected only where there is one, which spares the
             // select and its exponentials everywhere else.
             const std::vector<double> maxima = m.to_vector();
             if (std::find(maxima.begin(), maxima.end(), INFINITY) != maxima.end()) {
               softmax = where(eq_mask(m, scalar_like(INFINITY, m)), exp(x - m), softmax);
             }
             return GradList{expand_reduced(grad, x.shape(), mask) * softmax};
           });
  }
  return out;
}

}  // namespace minitorch
