// softmax, log_softmax and cross_entropy: fused, stable forward kernels
// (the row maximum is subtracted before exp, so no input magnitude
// overflows), backward formulas composed from minitorch ops.
#include <cmath>

#include "kernels/fast_math.h"
#include "ops/op_util.h"

namespace minitorch {

namespace {

// Softmax (or log-softmax) along the middle dim of a contiguous
// (outer, n, inner) array. Softmax stores e^(x - max) while summing it, then
// scales, so exp runs once per element.
template <class T, bool kLog>
inline __attribute__((always_inline)) void softmax_kernel(const T* x, T* y, int64_t outer, int64_t n,
                                                          int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* row = x + o * n * inner + i;
      T* out = y + o * n * inner + i;
      T max = -INFINITY;
      for (int64_t k = 0; k < n; ++k) {
        const T v = row[k * inner];
        max = (v > max || v != v) ? v : max;
      }
      T sum = 0;
      if constexpr (kLog) {
        for (int64_t k = 0; k < n; ++k) sum += fast::exp(row[k * inner] - max);
        // (x - max) - log(sum), in that order: max + log(sum) would lose the
        // log where |max| is large (fuzz_broadcast found it at 1e93).
        const T log_sum = std::log(sum);
        for (int64_t k = 0; k < n; ++k) out[k * inner] = (row[k * inner] - max) - log_sum;
      } else {
        for (int64_t k = 0; k < n; ++k) {
          const T e = fast::exp(row[k * inner] - max);
          out[k * inner] = e;
          sum += e;
        }
        const T inv = T(1) / sum;
        for (int64_t k = 0; k < n; ++k) out[k * inner] *= inv;
      }
    }
  }
}

// The float32 kernels, compiled per instruction set.
MINITORCH_CLONES void softmax_float(const float* x, float* y, int64_t outer, int64_t n, int64_t inner) {
  softmax_kernel<float, false>(x, y, outer, n, inner);
}
MINITORCH_CLONES void log_softmax_float(const float* x, float* y, int64_t outer, int64_t n, int64_t inner) {
  softmax_kernel<float, true>(x, y, outer, n, inner);
}

template <bool kLog>
Tensor softmax_forward(const Tensor& x, int64_t dim, const char* op) {
  const Tensor source = x.detach().contiguous();
  Tensor out = empty(source.shape(), source.dtype(), op);
  if (out.numel() == 0) return out;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < dim; ++i) outer *= source.size(i);
  for (int64_t i = dim + 1; i < source.dim(); ++i) inner *= source.size(i);
  const int64_t n = source.dim() == 0 ? 1 : source.size(dim);
  dispatch_float(source.dtype(), op, [&]<class T>() {
    const T* x = source.impl()->data<T>();
    T* y = out.impl()->data<T>();
    if constexpr (std::is_same_v<T, float>) {
      (kLog ? log_softmax_float : softmax_float)(x, y, outer, n, inner);
    } else {
      softmax_kernel<T, kLog>(x, y, outer, n, inner);
    }
    return 0;
  });
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim_in) {
  check_float(x, "softmax", "input");
  const int64_t dim = wrap_dim(dim_in, x.dim(), "softmax");
  Tensor out = softmax_forward<false>(x, dim, "softmax");
  if (should_record({&x})) {
    record(Op::kSoftmax, out, {&x}, [result = SavedTensor(out, true), dim](
                                        const Tensor& grad, const BackwardContext& ctx) {
      const Tensor y = result.unpack(ctx);
      const int64_t d = y.dim() == 0 ? 0 : dim;
      return GradList{y * (grad - sum(grad * y, {d}, /*keepdim=*/true))};
    });
  }
  return out;
}

