// softmax, log_softmax and cross_entropy: forward and backward side by side.
// The forwards run the stable row kernels of kernels/softmax.h; each
// backward is a formula composed from minitorch ops (what create_graph
// records, and the reference), fused into a row kernel when not recorded.
#include "kernels/softmax.h"

#include <cmath>

#include "kernels/fast_math.h"
#include "ops/op_util.h"

namespace minitorch {

namespace {

// Rows of `row_size` elements that make a chunk worth a thread.
int64_t rows_per_chunk(int64_t row_size) {
  return std::max<int64_t>(1, get_parallel_grain() / std::max<int64_t>(row_size, 1));
}

template <bool kLog>
Tensor softmax_forward(const Tensor& x, int64_t dim, const char* op) {
  const Tensor source = x.detach().contiguous();
  Tensor out = empty(source.shape(), source.dtype(), op);
  if (out.numel() == 0) return out;
  const AroundDim around = around_dim(source.shape(), dim);
  const int64_t outer = around.outer, n = around.size, inner = around.inner;
  dispatch_float(source.dtype(), op, [&]<class T>() {
    // Split over the outer index: each (outer) slice is n * inner elements.
    parallel_for(outer, rows_per_chunk(n * inner), [&](int64_t begin, int64_t end) {
      const T* x = source.impl()->data<T>() + begin * n * inner;
      T* y = out.impl()->data<T>() + begin * n * inner;
      softmax_along<T, kLog>(x, y, end - begin, n, inner);
    });
    return 0;
  });
  return out;
}

// The fused backward over the last dim of `y`.
template <bool kLog>
Tensor softmax_backward_last_dim(const Tensor& grad_in, const Tensor& y) {
  const Tensor grad = grad_in.contiguous();
  Tensor out = empty(y.shape(), y.dtype(), kLog ? "log_softmax" : "softmax");
  const int64_t n = y.dim() == 0 ? 1 : y.size(-1);
  const int64_t rows = n == 0 ? 0 : y.numel() / n;
  dispatch_float(y.dtype(), "softmax", [&]<class T>() {
    parallel_for(rows, rows_per_chunk(n), [&](int64_t begin, int64_t end) {
      const T* py = y.impl()->data<T>() + begin * n;
      const T* pg = grad.impl()->data<T>() + begin * n;
      T* po = out.impl()->data<T>() + begin * n;
      softmax_backward_rows<T, kLog>(py, pg, po, end - begin, n);
    });
    return 0;
  });
  return out;
}

}  // namespace

namespace {

// Records `out`, softmax (or log_softmax with kLog) of x along `dim`, as
// computed from x. The backward reads the output only, as LibTorch's does,
// so x may change in place before it runs. Its composed formulas: softmax
// y (g - sum(g y)), log-softmax g - e^y sum(g), over the dim.
template <bool kLog>
void record_softmax(const Tensor& x, Tensor& out, int64_t dim) {
  record(kLog ? Op::kLogSoftmax : Op::kSoftmax, out, {&x},
         [result = SavedTensor(out, true), dim](const Tensor& grad, const BackwardContext& ctx) {
           const Tensor y = result.unpack(ctx);
           const int64_t d = y.dim() == 0 ? 0 : dim;
           const bool last_dim = d == std::max<int64_t>(y.dim() - 1, 0);
           return GradList{fused_unless_recorded(
               last_dim, [&] { return softmax_backward_last_dim<kLog>(grad, y); },
               [&] {
                 if constexpr (kLog) return grad - exp(y) * sum(grad, {d}, /*keepdim=*/true);
                 return y * (grad - sum(grad * y, {d}, /*keepdim=*/true));
               })};
         });
}

template <bool kLog>
Tensor softmax_op(const Tensor& x, int64_t dim_in) {
  const char* op = kLog ? "log_softmax" : "softmax";
  check_float(x, op, "input");
  const int64_t dim = wrap_dim(dim_in, x.dim(), op);
  Tensor out = softmax_forward<kLog>(x, dim, op);
  if (should_record({&x})) record_softmax<kLog>(x, out, dim);
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_op<false>(x, dim); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_op<true>(x, dim); }

namespace {

// Class indices of a kInt64 target that fits `logits`, checked in [0, C).
std::vector<int64_t> class_indices(const Tensor& target, const Tensor& logits) {
  const int64_t classes = logits.size(-1);
  const Shape expected = logits.dim() == 2 ? Shape{logits.size(0)} : Shape{};
  MT_CHECK(target.shape() == expected, "cross_entropy: class target of shape ",
           target.shape().to_string(), " does not fit logits of shape ", logits.shape().to_string(),
           " (expected target shape ", expected.to_string(), ")");
  const Tensor t = target.contiguous();
  const int64_t* p = t.impl()->data<int64_t>();
  std::vector<int64_t> indices(p, p + t.numel());
  for (size_t i = 0; i < indices.size(); ++i) {
    MT_CHECK(indices[i] >= 0 && indices[i] < classes, "cross_entropy: target ", indices[i],
             " at index ", i, " is out of range for ", classes, " classes (logits of shape ",
             logits.shape().to_string(), ")");
  }
  return indices;
}

// One-hot rows (N, C) (or (C,)) of `logits`' dtype from checked class
// indices: the weights of the composed (reference, create_graph)
// cross-entropy backward.
Tensor one_hot(const std::vector<int64_t>& indices, const Tensor& logits) {
  const int64_t classes = logits.size(-1);
  std::vector<double> rows(indices.size() * static_cast<size_t>(classes), 0.0);
  for (size_t i = 0; i < indices.size(); ++i)
    rows[i * classes + static_cast<size_t>(indices[i])] = 1.0;
  return tensor(rows, logits.shape(), logits.dtype());
}

// The fused class-target backward: (softmax(x) - onehot(t)) * scale, from
// the probabilities the forward kept, in one pass.
Tensor scaled_probabilities(const Tensor& probabilities, const std::vector<int64_t>& indices,
                            double scale) {
  Tensor out = empty(probabilities.shape(), probabilities.dtype(), "cross_entropy");
  const int64_t classes = probabilities.size(-1);
  dispatch_float(out.dtype(), "cross_entropy", [&]<class T>() {
    T* o = out.impl()->data<T>();
    const auto s = static_cast<T>(scale);
    fast::scale(out.numel(), s, probabilities.impl()->data<T>(), o);
    for (size_t r = 0; r < indices.size(); ++r)
      o[static_cast<int64_t>(r) * classes + indices[r]] -= s;
    return 0;
  });
  return out;
}

// Class targets: a fused forward that keeps softmax(x) when the graph is
// recorded, so the backward is (softmax(x) - onehot(t)) * scale in one pass;
// the composed backward where the backward itself is recorded (create_graph).
// The kept probabilities are recorded as softmax(x), so the backward reads
// no logits (LibTorch's log_softmax keeps its result too: changing the
// logits in place before backward is allowed) and the composed backward
// differentiates through them.
Tensor class_target_cross_entropy(const Tensor& logits, const Tensor& target) {
  const std::vector<int64_t> indices = class_indices(target, logits);
  const auto batch = static_cast<double>(indices.size());
  const int64_t classes = logits.size(-1);
  const Tensor x = logits.detach().contiguous();
  const bool record_graph = should_record({&logits});
  Tensor probabilities = record_graph ? empty(x.shape(), x.dtype(), "cross_entropy") : Tensor();
  const double loss = dispatch_float(x.dtype(), "cross_entropy", [&]<class T>() {
    if (indices.empty()) return static_cast<double>(NAN);
    T* p = record_graph ? probabilities.impl()->data<T>() : nullptr;
    std::vector<double> losses(indices.size());
    parallel_for(static_cast<int64_t>(indices.size()), rows_per_chunk(classes),
                 [&](int64_t begin, int64_t end) {
                   class_cross_entropy_rows<T>(x.impl()->data<T>(), indices.data(), begin, end,
                                               classes, p, losses.data());
                 });
    double total = 0;
    for (const double row_loss : losses) total += row_loss;
    return total / batch;
  });
  Tensor out = scalar_tensor(loss, logits.dtype());
  if (record_graph) {
    record_softmax<false>(logits, probabilities, std::max<int64_t>(logits.dim() - 1, 0));
    record(
        Op::kCrossEntropy, out, {&logits, &target},
        [probabilities, indices, batch](const Tensor& grad, const BackwardContext&) {
          return GradList{
              fused_unless_recorded(
                  [&] { return scaled_probabilities(probabilities, indices, grad.item() / batch); },
                  [&] { return grad / batch * (probabilities - one_hot(indices, probabilities)); }),
              Tensor()};
        });
  }
  return out;
}

}  // namespace

Tensor cross_entropy(const Tensor& logits_in, const Tensor& target_in) {
  check_float(logits_in, "cross_entropy", "logits");
  check_defined(target_in, "cross_entropy", "target");
  MT_CHECK(logits_in.dim() == 1 || logits_in.dim() == 2, "cross_entropy: logits must have shape ",
           "(N, C) or (C,), got ", logits_in.shape().to_string());
  if (target_in.dtype() == kInt64) return class_target_cross_entropy(logits_in, target_in);
  const Promoted promoted(logits_in, target_in, "cross_entropy");
  const Tensor& logits = promoted.a();
  const Tensor& target = promoted.b();
  MT_CHECK(target.shape() == logits.shape(), "cross_entropy: probability target of shape ",
           target.shape().to_string(), " does not match logits of shape ",
           logits.shape().to_string());
  // The mean over rows; LibTorch divides by numel / C, which is 0 / 0 (NaN)
  // when there are no classes.
  const double batch = logits.size(-1) == 0 ? NAN
                       : logits.dim() == 2  ? static_cast<double>(logits.size(0))
                                            : 1.0;
  Tensor out;
  Tensor log_probabilities;
  {
    NoGradGuard no_grad;
    log_probabilities = log_softmax(logits, -1);
    out = -sum(log_probabilities * target) / batch;
  }
  if (should_record({&logits, &target})) {
    // As LibTorch's composition -sum(log_softmax(x) * w) / batch, the
    // backward reads log_softmax(x) (recorded, so it differentiates through
    // it) and w, not the logits.
    if (should_record({&logits})) {
      record_softmax<true>(logits, log_probabilities, logits.dim() - 1);
    }
    record(Op::kCrossEntropy, out, {&logits, &target},
           [log_probabilities, saved_target = SavedTensor(target), batch](
               const Tensor& grad, const BackwardContext& ctx) {
             const Tensor w = saved_target.unpack(ctx);
             const Tensor scale = grad / batch;
             GradList grads(2);
             if (ctx.needs[0]) {
               // d/dz of -sum_c w_c log softmax(z)_c = softmax(z) sum_c w_c - w.
               grads[0] = scale * (exp(log_probabilities) * sum(w, {-1}, true) - w);
             }
             if (ctx.needs[1]) grads[1] = -scale * log_probabilities;
             return grads;
           });
  }
  return out;
}

}  // namespace minitorch
