// Forward-mode dual numbers for the reference AD (testing/reference.h).
//
// Dual<B, K> carries a value and K tangents over the base type B, so one
// reference pass computes K columns of a program's Jacobian with no step
// size. It also carries K magnitudes: each tangent recomputed with the
// absolute value of every partial and every term, the |J|-like scale that
// the verdict's rounding model multiplies by the unit roundoff (a sum of
// terms computed in floating point is off by at most a few ulps of the sum
// of their magnitudes).
//
// The scalar functions below are overloaded for plain floating types and for
// Dual, so the reference kernels are written once over a scalar type S. Ties
// and kinks follow LibTorch's subgradients: relu' = 0 at 0, |x|' = 0 at 0,
// clamp passes the gradient at its bounds, maximum/minimum split it at a tie.
#ifndef MINITORCH_TESTING_DUAL_H_
#define MINITORCH_TESTING_DUAL_H_

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace minitorch::testing {

template <class B, int K, bool kBounds = true>
struct Dual {
  static_assert(K <= 32, "one bit per tangent in a uint32_t");
  using Base = B;
  static constexpr int kTangents = K;
  // Whether it carries the rounding model's magnitudes and partials' error
  // bounds (m and e). The runs that sample rounding (in the working
  // precision, or perturbed) need neither, and are a third of the size.
  static constexpr bool kHasBounds = kBounds;

  B v = 0;
  // A running bound on v's rounding, in units of the unit roundoff: each
  // operation adds |its result| to the bounds of its operands times
  // |partial| (running error analysis), so a sum that cancels keeps the
  // size of its terms. Inputs and constants are exact: 0.
  B vm = 0;
  std::array<B, K> d{};                // tangents
  std::array<B, kBounds ? K : 0> m{};  // magnitudes of the tangents (absolute-value chain rule)
  // Bounds on the tangents' error, in units of the unit roundoff, when every
  // partial is evaluated at rounded values (vm): a backward reads the
  // forward's rounded results, so exp(y) of a y off by 30 |y| ulps is off by
  // 30 |y| ulps itself.
  std::array<B, kBounds ? K : 0> e{};
  // Bit k: a path from input k reaches this value (whatever its partials);
  // a tangent without one stays exactly 0, even against a NaN partial.
  uint32_t paths = 0;
  // Bit k: such a path crossed a NaN or infinite partial derivative.
  uint32_t crossed = 0;

  Dual() = default;
  // A constant: zero tangents.
  Dual(B value) : v(value) {}  // NOLINT(google-explicit-constructor): constants mix in freely
};

// `v` if finite, else 0: error bounds at infinite or NaN partials are moot
// (those paths are marked `crossed`).
template <class B>
B finite_or_zero(B v) {
  return std::isfinite(v) ? v : B(0);
}

// The smallest normal number of the format the values are stored in, and
// its unit roundoff (0: no floor). Below the normals a rounding is off by up
// to half the smallest subnormal, absolutely, which in units of the unit
// roundoff is the smallest normal. A kernel may lose such a result
// entirely: LibTorch's sigmoid, 1 / (1 + e^-x), and minitorch's saturate to
// 0 where e^x is subnormal. So a result below the normals is bounded by all
// of itself, and so is any partial a backward evaluates from it (softmax's,
// exp's, sigmoid's). Set for the reference runs on the calling thread by
// StoredFormat.
template <class B>
inline thread_local B t_smallest_normal = 0;
template <class B>
inline thread_local B t_unit_roundoff = 0;

// The bound on rounding f into the stored format, in units of its unit
// roundoff (NaN stays NaN).
template <class B>
B rounding_of(B f) {
  const B size = std::fabs(f);
  if (!(size < t_smallest_normal<B>)) return size;
  return std::max(t_smallest_normal<B>, size / t_unit_roundoff<B>);
}

// f's relative rounding when stored, in units of the unit roundoff: 1 in the
// normal range, more below it (the error a backward inherits when it
// evaluates a partial from the stored result, as exp's and div's do).
template <class B>
B stored_relative_error(B f) {
  return f == 0 ? B(0) : finite_or_zero(rounding_of(f) / std::fabs(f));
}

// Sets t_smallest_normal<B> and t_unit_roundoff<B> for its lifetime.
template <class B>
class StoredFormat {
 public:
  StoredFormat(B smallest_normal, B unit_roundoff)
      : saved_normal_(t_smallest_normal<B>), saved_roundoff_(t_unit_roundoff<B>) {
    t_smallest_normal<B> = smallest_normal;
    t_unit_roundoff<B> = unit_roundoff;
  }
  ~StoredFormat() {
    t_smallest_normal<B> = saved_normal_;
    t_unit_roundoff<B> = saved_roundoff_;
  }
  StoredFormat(const StoredFormat&) = delete;
  StoredFormat& operator=(const StoredFormat&) = delete;

 private:
  B saved_normal_, saved_roundoff_;
};

template <class S>
struct IsDual : std::false_type {};
template <class B, int K, bool kBounds>
struct IsDual<Dual<B, K, kBounds>> : std::true_type {};

// Whether S carries the rounding model's magnitudes and error bounds.
template <class S>
inline constexpr bool kCarriesBounds = false;
template <class B, int K>
inline constexpr bool kCarriesBounds<Dual<B, K, true>> = true;

// A value with tangents along two directions, u (a) and w (b), and the mixed
// second-order term ab = d2/du dw: one reference pass over HyperDual gives
// u^T H w exactly, what a double backward is checked against. The
// magnitudes recompute each term from absolute values (as Dual's m), the
// scale of the rounding model. No paths are tracked: a term that meets an
// infinite or NaN partial is NaN, and the verdict leaves it unjudged.
template <class B>
struct HyperDual {
  using Base = B;
  B v = 0, a = 0, b = 0, ab = 0;
  B ma = 0, mb = 0, mab = 0;

  HyperDual() = default;
  // A constant: zero tangents.
  HyperDual(B value) : v(value) {}  // NOLINT(google-explicit-constructor): as Dual's
};

template <class S>
struct IsHyperDual : std::false_type {};
template <class B>
struct IsHyperDual<HyperDual<B>> : std::true_type {};

// Dual or HyperDual: a value with tangents.
template <class S>
inline constexpr bool kHasTangents = IsDual<S>::value || IsHyperDual<S>::value;

// The value of a scalar, without its tangents.
template <class S>
auto value_of(const S& s) {
  if constexpr (kHasTangents<S>) {
    return s.v;
  } else {
    return s;
  }
}

// x's tangents, magnitudes and paths with the value 0 (0 for a plain
// scalar): what a selection or a tie passes on, weighted, whatever x's value
// (inf - inf would be NaN).
template <class S>
S tangent_part(const S& x) {
  if constexpr (IsDual<S>::value) {
    S t = x;
    t.v = 0;
    t.vm = 0;  // a zero, exactly
    return t;
  } else if constexpr (IsHyperDual<S>::value) {
    S t = x;
    t.v = 0;
    return t;
  } else {
    return S(0);
  }
}

// Scalar of type S holding the plain value `v` (tangents zero).
template <class S, class V>
S constant(V v) {
  if constexpr (kHasTangents<S>) {
    return S(static_cast<typename S::Base>(v));
  } else {
    return static_cast<S>(v);
  }
}

// A tangent without a path (paths bit clear) is 0, or NaN when a select cut
// a path whose tangent was already infinite or NaN (see select_off): reverse
// mode multiplies the select's zero gradient by those partials later.
template <class B>
B dead(B t) {
  return std::isnan(t) ? t : B(0);
}

// A mask that selects (LibTorch's where and threshold_backward, minitorch's
// where and fused relu) rather than multiplies: in reverse mode its exact
// zero stops whatever gradient arrives from later ops, so the paths end here.
// The partials before it still multiply that zero: a path whose tangent is
// infinite or NaN so far leaves a NaN.
template <class B, int K, bool kBounds>
Dual<B, K, kBounds> select_off(const Dual<B, K, kBounds>& x, std::type_identity_t<B> f) {
  Dual<B, K, kBounds> out(f);
  out.crossed = x.crossed;
  out.vm = rounding_of(f);
  for (int k = 0; k < K; ++k) out.d[k] = std::isfinite(x.d[k]) ? B(0) : B(NAN);
  return out;
}

// f = kept passed on (partial 1), with `dropped` selected off as by
// select_off (the loser of maximum): dropped's paths end here.
template <class B, int K, bool kBounds>
Dual<B, K, kBounds> select_second_off(const Dual<B, K, kBounds>& kept,
                                      const Dual<B, K, kBounds>& dropped,
                                      std::type_identity_t<B> f) {
  Dual<B, K, kBounds> out = chain(kept, f, 1);
  const Dual<B, K, kBounds> off = select_off(dropped, f);
  for (int k = 0; k < K; ++k) out.d[k] += off.d[k];
  out.crossed |= dropped.crossed;
  // The rounded loser may be the rounded winner: the result is off by up to
  // the larger of the two roundings (|max(a', b') - max(a, b)| <= max of
  // |a' - a| and |b' - b|).
  out.vm += std::max(B(0), finite_or_zero(dropped.vm) - finite_or_zero(kept.vm));
  return out;
}

// x's rounding bound relative to its value, in units of the unit roundoff.
template <class B, int K, bool kBounds>
B relative_error(const Dual<B, K, kBounds>& x) {
  return x.vm == 0 ? B(0) : finite_or_zero(x.vm / std::fabs(x.v));
}

// The chain rule of a unary function: value f, derivative p at x, and
// |f''(x) / f'(x)| (`curvature`: the relative change of p per unit change of
// x, 0 for linear f); `result_error`: p's relative error, in units of the
// unit roundoff, where a backward evaluates it from the stored f. Along every path the product of
// partials is IEEE's, as in reverse mode, which multiplies the same factors in the other order: a
// zero partial (a mask) times an infinite one is NaN either way.
template <class B, int K, bool kBounds>
Dual<B, K, kBounds> chain(const Dual<B, K, kBounds>& x, std::type_identity_t<B> f,
                          std::type_identity_t<B> p, std::type_identity_t<B> curvature = 0,
                          std::type_identity_t<B> result_error = 0) {
  Dual<B, K, kBounds> out(f);
  out.paths = x.paths;
  out.crossed = x.crossed | (std::isfinite(p) ? 0u : x.paths);
  const B abs_p = std::fabs(p);
  out.vm = (x.vm == 0 ? B(0) : abs_p * x.vm) + rounding_of(f);
  const B relative = finite_or_zero(curvature * x.vm) + result_error;
  for (int k = 0; k < K; ++k) {
    if (!(x.paths >> k & 1)) {
      out.d[k] = dead(x.d[k]);
      continue;
    }
    out.d[k] = p * x.d[k];
    if constexpr (kBounds) {
      out.m[k] = abs_p * x.m[k];
      out.e[k] = abs_p * (x.e[k] + x.m[k] * relative);
    }
  }
  return out;
}

// The chain rule of a binary function: value f, partials pa, pb with
// relative errors ea, eb (in units of the unit roundoff) from their rounded
// operands.
template <class B, int K, bool kBounds>
Dual<B, K, kBounds> chain(const Dual<B, K, kBounds>& a, const Dual<B, K, kBounds>& b,
                          std::type_identity_t<B> f, std::type_identity_t<B> pa,
                          std::type_identity_t<B> pb, std::type_identity_t<B> ea = 0,
                          std::type_identity_t<B> eb = 0) {
  Dual<B, K, kBounds> out(f);
  ea = finite_or_zero(ea);
  eb = finite_or_zero(eb);
  out.paths = a.paths | b.paths;
  out.crossed = a.crossed | b.crossed | (std::isfinite(pa) ? 0u : a.paths) |
                (std::isfinite(pb) ? 0u : b.paths);
  const B abs_a = std::fabs(pa), abs_b = std::fabs(pb);
  out.vm = (a.vm == 0 ? B(0) : abs_a * a.vm) + (b.vm == 0 ? B(0) : abs_b * b.vm) + rounding_of(f);
  for (int k = 0; k < K; ++k) {
    const bool from_a = a.paths >> k & 1, from_b = b.paths >> k & 1;
    out.d[k] = (from_a ? pa * a.d[k] : dead(a.d[k])) + (from_b ? pb * b.d[k] : dead(b.d[k]));
    if constexpr (kBounds) {
      if (!from_a && !from_b) continue;
      out.m[k] = (from_a ? abs_a * a.m[k] : B(0)) + (from_b ? abs_b * b.m[k] : B(0));
      out.e[k] = (from_a ? abs_a * (a.e[k] + a.m[k] * ea) : B(0)) +
                 (from_b ? abs_b * (b.e[k] + b.m[k] * eb) : B(0));
    }
  }
  return out;
}

template <class B, int K, bool kBounds>
Dual<B, K, kBounds> operator+(const Dual<B, K, kBounds>& a, const Dual<B, K, kBounds>& b) {
  return chain(a, b, a.v + b.v, B(1), B(1));
}
template <class B, int K, bool kBounds>
Dual<B, K, kBounds> operator-(const Dual<B, K, kBounds>& a, const Dual<B, K, kBounds>& b) {
  return chain(a, b, a.v - b.v, B(1), B(-1));
}
template <class B, int K, bool kBounds>
Dual<B, K, kBounds> operator-(const Dual<B, K, kBounds>& a) {
  return chain(a, -a.v, B(-1));
}
template <class B, int K, bool kBounds>
Dual<B, K, kBounds> operator*(const Dual<B, K, kBounds>& a, const Dual<B, K, kBounds>& b) {
  return chain(a, b, a.v * b.v, b.v, a.v, relative_error(b), relative_error(a));
}
template <class B, int K, bool kBounds>
Dual<B, K, kBounds> operator/(const Dual<B, K, kBounds>& a, const Dual<B, K, kBounds>& b) {
  const B q = a.v / b.v;
  // b's partial, -q / b, is evaluated from the stored quotient.
  return chain(a, b, q, B(1) / b.v, -q / b.v, relative_error(b),
               relative_error(a) + 2 * relative_error(b) + stored_relative_error(q));
}
template <class B, int K, bool kBounds>
Dual<B, K, kBounds>& operator+=(Dual<B, K, kBounds>& a, const Dual<B, K, kBounds>& b) {
  return a = a + b;
}

// The second-order chain rule of a unary function: value f, first and
// second derivatives p and pp at x; `p_error` and `pp_error`: how far p and
// pp may be off, in units of the unit roundoff, where a backward or the
// backward of a backward evaluates them from stored values (sigmoid's
// s (1 - s) (1 - 2 s) is 0 at s = 1/2, but not at s an ulp off; x^-3.5 of
// an x near 2^300 is below the normals and keeps few digits), counted in
// the magnitude.
template <class B>
HyperDual<B> hyper_chain(const HyperDual<B>& x, std::type_identity_t<B> f,
                         std::type_identity_t<B> p, std::type_identity_t<B> pp,
                         std::type_identity_t<B> p_error = 0,
                         std::type_identity_t<B> pp_error = 0) {
  HyperDual<B> out(f);
  out.a = p * x.a;
  out.b = p * x.b;
  out.ab = p * x.ab + pp * x.a * x.b;
  out.ma = std::fabs(p) * x.ma;
  out.mb = std::fabs(p) * x.mb;
  out.mab = (std::fabs(p) + p_error) * x.mab + (std::fabs(pp) + pp_error) * x.ma * x.mb;
  return out;
}

// Second derivatives of a binary function g(x, y).
template <class B>
struct Hessian2 {
  B xx = 0, xy = 0, yy = 0;
};

// The second-order chain rule of a binary function: value f, partials px,
// py and second partials h.
template <class B>
HyperDual<B> hyper_chain(const HyperDual<B>& x, const HyperDual<B>& y, std::type_identity_t<B> f,
                         std::type_identity_t<B> px, std::type_identity_t<B> py,
                         const Hessian2<B>& h = {}) {
  HyperDual<B> out(f);
  out.a = px * x.a + py * y.a;
  out.b = px * x.b + py * y.b;
  out.ab =
      px * x.ab + py * y.ab + h.xx * x.a * x.b + h.xy * (x.a * y.b + x.b * y.a) + h.yy * y.a * y.b;
  const B ax = std::fabs(px), ay = std::fabs(py);
  out.ma = ax * x.ma + ay * y.ma;
  out.mb = ax * x.mb + ay * y.mb;
  out.mab = ax * x.mab + ay * y.mab + std::fabs(h.xx) * x.ma * x.mb +
            std::fabs(h.xy) * (x.ma * y.mb + x.mb * y.ma) + std::fabs(h.yy) * y.ma * y.mb;
  return out;
}

template <class B>
HyperDual<B> operator+(const HyperDual<B>& x, const HyperDual<B>& y) {
  return hyper_chain(x, y, x.v + y.v, B(1), B(1));
}
template <class B>
HyperDual<B> operator-(const HyperDual<B>& x, const HyperDual<B>& y) {
  return hyper_chain(x, y, x.v - y.v, B(1), B(-1));
}
template <class B>
HyperDual<B> operator-(const HyperDual<B>& x) {
  return hyper_chain(x, -x.v, B(-1), B(0));
}
template <class B>
HyperDual<B> operator*(const HyperDual<B>& x, const HyperDual<B>& y) {
  return hyper_chain(x, y, x.v * y.v, y.v, x.v, {.xy = 1});
}
template <class B>
HyperDual<B> operator/(const HyperDual<B>& x, const HyperDual<B>& y) {
  const B q = x.v / y.v;
  return hyper_chain(x, y, q, B(1) / y.v, -q / y.v,
                     {.xy = -1 / (y.v * y.v), .yy = 2 * q / (y.v * y.v)});
}
template <class B>
HyperDual<B>& operator+=(HyperDual<B>& x, const HyperDual<B>& y) {
  return x = x + y;
}

// Elementary functions, for plain floating types (std::), Dual and HyperDual.
namespace scalar {

template <class T>
T sigmoid_of(T x) {
  // Both branches avoid overflow: exp of a non-positive argument only.
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

template <class S>
S exp(const S& x) {
  if constexpr (IsDual<S>::value) {
    const auto e = std::exp(x.v);
    return chain(x, e, e, 1, stored_relative_error(e));
  } else if constexpr (IsHyperDual<S>::value) {
    const auto e = std::exp(x.v);
    return hyper_chain(x, e, e, e, rounding_of(e), rounding_of(e));
  } else {
    return std::exp(x);
  }
}
template <class S>
S log(const S& x) {
  if constexpr (IsDual<S>::value) {
    return chain(x, std::log(x.v), 1 / x.v, 1 / std::fabs(x.v));
  } else if constexpr (IsHyperDual<S>::value) {
    return hyper_chain(x, std::log(x.v), 1 / x.v, -1 / (x.v * x.v));
  } else {
    return std::log(x);
  }
}
template <class S>
S sqrt(const S& x) {
  if constexpr (IsDual<S>::value) {
    const auto r = std::sqrt(x.v);
    return chain(x, r, 1 / (2 * r), 1 / (2 * std::fabs(x.v)));
  } else if constexpr (IsHyperDual<S>::value) {
    const auto r = std::sqrt(x.v);
    return hyper_chain(x, r, 1 / (2 * r), -1 / (4 * r * x.v));
  } else {
    return std::sqrt(x);
  }
}
template <class S>
S tanh(const S& x) {
  if constexpr (IsDual<S>::value) {
    const auto t = std::tanh(x.v);
    return chain(x, t, 1 - t * t, 2 * std::fabs(t));
  } else if constexpr (IsHyperDual<S>::value) {
    const auto t = std::tanh(x.v);
    // p and pp from a stored t: d(p)/dt = -2 t, d(pp)/dt = 6 t^2 - 2.
    return hyper_chain(x, t, 1 - t * t, -2 * t * (1 - t * t), std::fabs(2 * t) * rounding_of(t),
                       std::fabs(6 * t * t - 2) * rounding_of(t));
  } else {
    return std::tanh(x);
  }
}
template <class S>
S sigmoid(const S& x) {
  if constexpr (IsDual<S>::value) {
    const auto s = sigmoid_of(x.v);
    // s (1 - s) from the stored s: mostly off as s is, where s is small.
    return chain(x, s, s * (1 - s), std::fabs(1 - 2 * s), stored_relative_error(s));
  } else if constexpr (IsHyperDual<S>::value) {
    const auto s = sigmoid_of(x.v);
    // p and pp from a stored s: d(p)/ds = 1 - 2 s, d(pp)/ds = 1 - 6 s + 6 s^2.
    return hyper_chain(x, s, s * (1 - s), s * (1 - s) * (1 - 2 * s),
                       std::fabs(1 - 2 * s) * rounding_of(s),
                       std::fabs(1 - 6 * s + 6 * s * s) * rounding_of(s));
  } else {
    return sigmoid_of(x);
  }
}
// |x| with derivative sign(x), 0 at 0 and at NaN.
template <class S>
S abs(const S& x) {
  if constexpr (IsDual<S>::value) {
    const auto v = x.v;
    return chain(x, std::fabs(v), v > 0 ? 1 : (v < 0 ? -1 : 0));
  } else if constexpr (IsHyperDual<S>::value) {
    const auto v = x.v;
    return hyper_chain(x, std::fabs(v), v > 0 ? 1 : (v < 0 ? -1 : 0), 0);
  } else {
    return std::fabs(x);
  }
}
// max(x, 0); NaN stays NaN; derivative 1 where the result is positive.
template <class S>
S relu(const S& x) {
  const auto v = value_of(x);
  const auto out = v > 0 ? v : (v != v ? v : 0);
  // The gradient passes where out > 0 and at a NaN (LibTorch's
  // threshold_backward zeroes where out <= 0, which NaN is not); elsewhere
  // minitorch's fused relu, as LibTorch's, selects.
  const bool passes = out > 0 || out != out;
  if constexpr (IsDual<S>::value) {
    return passes ? chain(x, out, 1) : select_off(x, out);
  } else if constexpr (IsHyperDual<S>::value) {
    return passes ? hyper_chain(x, out, 1, 0) : S(out);
  } else {
    return out;
  }
}
// min(max(x, lo), hi) (every element hi when lo > hi); derivative 1 where
// lo <= x <= hi, bounds included.
template <class S>
S clamp(const S& x, double lo, double hi) {
  using B = decltype(value_of(x));
  const B v = value_of(x);
  const B out = v != v ? v : std::min(std::max(v, static_cast<B>(lo)), static_cast<B>(hi));
  if constexpr (IsDual<S>::value) {
    // Outside the bounds the backward selects 0 (LibTorch's and minitorch's).
    return (v >= lo && v <= hi) ? chain(x, out, 1) : select_off(x, out);
  } else if constexpr (IsHyperDual<S>::value) {
    return hyper_chain(x, out, (v >= lo && v <= hi) ? 1 : 0, 0);
  } else {
    return out;
  }
}
// x^e for a constant e; derivative e x^(e-1), and 0 for e == 0. Named apart
// from pow(a, b), which a double S would make ambiguous.
template <class S>
S pow_constant(const S& x, double e) {
  using B = decltype(value_of(x));
  const B v = value_of(x);
  const B out = std::pow(v, static_cast<B>(e));
  if constexpr (IsDual<S>::value) {
    // x^0's backward is zeros whatever arrives (LibTorch's pow_backward, and
    // minitorch's): a constant that ends the paths, as a mask does.
    if (e == 0) return select_off(x, out);
    // The backward stores x^(e-1), then e x^(e-1): below the normals either
    // keeps only a few digits (x^-1.5 of a float32 near 1e28 is 1e-42).
    const B power = std::pow(v, static_cast<B>(e - 1));
    const B p = static_cast<B>(e) * power;
    return chain(x, out, p, std::fabs(static_cast<B>(e - 1) / v),
                 stored_relative_error(power) + stored_relative_error(p));
  } else if constexpr (IsHyperDual<S>::value) {
    if (e == 0) return hyper_chain(x, out, 0, 0);
    // As the first order's: the backward stores x^(e-1), then e x^(e-1); the
    // backward of that backward stores x^(e-2), then (e-1) x^(e-2).
    const B power = std::pow(v, static_cast<B>(e - 1));
    const B p = static_cast<B>(e) * power;
    const B p_error = std::fabs(p) * (stored_relative_error(power) + stored_relative_error(p));
    if (e == 1) return hyper_chain(x, out, p, 0, p_error);
    const B second_power = std::pow(v, static_cast<B>(e - 2));
    const B second = static_cast<B>(e - 1) * second_power;
    const B pp = static_cast<B>(e) * second;
    return hyper_chain(x, out, p, pp, p_error,
                       std::fabs(pp) * (stored_relative_error(second_power) +
                                        stored_relative_error(second) + stored_relative_error(pp)));
  } else {
    return out;
  }
}
// a^b; d/da = b a^(b-1) (0 where b == 0), d/db = a^b log a (0 where a == 0
// and b >= 0).
template <class S>
S pow(const S& a, const S& b) {
  const auto va = value_of(a), vb = value_of(b);
  const auto out = std::pow(va, vb);
  if constexpr (IsDual<S>::value) {
    using B = typename S::Base;
    const B pa = vb == 0 ? B(0) : vb * std::pow(va, vb - 1);
    const B pb = (va == 0 && vb >= 0) ? B(0) : out * std::log(va);
    // Both partials move with a (by (|b| + 1) / |a| per unit) and b (by
    // 1 + |log a| per unit): a bound for either.
    const B e = finite_or_zero((std::fabs(vb) + 1) / std::fabs(va) * a.vm) +
                finite_or_zero((1 + std::fabs(std::log(std::fabs(va)))) * b.vm);
    return chain(a, b, out, pa, pb, e, e);
  } else if constexpr (IsHyperDual<S>::value) {
    using B = typename S::Base;
    // Where a or b is 0 the first derivatives follow conventions whose
    // derivatives are not modelled: NaN, left unjudged.
    if (va == 0 || vb == 0) return hyper_chain(a, b, out, B(NAN), B(NAN));
    const B log_a = std::log(va);
    const B pa = vb * std::pow(va, vb - 1), pb = out * log_a;
    return hyper_chain(a, b, out, pa, pb,
                       {.xx = vb * (vb - 1) * std::pow(va, vb - 2),
                        .xy = std::pow(va, vb - 1) * (1 + vb * log_a),
                        .yy = pb * log_a});
  } else {
    return out;
  }
}
// maximum (kMax) or minimum of a and b: NaN if either is; at a tie the value
// of both and half of each gradient; with a NaN, the whole of both.
template <bool kMax, class S>
S extremum(const S& a, const S& b) {
  const auto va = value_of(a), vb = value_of(b);
  if constexpr (IsDual<S>::value) {
    if (va != va || vb != vb) return chain(a, b, va + vb, 1, 1);
    if (va == vb) return chain(a, b, va, 0.5, 0.5);
    // The loser's gradient is selected off (LibTorch's and minitorch's).
    const bool a_wins = kMax ? va > vb : va < vb;
    return a_wins ? select_second_off(a, b, va) : select_second_off(b, a, vb);
  } else if constexpr (IsHyperDual<S>::value) {
    if (va != va || vb != vb) return hyper_chain(a, b, va + vb, 1, 1);
    if (va == vb) return hyper_chain(a, b, va, 0.5, 0.5);
    const bool a_wins = kMax ? va > vb : va < vb;
    return hyper_chain(a, b, a_wins ? va : vb, a_wins ? 1 : 0, a_wins ? 0 : 1);
  } else {
    if (va != va || vb != vb) return va + vb;
    return (kMax ? va >= vb : va <= vb) ? a : b;
  }
}

}  // namespace scalar

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTING_DUAL_H_