Tensor log_softmax(const Tensor& x, int64_t dim_in) {
  check_float(x, "log_softmax", "input");
  const int64_t dim = wrap_dim(dim_in, x.dim(), "log_softmax");
  Tensor out = softmax_forward<true>(x, dim, "log_softmax");
  if (should_record({&x})) {
    record(Op::kLogSoftmax, out, {&x}, [result = SavedTensor(out, true), dim](
                                           const Tensor& grad, const BackwardContext& ctx) {
      const Tensor y = result.unpack(ctx);
      const int64_t d = y.dim() == 0 ? 0 : dim;
      return GradList{grad - exp(y) * sum(grad, {d}, /*keepdim=*/true)};
    });
  }
  return out;
}

namespace {

// One-hot rows (N, C) (or (C,)) of `logits`' dtype from class indices,
// checking every index is in [0, C).
Tensor one_hot(const Tensor& target, const Tensor& logits) {
  const int64_t classes = logits.size(-1);
  const Shape expected = logits.dim() == 2 ? Shape{logits.size(0)} : Shape{};
  MT_CHECK(target.shape() == expected, "cross_entropy: class target of shape ",
           target.shape().to_string(), " does not fit logits of shape ",
           logits.shape().to_string(), " (expected target shape ", expected.to_string(), ")");
  const std::vector<double> classes_of = target.to_vector();
  std::vector<double> rows(classes_of.size() * static_cast<size_t>(classes), 0.0);
  for (size_t i = 0; i < classes_of.size(); ++i) {
    const double c = classes_of[i];
    MT_CHECK(c >= 0 && c < static_cast<double>(classes), "cross_entropy: target ",
             static_cast<int64_t>(c), " at index ", i, " is out of range for ", classes,
             " classes (logits of shape ", logits.shape().to_string(), ")");
    rows[i * classes + static_cast<size_t>(c)] = 1.0;
  }
  return tensor(rows, logits.shape(), logits.dtype());
}

}  // namespace

Tensor cross_entropy(const Tensor& logits_in, const Tensor& target_in) {
  check_float(logits_in, "cross_entropy", "logits");
  MT_CHECK(target_in.defined(), "cross_entropy: target is an undefined tensor");
  MT_CHECK(logits_in.dim() == 1 || logits_in.dim() == 2, "cross_entropy: logits must have shape ",
           "(N, C) or (C,), got ", logits_in.shape().to_string());
  const bool class_target = target_in.dtype() == kInt64;
  Tensor logits = logits_in;
  Tensor target = target_in;
  if (!class_target) {
    std::tie(logits, target) = promote(logits_in, target_in, "cross_entropy");
    MT_CHECK(target.shape() == logits.shape(), "cross_entropy: probability target of shape ",
             target.shape().to_string(), " does not match logits of shape ",
             logits.shape().to_string());
  }
  // Weights per (row, class): the one-hot row of a class target, or the
  // probabilities themselves.
  const Tensor weights = class_target ? one_hot(target, logits) : target.detach();
  const double batch = logits.dim() == 2 ? static_cast<double>(logits.size(0)) : 1.0;
  Tensor out;
  {
    NoGradGuard no_grad;
    out = -sum(log_softmax(logits, -1) * weights) / batch;
  }
  if (should_record({&logits, &target})) {
    record(Op::kCrossEntropy, out, {&logits, &target},
           [saved_logits = SavedTensor(logits), saved_weights = SavedTensor(class_target ? weights : target), batch](
               const Tensor& grad, const BackwardContext& ctx) {
             const Tensor logits = saved_logits.unpack(ctx);
             const Tensor w = saved_weights.unpack(ctx);
             const Tensor scale = grad / batch;
             GradList grads(2);
             if (ctx.needs[0]) {
               // d/dz of -sum_c w_c log softmax(z)_c = softmax(z) sum_c w_c - w.
               grads[0] = scale * (softmax(logits, -1) * sum(w, {-1}, true) - w);
             }
             if (ctx.needs[1]) grads[1] = -scale * log_softmax(logits, -1);
             return grads;
           });
  }
  return out;
}

}  // namespace minitorch
