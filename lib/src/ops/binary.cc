// Elementwise binary ops with NumPy broadcasting: forward kernel and
// backward formula side by side. Every backward un-broadcasts with sum_to.
#include <cmath>

#include "ops/op_util.h"

namespace minitorch {

namespace {

// out = f(a, b) broadcast, for float a and b of one dtype.
template <class F>
Tensor binary_forward(const char* op, const Tensor& a, const Tensor& b, F f) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  return dispatch_float(a.dtype(), op, [&]<class T>() { return map_binary<T>(a, b, shape, f); });
}

// `t` saved for backward only when `needed`: save only what backward reads.
SavedTensor save_if(bool needed, const Tensor& t, bool is_output = false) {
  return needed ? SavedTensor(t, is_output) : SavedTensor();
}

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

}  // namespace

void check_float(const Tensor& t, const char* op, const char* role) {
  MT_CHECK(t.defined(), op, ": ", role, " is an undefined tensor");
  MT_CHECK(is_floating(t.dtype()), op, ": ", role, " of shape ", t.shape().to_string(),
           " is int64; this op needs float32 or float64 (convert with .to(kFloat64))");
}

Promoted::Promoted(const Tensor& a, const Tensor& b, const char* op) {
  check_float(a, op, "operand a");
  check_float(b, op, "operand b");
  if (a.dtype() == b.dtype()) {
    a_ = &a;
    b_ = &b;
  } else {
    converted_a_ = a.to(kFloat64);
    converted_b_ = b.to(kFloat64);
  }
}

Tensor sum_to(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  const int64_t lead = grad.dim() - static_cast<int64_t>(shape.size());
  MT_INTERNAL_ASSERT(lead >= 0, "sum_to: ", grad.shape().to_string(), " to ", shape.to_string());
  absl::InlinedVector<int64_t, kInlineRank> dims;
  for (int64_t i = 0; i < grad.dim(); ++i) {
    // Dropped leading dims, and dims the shape had as 1, were broadcast.
    if (i < lead || (shape[i - lead] == 1 && grad.size(i) != 1)) {
      dims.push_back(i);
    } else {
      MT_INTERNAL_ASSERT(shape[i - lead] == grad.size(i), "sum_to: ", grad.shape().to_string(),
                         " to ", shape.to_string());
    }
  }
  const Tensor summed = dims.empty() ? grad : sum(grad, dims, /*keepdim=*/true);
  return reshape(summed, shape);
}

Tensor scalar_like(double value, const Tensor& like) { return scalar_tensor(value, like.dtype()); }

