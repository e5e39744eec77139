// Elementwise unary ops: forward kernel and backward formula side by side.
#include <cmath>
#include <type_traits>

#include "kernels/fast_math.h"
#include "ops/op_util.h"

namespace minitorch {

namespace {

template <class F>
Tensor unary_forward(const char* op, const Tensor& x, F f) {
  check_float(x, op, "input");
  return dispatch_float(x.dtype(), op, [&]<class T>() { return map_unary<T>(x, x.dtype(), f); });
}

// As unary_forward, with a CPU-dispatched array kernel for contiguous
// float32 (the general path is its reference).
template <class F>
Tensor unary_forward(const char* op, const Tensor& x, F f,
                     void (*float_array)(const float*, float*, int64_t)) {
  check_float(x, op, "input");
  if (x.dtype() == kFloat32 && x.is_contiguous()) {
    Tensor out = empty(x.shape(), kFloat32, op);
    const auto* in = x.impl()->data<float>();
    auto* result = out.impl()->data<float>();
    parallel_for(x.numel(), get_parallel_grain(), [&](int64_t begin, int64_t end) {
      float_array(in + begin, result + begin, end - begin);
    });
    return out;
  }
  return unary_forward(op, x, f);
}

// Records the backward of op `out` = op(x) as f(grad, y) of the saved output
// y, elementwise (fused unless recorded: see elementwise_backward).
template <class F>
void record_from_output(Op op, Tensor& out, const Tensor& x, F f) {
  record(op, out, {&x},
         [result = SavedTensor(out, true), f](const Tensor& grad, const BackwardContext& ctx) {
           return GradList{elementwise_backward(grad, result.unpack(ctx), f)};
         });
}

// sign(x), 0 at +-0 and at NaN: the gradient of |x| as LibTorch computes it
// (checked by the non-finite oracle test).
Tensor sign_of(const Tensor& x) {
  return unary_forward("abs", x,
                       [](auto v) -> decltype(v) { return v > 0 ? 1 : (v < 0 ? -1 : 0); });
}

}  // namespace

Tensor neg(const Tensor& x) {
  Tensor out = unary_forward("neg", x, [](auto v) { return -v; });
  if (should_record({&x})) {
    record(Op::kNeg, out, {&x},
           [](const Tensor& grad, const BackwardContext&) { return GradList{neg(grad)}; });
  }
  return out;
}

Tensor operator-(const Tensor& x) { return neg(x); }

Tensor exp(const Tensor& x) {
  Tensor out = unary_forward(
      "exp", x, [](auto v) { return fast::exp(v); }, fast::exp_array);
  if (should_record({&x}))
    record_from_output(Op::kExp, out, x, [](auto g, auto y) { return g * y; });
  return out;
}

Tensor log(const Tensor& x) {
  Tensor out = unary_forward("log", x, [](auto v) { return std::log(v); });
  if (should_record({&x})) {
    record(Op::kLog, out, {&x},
           [input = SavedTensor(x)](const Tensor& grad, const BackwardContext& ctx) {
             return GradList{grad / input.unpack(ctx)};
           });
  }
  return out;
}

Tensor sqrt(const Tensor& x) {
  Tensor out = unary_forward("sqrt", x, [](auto v) { return std::sqrt(v); });
  if (should_record({&x}))
    record_from_output(Op::kSqrt, out, x, [](auto g, auto y) { return g / (2 * y); });
  return out;
}

Tensor abs(const Tensor& x) {
  Tensor out = unary_forward("abs", x, [](auto v) { return std::abs(v); });
  if (should_record({&x})) {
    record(Op::kAbs, out, {&x},
           [input = SavedTensor(x)](const Tensor& grad, const BackwardContext& ctx) {
             return GradList{grad * sign_of(input.unpack(ctx))};
           });
  }
  return out;
}

Tensor tanh(const Tensor& x) {
  Tensor out = unary_forward(
      "tanh", x, [](auto v) { return fast::tanh(v); }, fast::tanh_array);
  if (should_record({&x}))
    record_from_output(Op::kTanh, out, x, [](auto g, auto y) { return g * (1 - y * y); });
  return out;
}

Tensor sigmoid(const Tensor& x) {
  // 1 / (1 + e^-x) saturates cleanly: e^-x = inf gives 0, never NaN.
  Tensor out = unary_forward(
      "sigmoid", x, [](auto v) { return fast::sigmoid(v); }, fast::sigmoid_array);
  if (should_record({&x}))
    record_from_output(Op::kSigmoid, out, x, [](auto g, auto y) { return g * y * (1 - y); });
  return out;
}

Tensor relu(const Tensor& x) {
  Tensor out =
      unary_forward("relu", x, [](auto v) -> decltype(v) { return v > 0 ? v : (v != v ? v : 0); });
  // The subgradient at 0 is 0, as in LibTorch; at a NaN the gradient passes
  // (LibTorch's threshold_backward zeroes where y <= 0, which NaN is not).
  if (should_record({&x})) {
    record_from_output(Op::kRelu, out, x, [](auto g, auto y) {
      if constexpr (std::is_same_v<decltype(g), Tensor>) {
        // Selects, as the fused form and LibTorch's threshold_backward do: an
        // infinite or NaN gradient arriving where y <= 0 stops here (a mask
        // that multiplies would make it NaN).
        return where(le_mask(y, scalar_like(0, g)), scalar_like(0, g), g);
      } else {
        return y <= 0 ? decltype(g)(0) : g;
      }
    });
  }
  return out;
}

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  MT_CHECK(min.has_value() || max.has_value(), "clamp: at least one of min and max must be given");
  const double lo = min.value_or(-INFINITY);
  const double hi = max.value_or(INFINITY);
  MT_CHECK(!std::isnan(lo) && !std::isnan(hi), "clamp: bounds must not be NaN");
  Tensor out = unary_forward("clamp", x, [lo, hi](auto v) -> decltype(v) {
    using T = decltype(v);
    // min then max, as LibTorch: with lo > hi every element becomes hi.
    return v != v ? v : std::min(std::max(v, static_cast<T>(lo)), static_cast<T>(hi));
  });
  if (should_record({&x})) {
    record(Op::kClamp, out, {&x},
           [input = SavedTensor(x), lo, hi](const Tensor& grad, const BackwardContext& ctx) {
             // The gradient passes where lo <= x <= hi, bounds included, as in LibTorch.
             const Tensor in_range = unary_forward(
                 "clamp", input.unpack(ctx),
                 [lo, hi](auto v) -> decltype(v) { return (v >= lo && v <= hi) ? 1 : 0; });
             return GradList{weighted_grad(grad, in_range)};
           });
  }
  return out;
}

