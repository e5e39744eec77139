// Elementwise binary ops with NumPy broadcasting: forward kernel and
// backward formula side by side. record_binary (op_util.h) un-broadcasts
// every gradient with sum_to, so each formula gives the gradient at the
// output's shape. Each formula saves what it reads only when its input
// requires grad (the other formula never runs then).
#include <cmath>

#include "ops/op_util.h"

namespace minitorch {

namespace {

// Weight of a's gradient in maximum(a, b): 1 where a wins, 1/2 at a tie,
// 0 where b wins; NaN on either side sends the whole gradient to both, as
// LibTorch does.
template <class T>
T max_weight(T a, T b) {
  if (a > b) return T(1);
  if (a == b) return T(0.5);
  if (a < b) return T(0);
  return T(1);
}

// maximum (kMax) or minimum: the winner of each pair, NaN if either is NaN.
// At a tie each input gets half the gradient; a wins a minimum exactly where
// it would lose the maximum of (b, a).
template <bool kMax>
Tensor extremum(const Tensor& a_in, const Tensor& b_in) {
  const char* op = kMax ? "maximum" : "minimum";
  const Promoted promoted(a_in, b_in, op);
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  Tensor out = binary_forward(
      op, a, b, [](auto x, auto y) { return ((kMax ? x >= y : x <= y) || x != x) ? x : y; });
  // d extremum / d first = weight(first, second), for either order.
  const auto weight = [op](const Tensor& first, const Tensor& second) {
    return binary_forward(op, first, second, [](auto x, auto y) {
      return kMax ? max_weight(x, y) : max_weight(y, x);
    });
  };
  if (should_record({&a, &b})) {
    record_binary(
        kMax ? Op::kMaximum : Op::kMinimum, out, a, b,
        [weight, sa = save_if(a.requires_grad(), a), sb = save_if(a.requires_grad(), b)](
            const Tensor& grad, const BackwardContext& ctx) {
          return weighted_grad(grad, weight(sa.unpack(ctx), sb.unpack(ctx)));
        },
        [weight, sa = save_if(b.requires_grad(), a), sb = save_if(b.requires_grad(), b)](
            const Tensor& grad, const BackwardContext& ctx) {
          return weighted_grad(grad, weight(sb.unpack(ctx), sa.unpack(ctx)));
        });
  }
  return out;
}

}  // namespace

Tensor add(const Tensor& a_in, const Tensor& b_in) {
  const Promoted promoted(a_in, b_in, "add");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  Tensor out = binary_forward("add", a, b, [](auto x, auto y) { return x + y; });
  if (should_record({&a, &b})) {
    record_binary(
        Op::kAdd, out, a, b, [](const Tensor& grad, const BackwardContext&) { return grad; },
        [](const Tensor& grad, const BackwardContext&) { return grad; });
  }
  return out;
}

Tensor sub(const Tensor& a_in, const Tensor& b_in) {
  const Promoted promoted(a_in, b_in, "sub");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  Tensor out = binary_forward("sub", a, b, [](auto x, auto y) { return x - y; });
  if (should_record({&a, &b})) {
    record_binary(
        Op::kSub, out, a, b, [](const Tensor& grad, const BackwardContext&) { return grad; },
        [](const Tensor& grad, const BackwardContext&) { return -grad; });
  }
  return out;
}

Tensor mul(const Tensor& a_in, const Tensor& b_in) {
  const Promoted promoted(a_in, b_in, "mul");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  Tensor out = binary_forward("mul", a, b, [](auto x, auto y) { return x * y; });
  if (should_record({&a, &b})) {
    record_binary(
        Op::kMul, out, a, b,
        [sb = save_if(a.requires_grad(), b)](const Tensor& grad, const BackwardContext& ctx) {
          return grad * sb.unpack(ctx);
        },
        [sa = save_if(b.requires_grad(), a)](const Tensor& grad, const BackwardContext& ctx) {
          return grad * sa.unpack(ctx);
        });
  }
  return out;
}

Tensor div(const Tensor& a_in, const Tensor& b_in) {
  const Promoted promoted(a_in, b_in, "div");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  Tensor out = binary_forward("div", a, b, [](auto x, auto y) { return x / y; });
  if (should_record({&a, &b})) {
    record_binary(
        Op::kDiv, out, a, b,
        [sb = save_if(a.requires_grad(), b)](const Tensor& grad, const BackwardContext& ctx) {
          return grad / sb.unpack(ctx);
        },
        [sb = save_if(b.requires_grad(), b), sout = save_if(b.requires_grad(), out, true)](
            const Tensor& grad, const BackwardContext& ctx) {
          // -grad * (a / b) / b, ordered so that no intermediate exceeds
          // the result: divide first where |b| >= 1, multiply first where
          // |b| < 1. a / (b * b) overflows for |b| > 1e154, LibTorch's
          // grad * ((a / b) / b) turns a zero gradient times an overflowing
          // a / b^2 into NaN, and grad / b overflows for a subnormal b.
          const Tensor b = sb.unpack(ctx);
          const Tensor quotient = sout.unpack(ctx);  // a / b, the forward's result
          const Tensor divide_first = ge_mask(abs(b), scalar_like(1, b));
          return -where(divide_first, (grad / b) * quotient, (grad * quotient) / b);
        });
  }
  return out;
}

Tensor pow(const Tensor& a_in, const Tensor& b_in) {
  const Promoted promoted(a_in, b_in, "pow");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  Tensor out = binary_forward("pow", a, b, [](auto x, auto y) { return std::pow(x, y); });
  if (should_record({&a, &b})) {
    record_binary(
        Op::kPow, out, a, b,
        // d/da a^b = b a^(b-1), taken as 0 where b == 0 (even at a == 0),
        // selected as LibTorch does: a NaN or infinite grad stops there too.
        [sa = save_if(a.requires_grad(), a), sb = save_if(a.requires_grad(), b)](
            const Tensor& grad, const BackwardContext& ctx) {
          const Tensor a = sa.unpack(ctx);
          const Tensor b = sb.unpack(ctx);
          const Tensor zero = scalar_like(0, a);
          return where(eq_mask(b, zero), zero, grad * (b * pow(a, b - 1.0)));
        },
        // d/db a^b = a^b log a, taken as 0 where a == 0 and b >= 0 (a factor,
        // as in LibTorch: a NaN or infinite grad there stays NaN).
        [sa = save_if(b.requires_grad(), a), sb = save_if(b.requires_grad(), b),
         sout = save_if(b.requires_grad(), out, true)](const Tensor& grad,
                                                       const BackwardContext& ctx) {
          const Tensor a = sa.unpack(ctx);
          const Tensor b = sb.unpack(ctx);
          const Tensor zero = scalar_like(0, a);
          const Tensor at_zero = eq_mask(a, zero) * ge_mask(b, zero);
          return grad * where(at_zero, zero, sout.unpack(ctx) * log(a));
        });
  }
  return out;
}

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum<true>(a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum<false>(a, b); }

Tensor where(const Tensor& condition, const Tensor& a_in, const Tensor& b_in) {
  check_defined(condition, "where", "condition");
  const Promoted promoted(a_in, b_in, "where");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  const Shape shape =
      broadcast_shapes(broadcast_shapes(condition.shape(), a.shape(), "where"), b.shape(), "where");
  const Tensor cond = condition.detach().to(a.dtype());
  Tensor out = dispatch_float(a.dtype(), "where", [&]<class T>() {
    return map_ternary<T>(cond, a, b, shape, [](T c, T x, T y) { return c != 0 ? x : y; });
  });
  if (should_record({&a, &b})) {
    record(Op::kWhere, out, {&cond, &a, &b},
           [cond, shape_a = a.shape(), shape_b = b.shape()](const Tensor& grad,
                                                            const BackwardContext& ctx) {
             const Tensor zero = scalar_like(0, grad);
             return GradList{Tensor(),
                             ctx.needs[1] ? sum_to(where(cond, grad, zero), shape_a) : Tensor(),
                             ctx.needs[2] ? sum_to(where(cond, zero, grad), shape_b) : Tensor()};
           });
  }
  return out;
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, scalar_like(b, a)); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_like(a, b), b); }
Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_like(b, a)); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar_like(a, b), b); }
Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_like(b, a)); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar_like(a, b), b); }
Tensor operator/(const Tensor& a, double b) { return div(a, scalar_like(b, a)); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_like(a, b), b); }

}  // namespace minitorch