#define MINITORCH_DEFINE_MASK(name, expr)                                       \
  Tensor name(const Tensor& a_in, const Tensor& b_in) {                         \
    const Promoted promoted(a_in, b_in, #name);                                 \
    return binary_forward(#name, promoted.a(), promoted.b(),                   \
                          [](auto x, auto y) -> decltype(x) { return (expr) ? 1 : 0; }); \
  }
MINITORCH_DEFINE_MASK(gt_mask, x > y)
MINITORCH_DEFINE_MASK(ge_mask, x >= y)
MINITORCH_DEFINE_MASK(le_mask, x <= y)
MINITORCH_DEFINE_MASK(eq_mask, x == y)
#undef MINITORCH_DEFINE_MASK

Tensor add(const Tensor& a_in, const Tensor& b_in) {
  const Promoted promoted(a_in, b_in, "add");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  Tensor out = binary_forward("add", a, b, [](auto x, auto y) { return x + y; });
  if (should_record({&a, &b})) {
    record(Op::kAdd, out, {&a, &b},
           [sa = a.shape(), sb = b.shape()](const Tensor& grad, const BackwardContext& ctx) {
             return GradList{ctx.needs[0] ? sum_to(grad, sa) : Tensor(),
                             ctx.needs[1] ? sum_to(grad, sb) : Tensor()};
           });
  }
  return out;
}

Tensor sub(const Tensor& a_in, const Tensor& b_in) {
  const Promoted promoted(a_in, b_in, "sub");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  Tensor out = binary_forward("sub", a, b, [](auto x, auto y) { return x - y; });
  if (should_record({&a, &b})) {
    record(Op::kSub, out, {&a, &b},
           [sa = a.shape(), sb = b.shape()](const Tensor& grad, const BackwardContext& ctx) {
             return GradList{ctx.needs[0] ? sum_to(grad, sa) : Tensor(),
                             ctx.needs[1] ? sum_to(-grad, sb) : Tensor()};
           });
  }
  return out;
}

Tensor mul(const Tensor& a_in, const Tensor& b_in) {
  const Promoted promoted(a_in, b_in, "mul");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  Tensor out = binary_forward("mul", a, b, [](auto x, auto y) { return x * y; });
  if (should_record({&a, &b})) {
    record(Op::kMul, out, {&a, &b},
           [sa = save_if(b.requires_grad(), a), sb = save_if(a.requires_grad(), b),
            shape_a = a.shape(), shape_b = b.shape()](const Tensor& grad,
                                                      const BackwardContext& ctx) {
             return GradList{ctx.needs[0] ? sum_to(grad * sb.unpack(ctx), shape_a) : Tensor(),
                             ctx.needs[1] ? sum_to(grad * sa.unpack(ctx), shape_b) : Tensor()};
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
    record(Op::kDiv, out, {&a, &b},
           [sa = save_if(b.requires_grad(), a), sb = SavedTensor(b), shape_a = a.shape()](
               const Tensor& grad, const BackwardContext& ctx) {
             const Tensor b = sb.unpack(ctx);
             return GradList{
                 ctx.needs[0] ? sum_to(grad / b, shape_a) : Tensor(),
                 ctx.needs[1] ? sum_to(-grad * sa.unpack(ctx) / (b * b), b.shape()) : Tensor()};
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
    record(Op::kPow, out, {&a, &b},
           [sa = SavedTensor(a), sb = SavedTensor(b), sout = save_if(b.requires_grad(), out, true)](
               const Tensor& grad, const BackwardContext& ctx) {
             const Tensor a = sa.unpack(ctx);
             const Tensor b = sb.unpack(ctx);
             const Tensor zero = scalar_like(0, a);
             GradList grads(2);
             if (ctx.needs[0]) {
               // d/da a^b = b a^(b-1), taken as 0 where b == 0 (even at a == 0).
               grads[0] = sum_to(grad * where(eq_mask(b, zero), zero, b * pow(a, b - 1.0)),
                                 a.shape());
             }
             if (ctx.needs[1]) {
               // d/db a^b = a^b log a, taken as 0 where a == 0 and b >= 0.
               const Tensor at_zero = eq_mask(a, zero) * ge_mask(b, zero);
               grads[1] = sum_to(grad * where(at_zero, zero, sout.unpack(ctx) * log(a)),
                                 b.shape());
             }
             return grads;
           });
  }
  return out;
}

Tensor maximum(const Tensor& a_in, const Tensor& b_in) {
  const Promoted promoted(a_in, b_in, "maximum");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  Tensor out = binary_forward("maximum", a, b,
                              [](auto x, auto y) { return (x >= y || x != x) ? x : y; });
  if (should_record({&a, &b})) {
    record(Op::kMaximum, out, {&a, &b},
           [sa = SavedTensor(a), sb = SavedTensor(b)](const Tensor& grad,
                                                      const BackwardContext& ctx) {
             const Tensor a = sa.unpack(ctx);
             const Tensor b = sb.unpack(ctx);
             auto weight = [](auto x, auto y) { return max_weight(x, y); };
             return GradList{
                 ctx.needs[0] ? sum_to(grad * binary_forward("maximum", a, b, weight), a.shape())
                              : Tensor(),
                 ctx.needs[1] ? sum_to(grad * binary_forward("maximum", b, a, weight), b.shape())
                              : Tensor()};
           });
  }
  return out;
}

Tensor minimum(const Tensor& a_in, const Tensor& b_in) {
  const Promoted promoted(a_in, b_in, "minimum");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  Tensor out = binary_forward("minimum", a, b,
                              [](auto x, auto y) { return (x <= y || x != x) ? x : y; });
  if (should_record({&a, &b})) {
    record(Op::kMinimum, out, {&a, &b},
           [sa = SavedTensor(a), sb = SavedTensor(b)](const Tensor& grad,
                                                      const BackwardContext& ctx) {
             const Tensor a = sa.unpack(ctx);
             const Tensor b = sb.unpack(ctx);
             // a wins a minimum exactly where it would lose the maximum of (b, a).
             auto weight = [](auto x, auto y) { return max_weight(y, x); };
             return GradList{
                 ctx.needs[0] ? sum_to(grad * binary_forward("minimum", a, b, weight), a.shape())
                              : Tensor(),
                 ctx.needs[1] ? sum_to(grad * binary_forward("minimum", b, a, weight), b.shape())
                              : Tensor()};
           });
  }
  return out;
}

Tensor where(const Tensor& condition, const Tensor& a_in, const Tensor& b_in) {
  MT_CHECK(condition.defined(), "where: condition is an undefined tensor");
  const Promoted promoted(a_in, b_in, "where");
  const Tensor& a = promoted.a();
  const Tensor& b = promoted.b();
  const Shape shape = broadcast_shapes(
      broadcast_shapes(condition.shape(), a.shape(), "where"), b.shape(), "where");
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