Tensor pow(const Tensor& x, double exponent) {
  // LibTorch computes x^0.5 and x^-0.5 as sqrt and rsqrt, which differ from
  // std::pow at -inf (NaN, not +inf or 0) and at -0 (-0 and -inf, not +0 and
  // +inf). The kernel is chosen once, outside the element loop.
  Tensor out;
  if (exponent == 0.5) {
    out = unary_forward("pow", x, [](auto v) { return std::sqrt(v); });
  } else if (exponent == -0.5) {
    out = unary_forward("pow", x, [](auto v) { return decltype(v)(1) / std::sqrt(v); });
  } else {
    out = unary_forward(
        "pow", x, [exponent](auto v) { return std::pow(v, static_cast<decltype(v)>(exponent)); });
  }
  if (should_record({&x})) {
    record(Op::kPowScalar, out, {&x},
           [input = SavedTensor(x), exponent](const Tensor& grad, const BackwardContext& ctx) {
             if (exponent == 0) return GradList{zeros(grad.shape(), grad.dtype())};
             return GradList{grad * (exponent * pow(input.unpack(ctx), exponent - 1))};
           });
  }
  return out;
}

Tensor Tensor::to(DType dtype) const {
  const Tensor& self = *this;
  if (self.dtype() == dtype) return self;
  Tensor out = dispatch_all(self.dtype(), [&]<class From>() {
    return dispatch_all(dtype, [&]<class To>() {
      if constexpr (std::is_same_v<To, int64_t> && std::is_floating_point_v<From>) {
        return map_unary<From, To>(self, dtype, [](From v) {
          // Out-of-range and NaN values have no int64; saturate instead of UB.
          if (!(v == v)) return int64_t{0};
          if (v >= static_cast<From>(9.2233720368547758e18)) return INT64_MAX;
          if (v <= static_cast<From>(-9.2233720368547758e18)) return INT64_MIN;
          return static_cast<int64_t>(v);
        });
      } else {
        return map_unary<From, To>(self, dtype, [](From v) { return static_cast<To>(v); });
      }
    });
  });
  if (is_floating(dtype) && is_floating(self.dtype()) && should_record({&self})) {
    record(Op::kToDtype, out, {&self},
           [from = self.dtype()](const Tensor& grad, const BackwardContext&) {
             return GradList{grad.to(from)};
           });
  }
  return out;
}

Tensor Tensor::clone() const {
  const Tensor& self = *this;
  Tensor out = dispatch_all(self.dtype(), [&]<class T>() {
    return map_unary<T>(self, self.dtype(), [](T v) { return v; });
  });
  if (is_floating(self.dtype()) && should_record({&self})) {
    record(Op::kClone, out, {&self},
           [](const Tensor& grad, const BackwardContext&) { return GradList{grad}; });
  }
  return out;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

}  // namespace minitorch
