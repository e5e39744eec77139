// The verdict (see verdict.h).
#include "testing/verdict.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "tensor_impl.h"  // make_view: a sliced leaf, until the API slices
#include "testing/differences.h"
#include "testing/dual.h"
#include "testing/reference.h"

namespace minitorch::testing {

const char* unjudged_name(Unjudged reason) {
  switch (reason) {
    case Unjudged::kOverflow:
      return "overflows in the working precision";
    case Unjudged::kNoDigits:
      return "rounding allows no significant digit";
    case Unjudged::kSpreadNotFinite:
      return "a rounded reference run is not finite";
    case Unjudged::kNonFiniteForward:
      return "NaN or inf in the forward pass";
    case Unjudged::kInfinitePartial:
      return "a NaN or infinite partial derivative on the way";
    case Unjudged::kOtherBranch:
      return "rounding takes another branch at a kink than exact arithmetic";
    case Unjudged::kGradientOutOfRange:
      return "the gradient of an intermediate value leaves the working range";
    case Unjudged::kSecondOrderNotFinite:
      return "a term of the second-order check is not finite";
    case Unjudged::kOverflowOrder:
      return "a sum past the range overflows in another order than exact arithmetic";
    case Unjudged::kExponentArgument:
      return "rounding moves an exponential's argument, or a softmax's weights, off the exact "
             "point";
  }
  return "?";
}

namespace {

using Real = long double;
constexpr int kTangents = 16;
// The last tangent slot carries the random direction over all inputs.
constexpr int kColumnsPerPass = kTangents - 1;
using Exact = Dual<Real, kTangents>;
// The runs that sample rounding (in the working precision, or perturbed)
// carry no bounds of their own.
template <class B>
using Sampled = Dual<B, kTangents, /*kBounds=*/false>;

// An input element whose column of J the reference computes.
struct Column {
  size_t input;
  int64_t flat;
};

// One reference run: values and, per output element, its K tangents and
// magnitudes.
struct RefRun {
  std::vector<int64_t> shape;
  std::vector<Real> value;
  std::vector<std::array<Real, kTangents>> tangent, magnitude, error;
  std::vector<uint32_t> crossed;      // Dual::crossed of each output element
  std::vector<Real> value_magnitude;  // Dual::vm of each output element
  int64_t largest = 1;                // elements of the largest value the program computes
  bool non_finite = false;            // an input or a step's result holds NaN or inf
};

// The working precision: the dtype minitorch computes in.
struct Working {
  bool is_float32 = false;
  // A program that mixes float32 and float64 (to_dtype, or inputs of both):
  // whether each input and each step's result is float32, as minitorch
  // computes them, and is_float32 the coarsest (any value float32), the
  // rounding model's unit. Empty when every value has is_float32's dtype.
  std::vector<bool> input_float32, step_float32;
  // The dtype of the tensor judged: the result, or an input's gradient.
  bool judged_is_float32 = false;

  Real unit_roundoff() const { return unit_roundoff_of(is_float32); }
  Real round(Real v) const { return round_to(is_float32, v); }
  Real round_judged(Real v) const { return round_to(judged_is_float32, v); }
  // Step `step`'s result as minitorch stores it, and that format's unit.
  Real round_step(size_t step, Real v) const {
    return step_float32.empty() ? round(v) : round_to(step_float32[step], v);
  }
  Real unit_roundoff_step(size_t step) const {
    return step_float32.empty() ? unit_roundoff() : unit_roundoff_of(step_float32[step]);
  }
  bool mixed() const { return !step_float32.empty(); }
  Working judging_result() const {
    Working w = *this;
    if (mixed()) w.judged_is_float32 = step_float32.back();
    return w;
  }
  Working judging_input(size_t input) const {
    Working w = *this;
    if (mixed()) w.judged_is_float32 = input_float32[input];
    return w;
  }
  static Real unit_roundoff_of(bool float32) {
    return float32 ? std::ldexp(Real(1), -24) : std::ldexp(Real(1), -53);
  }
  static Real round_to(bool float32, Real v) {
    return float32 ? stored<float>(v) : stored<double>(v);
  }
  // v rounded to T through memory: g++ (before 13) may keep a long double
  // in an x87 register across a cast to double in C++, skipping the rounding
  // and the overflow to inf.
  template <class T>
  static Real stored(Real v) {
    volatile T t = static_cast<T>(v);
    return t;
  }
  Real smallest_normal() const {
    return is_float32 ? std::numeric_limits<float>::min() : std::numeric_limits<double>::min();
  }
  Real smallest_subnormal() const {
    return is_float32 ? std::numeric_limits<float>::denorm_min()
                      : std::numeric_limits<double>::denorm_min();
  }
};

// Inputs as reference arrays over the dual type D, tangent k seeded at
// column `columns[k]` and the last at `direction` (empty: none).
template <class D>
std::vector<RefArrayT<D>> seeded_inputs(const std::vector<Tensor>& inputs,
                                        const std::vector<Column>& columns,
                                        const std::vector<std::vector<Real>>& direction) {
  using B = typename D::Base;
  std::vector<RefArrayT<D>> out;
  for (const Tensor& t : inputs) out.push_back(to_ref_as<D>(t));
  for (size_t k = 0; k < columns.size(); ++k) {
    auto& x = out[columns[k].input].values[static_cast<size_t>(columns[k].flat)];
    x.d[k] = 1;
    if constexpr (D::kHasBounds) x.m[k] = 1;
    x.paths |= 1u << k;
  }
  for (size_t i = 0; i < direction.size(); ++i) {
    for (size_t e = 0; e < direction[i].size(); ++e) {
      auto& x = out[i].values[e];
      x.d[kTangents - 1] = static_cast<B>(direction[i][e]);
      if constexpr (D::kHasBounds) x.m[kTangents - 1] = std::fabs(static_cast<B>(direction[i][e]));
      x.paths |= 1u << (kTangents - 1);
    }
  }
  return out;
}

// A float64 operand of a step that computes in float32 (a 0-dim float64
// tensor beside a float32 one: LibTorch's result_type) read as float32, as
// minitorch's promotion converts it (1e208 is inf there). `w` null or not
// mixed: none.
template <class D>
auto promoted_operands(const Working* w, size_t inputs) {
  return [w, inputs](size_t step, int arg, const RefArrayT<D>& value) {
    std::optional<RefArrayT<D>> read;
    if (w == nullptr || !w->mixed() || !w->step_float32[step]) return read;
    const auto a = static_cast<size_t>(arg);
    if (a < inputs ? w->input_float32[a] : w->step_float32[a - inputs]) return read;
    read = value;
    for (auto& x : read->values) {
      using V = std::remove_reference_t<decltype(x.v)>;
      x.v = static_cast<V>(Working::round_to(true, x.v));
    }
    return read;
  };
}

template <class D, class AfterStep>
RefRun run_reference(const Program& program, const std::vector<Tensor>& inputs,
                     const std::vector<Column>& columns,
                     const std::vector<std::vector<Real>>& direction, const Working* w,
                     const AfterStep& after_step) {
  RefRun run;
  const auto note_non_finite = [&run](const auto& value) {
    for (const auto& x : value.values) run.non_finite |= !std::isfinite(value_of(x));
  };
  auto seeded = seeded_inputs<D>(inputs, columns, direction);
  for (const auto& x : seeded) {
    run.largest = std::max<int64_t>(run.largest, static_cast<int64_t>(x.values.size()));
    note_non_finite(x);
  }
  const auto out = reference_program(
      program, std::move(seeded),
      [&](size_t step, auto& value) {
        run.largest = std::max<int64_t>(run.largest, static_cast<int64_t>(value.values.size()));
        after_step(step, value);
        note_non_finite(value);
      },
      promoted_operands<D>(w, inputs.size()));
  run.shape = out.shape;
  const size_t n = out.values.size();
  run.value.reserve(n);
  run.tangent.reserve(n);
  run.magnitude.reserve(n);
  run.error.reserve(n);
  run.crossed.reserve(n);
  run.value_magnitude.reserve(n);
  for (const auto& x : out.values) {
    run.value.push_back(x.v);
    std::array<Real, kTangents> d, m, e;
    for (int k = 0; k < kTangents; ++k) {
      d[k] = x.d[k];
      if constexpr (D::kHasBounds) {
        m[k] = x.m[k];
        e[k] = x.e[k];
      } else {
        m[k] = e[k] = 0;
      }
    }
    run.tangent.push_back(d);
    run.magnitude.push_back(m);
    run.error.push_back(e);
    run.crossed.push_back(x.crossed);
    run.value_magnitude.push_back(x.vm);
  }
  return run;
}

// The three reference runs of one pass: exact, in the working precision, and
// exact with every step's inexact results perturbed by up to an ulp.
struct Pass {
  RefRun exact, working, perturbed;
  // The inputs and each step's result as the exact run stored them (kept on
  // request): the branches it took at kinks.
  std::vector<Tensor> exact_values;
  // Each step's running bounds on its own rounding (Dual::vm, kept with
  // exact_values), for the double backward's perturbed run.
  std::vector<std::vector<Real>> step_value_magnitudes;
};

// The perturbation of an inexact value, in ulps: a number in +-[0.5, 1)
// determined by the value (and the seed), so equal values move alike, as
// equal exact results round alike. Independent perturbations would split
// ties that rounding keeps.
double ulps_for(Real v, uint64_t seed) {
  int exponent = 0;
  const Real mantissa = std::frexp(std::fabs(v), &exponent);  // [0.5, 1)
  uint64_t bits = static_cast<uint64_t>(std::ldexp(mantissa, 64)) ^
                  (static_cast<uint64_t>(exponent) * 0x9E3779B97F4A7C15ULL) ^ seed ^ (v < 0);
  // splitmix64's finaliser.
  bits = (bits ^ (bits >> 30)) * 0xBF58476D1CE4E5B9ULL;
  bits = (bits ^ (bits >> 27)) * 0x94D049BB133111EBULL;
  bits ^= bits >> 31;
  const double unit = 0.5 + static_cast<double>(bits >> 12) * 0x1p-53;
  return (bits & 1) != 0 ? unit : -unit;
}

// Step `step`'s result v, with its running rounding bound vm, as a minitorch
// op that is not correctly rounded may store it. minitorch's ops are off by
// an ulp or two (vectorised exp, sigmoid and tanh), and a composite op
// (cross_entropy, a GEMM) rounds many times: an inexact result moves by 1 to
// 2 ulps of the larger of its value and its bound. So does a representable
// one whose step rounded inside on terms larger than it: a fused
// multiply-add's a*c - a*c is the rounding error of a*c, not the exact 0.
Real perturbed_store(const Working& w, size_t step, Real v, Real vm, uint64_t seed) {
  if (!std::isfinite(v)) return v;
  const bool rounded_inside = vm > std::max(std::fabs(v), w.smallest_normal());
  if (w.round_step(step, v) != v || rounded_inside) {
    v += static_cast<Real>(ulps_for(v, seed)) * 4 * w.unit_roundoff_step(step) *
         std::max(std::fabs(v), vm);
  }
  return w.round_step(step, v);
}

// For a mixed program's working-precision run, computed in double: each
// float32 step's result (value and tangents) rounded to float32, as
// minitorch stores it.
auto as_stored(const Working& w) {
  return [&w](size_t step, auto& value) {
    if (!w.step_float32[step]) return;
    for (auto& x : value.values) {
      x.v = static_cast<double>(Working::round_to(true, x.v));
      for (auto& d : x.d) d = static_cast<double>(Working::round_to(true, d));
    }
  };
}

Pass run_pass(const Program& program, const std::vector<Tensor>& inputs, const Working& w,
              const std::vector<Column>& columns, const std::vector<std::vector<Real>>& direction,
              uint64_t seed, bool keep_values) {
  Pass pass;
  const StoredFormat<Real> format(w.smallest_normal(), w.unit_roundoff());
  if (keep_values) pass.exact_values = inputs;
  // Each step is exact and its result stored in the working precision, as
  // minitorch stores it: the format's range (beyond it an infinity, below it
  // a zero) and the ties that rounding makes are minitorch's too. The
  // running error bounds (Dual::vm, and the partials' errors they feed)
  // count the rounding inside each step, so each step starts from exact
  // operands.
  pass.exact =
      run_reference<Exact>(program, inputs, columns, direction, &w, [&](size_t step, auto& value) {
        if (keep_values) {
          pass.step_value_magnitudes.emplace_back();
          for (const Exact& x : value.values) pass.step_value_magnitudes.back().push_back(x.vm);
        }
        for (Exact& x : value.values) {
          x.v = w.round_step(step, x.v);
          if (step + 1 < program.size()) x.vm = 0;
        }
        if (keep_values) {
          std::vector<double> stored;
          for (const Exact& x : value.values) stored.push_back(static_cast<double>(x.v));
          const bool float32 = w.mixed() ? w.step_float32[step] : w.is_float32;
          pass.exact_values.push_back(
              tensor(stored, Shape(value.shape), float32 ? kFloat32 : kFloat64));
        }
      });
  if (w.mixed()) {
    pass.working =
        run_reference<Sampled<double>>(program, inputs, columns, direction, &w, as_stored(w));
  } else if (w.is_float32) {
    pass.working = run_reference<Sampled<float>>(program, inputs, columns, direction, &w,
                                                 [](size_t, auto&) {});
  } else {
    pass.working = run_reference<Sampled<double>>(program, inputs, columns, direction, &w,
                                                  [](size_t, auto&) {});
  }
  pass.perturbed = run_reference<Sampled<Real>>(program, inputs, columns, direction, &w,
                                                [&](size_t step, auto& value) {
                                                  for (Sampled<Real>& x : value.values) {
                                                    x.v = perturbed_store(w, step, x.v, x.vm, seed);
                                                    if (step + 1 < program.size()) x.vm = 0;
                                                  }
                                                });
  return pass;
}

// What the three runs say about one scalar (an entry of J^T v or a value).
struct Opinion {
  Real exact = 0, working = 0, perturbed = 0;
  Real magnitude = 0;      // A of the rounding model
  Real partial_error = 0;  // E of the rounding model (Dual::e)
  bool crossed = false;    // a path crossed a NaN or infinite partial (Dual::crossed)
};

enum class Outcome { kPass, kFail, kInconclusive };

struct EntryJudgement {
  Outcome outcome = Outcome::kPass;
  Unjudged reason = Unjudged::kNoDigits;
  Real expected = 0, tolerance = 0;
};

// The rounding model's tolerance (verdict.h) around `exact`: four times the
// spread of the working-precision and perturbed runs about it, the unit
// roundoff times `terms` (the terms' rounding: noise times their magnitude,
// plus the partials' own error), the final roundings, and the subnormal floor.
Real rounding_tolerance(Real exact, Real working, Real perturbed, Real terms, const Working& w,
                        Real noise) {
  const Real u = w.unit_roundoff();
  const Real spread = std::max(std::isfinite(working) ? std::fabs(working - exact) : 0,
                               std::fabs(perturbed - exact));
  return 4 * spread + u * terms + 2 * u * std::fabs(exact) + noise * w.smallest_subnormal();
}

// Not even the sign is sure within `tolerance`, nor is the bound small beside
// the terms (a sum that cancels to about 0 is still judged against their
// size). A value below the subnormals is judged as closely as the format
// allows, unless the bound is a sizeable part of the terms and far above
// the subnormals: a rounded run that took another branch (the winner of a
// tie that rounding breaks) moves an exact 0 by a whole term.
bool has_no_digits(Real tolerance, Real exact, Real magnitude, const Working& w, Real noise) {
  const Real sqrt_u = std::sqrt(w.unit_roundoff());
  if (tolerance < sqrt_u * (magnitude + std::fabs(exact))) return false;
  const Real floor = noise * w.smallest_subnormal();
  return std::fabs(exact) > floor ? tolerance >= std::fabs(exact) / 2 : tolerance > floor / sqrt_u;
}

// The rounding model of verdict.h for one entry computed by minitorch as `got`.
// `in_working_precision`: minitorch computed `got` in the working precision
// (not the direction check, summed in long double on both sides).
EntryJudgement judge_entry(Real got, const Opinion& o, const Working& w, Real noise,
                           bool non_finite_forward, bool in_working_precision = true) {
  EntryJudgement j;
  j.expected = in_working_precision ? w.round_judged(o.exact) : o.exact;
  // The direction check sums minitorch's gradients in long double: one that
  // rightly overflowed double makes the sum infinite. Where the exact sum is
  // past the working range too, that infinity of the same sign is its
  // rounding (a gradient -a / b^2 of 2^1063); below it, the sum cannot say
  // which gradient overflowed rightly.
  if (!in_working_precision && std::isinf(got) && std::isfinite(j.expected)) {
    const Real rounded = w.round_judged(o.exact);
    if (std::isinf(rounded) && std::signbit(rounded) == std::signbit(got)) return j;
    j.outcome = Outcome::kInconclusive;
    j.reason = Unjudged::kOverflow;
    return j;
  }
  const bool patterns_differ = std::isfinite(j.expected) != std::isfinite(got) ||
                               value_class(got) != value_class(j.expected);
  if (patterns_differ && non_finite_forward) {
    j.outcome = Outcome::kInconclusive;
    j.reason = Unjudged::kNonFiniteForward;
    return j;
  }
  // A path through a NaN or infinite partial (pow's log of a negative base,
  // sqrt' at 0): forward and reverse mode add its infinities in different
  // orders (inf - inf in one, inf in the other), and a mask that selects
  // (where) stops an infinite gradient that a multiplying one makes NaN.
  if (o.crossed && (patterns_differ || !std::isfinite(o.magnitude))) {
    if (!patterns_differ && !std::isfinite(got)) return j;
    j.outcome = Outcome::kInconclusive;
    j.reason = Unjudged::kInfinitePartial;
    return j;
  }
  if (!std::isfinite(j.expected)) {
    if (value_class(got) == value_class(j.expected)) return j;
    // Infinities that meet in a backward's sums make NaN: no stable formula
    // avoids that, so an infinite expectation does not judge a NaN. An
    // infinite partial (pow's at a zero base) meets the other terms in a
    // different order in forward and reverse mode: inf - inf in one, inf in
    // the other.
    if (std::isinf(j.expected) && std::isnan(got)) {
      j.outcome = Outcome::kInconclusive;
      j.reason = Unjudged::kOverflow;
    } else if (std::isnan(j.expected) && std::isinf(got)) {
      j.outcome = Outcome::kInconclusive;
      j.reason = Unjudged::kInfinitePartial;
    } else {
      j.outcome = Outcome::kFail;
    }
    return j;
  }
  const bool runs_finite = std::isfinite(o.working) && std::isfinite(o.perturbed);
  if (!std::isfinite(got)) {
    // Terms whose magnitudes sum past the working range may overflow in a
    // partial sum, depending on the order, though the total is finite.
    const bool may_overflow = !runs_finite || !std::isfinite(w.round_judged(o.magnitude));
    j.outcome = may_overflow ? Outcome::kInconclusive : Outcome::kFail;
    j.reason = Unjudged::kOverflow;
    return j;
  }
  // The working-precision run overflows on its own where minitorch did not
  // (forward mode multiplies in another order): the perturbed run, which
  // keeps long double's range, still measures the rounding.
  if (!std::isfinite(o.perturbed)) {
    j.outcome = Outcome::kInconclusive;
    j.reason = Unjudged::kSpreadNotFinite;
    return j;
  }
  j.tolerance = rounding_tolerance(o.exact, o.working, o.perturbed,
                                   noise * o.magnitude + o.partial_error, w, noise);
  if (std::fabs(got - o.exact) > j.tolerance) {
    j.outcome = Outcome::kFail;
  } else if (has_no_digits(j.tolerance, o.exact, o.magnitude, w, noise)) {
    j.outcome = Outcome::kInconclusive;
    j.reason = Unjudged::kNoDigits;
  }
  return j;
}

// "kAdd": the op's enumerator, as C++ names it.
const char* op_enumerator(Op op) {
  switch (op) {
#define MINITORCH_OP_ENUMERATOR(id, ...) \
  case Op::id:                           \
    return #id;
    MINITORCH_FOR_EACH_OP(MINITORCH_OP_ENUMERATOR)
#undef MINITORCH_OP_ENUMERATOR
  }
  return "?";
}

std::string hex(Real v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%a", static_cast<double>(v));
  return buffer;
}

std::string number(Real v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.21Lg", v);
  return buffer;
}

// minitorch's side: the result and J^T v for each cotangent row.
struct MinitorchRun {
  Tensor result;
  std::vector<double> result_values;  // as the forward left them
  // The backward threw minitorch's error for a saved tensor changed in
  // place (Execution::in_place).
  bool refused_in_place = false;
  std::vector<Tensor> cotangents;                       // one per row
  std::vector<std::vector<std::vector<double>>> grads;  // [row][input][flat]
};

// The cotangent rows for an output of `shape`: unit rows when it is small,
// else one random row. `owners` are the tensors the caller keeps; the rows
// are what backward receives, views of them as `kind` asks.
struct Cotangents {
  std::vector<Tensor> owners, rows;
};

Cotangents make_cotangents(const Shape& shape, DType dtype, const JudgeOptions& options) {
  Cotangents c;
  const int64_t n = numel(shape);
  const Execution::Cotangent kind = options.execution.cotangent;
  if (kind == Execution::Cotangent::kExpandView && !shape.empty() && shape[0] > 1) {
    Shape leading_one = shape;
    leading_one[0] = 1;
    c.owners.push_back(randn(leading_one, options.seed ^ 0xC07A, dtype));
    c.rows.push_back(c.owners.back().expand(shape));
    return c;
  }
  if (n <= options.max_full_rows) {
    for (int64_t i = 0; i < n; ++i) {
      std::vector<double> unit(static_cast<size_t>(n), 0.0);
      unit[static_cast<size_t>(i)] = 1;
      c.owners.push_back(tensor(unit, {n}, dtype));
    }
  } else {
    c.owners.push_back(randn({n}, options.seed ^ 0xC07A, dtype));
  }
  for (const Tensor& owner : c.owners) {
    c.rows.push_back(kind == Execution::Cotangent::kOwn ? owner.reshape(shape).clone()
                                                        : owner.reshape(shape));
  }
  return c;
}

// Sets the calling thread's parallel settings for its lifetime.
class ParallelSettings {
 public:
  explicit ParallelSettings(const Execution& e)
      : threads_(get_num_threads()), grain_(get_parallel_grain()) {
    set_num_threads(e.threads);
    if (e.grain > 0) set_parallel_grain(e.grain);
  }
  ~ParallelSettings() {
    set_num_threads(threads_);
    set_parallel_grain(grain_);
  }
  ParallelSettings(const ParallelSettings&) = delete;
  ParallelSettings& operator=(const ParallelSettings&) = delete;

 private:
  int threads_;
  int64_t grain_;
};

// Whether `e` is minitorch's error for a saved tensor modified in place.
bool is_in_place_refusal(const Error& e) {
  return std::string_view(e.what()).find("modified in place after it was saved") !=
         std::string_view::npos;
}

// x's values as every other element of a NaN-filled buffer twice its size,
// from the second: strides twice x's contiguous ones, offset 1.
Tensor sliced_copy(const Tensor& x) {
  const int64_t n = x.numel();
  const Tensor buffer =
      tensor(std::vector<double>(static_cast<size_t>(2 * n), NAN), {2 * n}, x.dtype());
  std::vector<int64_t> strides(static_cast<size_t>(x.dim()));
  int64_t stride = 2;
  for (int64_t d = x.dim() - 1; d >= 0; --d) {
    strides[static_cast<size_t>(d)] = stride;
    stride *= x.shape()[static_cast<size_t>(d)];
  }
  Tensor view = make_view(buffer, x.shape(), Shape(strides), 1);
  view.copy_(x);
  return view;
}

// A fresh leaf holding `input`'s values, laid out as `execution` says. A
// leaf changed in place never shares the caller's storage.
Tensor leaf_as(const Tensor& input, const Execution& execution) {
  const bool transposed = execution.transposed_inputs && input.dim() >= 2;
  Tensor x = input.detach();
  if (transposed) x = transpose(x, -2, -1);
  if (execution.sliced_inputs) {
    x = sliced_copy(x);
  } else if (transposed || execution.in_place != Execution::InPlace::kNone) {
    x = x.clone();  // contiguous, in the order x is seen
  }
  if (transposed) x = transpose(x, -2, -1);
  return x.requires_grad_();
}

// Runs the program on fresh leaves and takes J^T v, as `execution` says, for
// each of the cotangent rows `rows_for` gives for the result's shape.
using RowsFor = std::function<std::vector<Tensor>(const Shape&, DType)>;
MinitorchRun run_minitorch(const Program& program, const std::vector<Tensor>& inputs,
                           const Execution& execution, const RowsFor& rows_for,
                           const ProgramRunner& run) {
  const ParallelSettings settings(execution);
  MinitorchRun m;
  std::vector<Tensor> leaves;
  for (const Tensor& input : inputs) leaves.push_back(leaf_as(input, execution));
  m.result = run(program, leaves);
  m.result_values = m.result.to_vector();
  m.cotangents = rows_for(m.result.shape(), m.result.dtype());
  if (execution.in_place != Execution::InPlace::kNone && !leaves.empty()) {
    change_in_place(leaves[static_cast<size_t>(execution.in_place_input) % leaves.size()],
                    execution.in_place);
  }
  for (const Tensor& v : m.cotangents) {
    std::vector<std::vector<double>> row;
    try {
      if (m.result.requires_grad() && execution.backward_calls == 0) {
        for (const Tensor& g :
             grad(m.result, leaves, v, /*retain_graph=*/true, execution.create_graph))
          row.push_back(g.defined() ? g.to_vector() : std::vector<double>());
      } else if (m.result.requires_grad()) {
        for (Tensor& leaf : leaves) leaf.set_grad(Tensor());
        for (int call = 0; call < execution.backward_calls; ++call)
          m.result.backward(v, /*retain_graph=*/true, execution.create_graph);
        for (Tensor& leaf : leaves) {
          row.push_back(leaf.grad().defined() ? leaf.grad().to_vector() : std::vector<double>());
          // A recorded gradient's graph may hold the leaf itself (x * x saves
          // x): the cycle is cut, as LibTorch asks of its users.
          leaf.set_grad(Tensor());
        }
      }
    } catch (const Error& e) {
      if (execution.in_place == Execution::InPlace::kNone || !is_in_place_refusal(e)) throw;
      for (Tensor& leaf : leaves) leaf.set_grad(Tensor());
      m.refused_in_place = true;
      return m;
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (row.size() <= i) row.emplace_back();
      if (row[i].empty()) row[i].assign(static_cast<size_t>(inputs[i].numel()), 0.0);
    }
    m.grads.push_back(row);
  }
  return m;
}

// The same bits (NaN payloads aside).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const bool both_nan = std::isnan(a[i]) && std::isnan(b[i]);
    if (!both_nan && (a[i] != b[i] || std::signbit(a[i]) != std::signbit(b[i]))) return false;
  }
  return true;
}

// `g` added to itself `times` times in `dtype`, as .grad() accumulates it.
std::vector<double> accumulated(const std::vector<double>& g, int times, DType dtype) {
  const Tensor once = tensor(g, {static_cast<int64_t>(g.size())}, dtype);
  Tensor total = once;
  for (int i = 1; i < times; ++i) total = total + once;
  return total.to_vector();
}

// Empty if backward left the caller's cotangent tensors as they were
// (`before`), else which changed.
std::string caller_cotangents_changed(const Cotangents& given,
                                      const std::vector<std::vector<double>>& before,
                                      const Execution& execution) {
  for (size_t r = 0; r < given.rows.size(); ++r) {
    if (!same_bits(given.rows[r].to_vector(), before[r])) {
      return "execution (" + describe(execution) + "): the caller's cotangent tensor of row " +
             std::to_string(r) + " changed during backward\n";
    }
  }
  return "";
}

// The execution run against the judged one, which differs from it only in
// threads, grain and backward calls (see Execution); empty if they agree,
// else what differs.
std::string compare_executions(const MinitorchRun& plain, const MinitorchRun& other,
                               const Execution& execution) {
  const std::string where = "execution (" + describe(execution) + "): ";
  if (plain.result.shape() != other.result.shape() ||
      !same_bits(plain.result_values, other.result_values)) {
    return where + "the forward result differs from the one-thread run's\n";
  }
  // The version counter caught the change: nothing to compare.
  if (other.refused_in_place) return "";
  for (size_t r = 0; r < other.cotangents.size(); ++r) {
    for (size_t i = 0; i < other.grads[r].size(); ++i) {
      const int times = std::max(execution.backward_calls, 1);
      const std::vector<double> want = accumulated(plain.grads[r][i], times, plain.result.dtype());
      const std::vector<double>& got = other.grads[r][i];
      for (size_t e = 0; e < want.size(); ++e) {
        if (!same_bits({got[e]}, {want[e]})) {
          return where + "gradient of input " + std::to_string(i) + "[" + std::to_string(e) +
                 "], cotangent row " + std::to_string(r) + ": " + number(got[e]) + " (" +
                 hex(got[e]) + "), where the one-thread gradient added " + std::to_string(times) +
                 " time(s) is " + number(want[e]) + " (" + hex(want[e]) + ")\n";
        }
      }
    }
  }
  return "";
}

// The input elements whose columns are computed: all, or a seeded sample.
std::vector<Column> pick_columns(const std::vector<Tensor>& inputs, int max_columns,
                                 std::mt19937_64& random) {
  std::vector<Column> all;
  for (size_t i = 0; i < inputs.size(); ++i) {
    for (int64_t e = 0; e < inputs[i].numel(); ++e) all.push_back({i, e});
  }
  if (static_cast<int>(all.size()) > max_columns) {
    std::shuffle(all.begin(), all.end(), random);
    all.resize(static_cast<size_t>(max_columns));
  }
  return all;
}

// Accumulates entries and the first failure's description.
class Tally {
 public:
  explicit Tally(Judgement* j) : j_(j) {}
  // `what()` names the entry; it is called for the first failure only.
  template <class Describe>
  void add(const EntryJudgement& e, const Describe& what, Real got, const Opinion& o) {
    switch (e.outcome) {
      case Outcome::kPass:
        ++j_->pass;
        return;
      case Outcome::kInconclusive:
        ++j_->inconclusive;
        ++j_->reasons[e.reason];
        return;
      case Outcome::kFail:
        ++j_->fail;
        if (first_failure_.empty()) {
          first_failure_ = what() + ": minitorch " + number(got) + " (" + hex(got) +
                           "), reference " + number(o.exact) + " (expected " + number(e.expected) +
                           " in the working precision; working-precision run " + number(o.working) +
                           ", perturbed run " + number(o.perturbed) + "), tolerance " +
                           number(e.tolerance) + " (terms' magnitude " + number(o.magnitude) +
                           ", partials' error " + number(o.partial_error) + ")\n";
        }
        return;
    }
  }
  const std::string& first_failure() const { return first_failure_; }
  // Adds another tally's counts, and its first failure if none is kept yet.
  void merge(const Judgement& other, const std::string& other_first_failure) {
    j_->pass += other.pass;
    j_->fail += other.fail;
    j_->inconclusive += other.inconclusive;
    for (const auto& [reason, count] : other.reasons) j_->reasons[reason] += count;
    if (first_failure_.empty()) first_failure_ = other_first_failure;
  }

 private:
  Judgement* j_;
  std::string first_failure_;
};

// The third opinion: error-bounded finite differences of v . program.
GradcheckResult finite_differences(const Program& program, const std::vector<Tensor>& inputs,
                                   const Tensor& cotangent, const ProgramRunner& run) {
  GradcheckOptions options;
  options.error_bounded = true;
  options.branches = [&](const std::vector<Tensor>& x) { return kink_signature(program, x); };
  return gradcheck(
      [&](const std::vector<Tensor>& x) { return sum(run(program, x) * cotangent.detach()); },
      inputs, options);
}

// The exact run with its running error bounds (Dual::vm, and the partials'
// errors they feed) carried over the whole program, none restarted: every
// step's result stored in the working precision (its rounding, |value|
// units, added). A step then reads operands off by their whole history, as
// minitorch's are: a float32 GEMM's entries off by a fraction of their sum
// of magnitudes each, whose differences a softmax weight takes as its
// relative error.
RefRun accumulated_run(const Program& program, const std::vector<Tensor>& inputs, const Working& w,
                       const std::vector<Column>& columns,
                       const std::vector<std::vector<Real>>& direction) {
  const StoredFormat<Real> format(w.smallest_normal(), w.unit_roundoff());
  return run_reference<Exact>(program, inputs, columns, direction, &w,
                              [&](size_t step, auto& value) {
                                for (Exact& x : value.values) {
                                  const Real stored = w.round_step(step, x.v);
                                  if (stored != x.v) x.vm += rounding_of(stored);
                                  x.v = stored;
                                }
                              });
}

// The reference at minitorch's forward point: each step's result replaced by
// minitorch's value of it, so that every step is differentiated at the
// operands minitorch's backward reads. Where rounding moves the forward off
// the exact point (a GEMM entry that cancels to its terms' rounding, an
// amax whose winner rounding picks), the exact point's spread leaves no
// digit, but the derivative at minitorch's point is what a right backward
// computes, within its own rounding: an exact run, and one in the working
// precision for the partials a backward evaluates from stored values
// (sigmoid's s (1 - s) at an s that rounds to 1).
struct PointRuns {
  RefRun exact, working;
};

// `step_values`: minitorch's result of each step. A float32 step of a mixed
// program stores its tangents in float32 too, as as_stored does.
template <class D>
std::optional<RefRun> run_at_point(const Program& program, const std::vector<Tensor>& inputs,
                                   const Working& w, const std::vector<Column>& columns,
                                   const std::vector<std::vector<Real>>& direction,
                                   const std::vector<std::vector<double>>& step_values) {
  bool sizes_match = true;
  RefRun run =
      run_reference<D>(program, inputs, columns, direction, &w, [&](size_t step, auto& value) {
        const std::vector<double>& mine = step_values[step];
        if (value.values.size() != mine.size()) {
          sizes_match = false;
          return;
        }
        for (size_t e = 0; e < mine.size(); ++e) {
          auto& x = value.values[e];
          x.v = static_cast<std::remove_reference_t<decltype(x.v)>>(mine[e]);
          if (step + 1 < program.size()) x.vm = 0;
        }
        if (!D::kHasBounds && w.mixed()) as_stored(w)(step, value);
      });
  if (!sizes_match) return std::nullopt;
  return run;
}

// `minitorch_values`: the inputs, then each step's result, every one
// finite. None where a value is not of the exact run's size.
std::optional<PointRuns> forward_point_runs(const Program& program,
                                            const std::vector<Tensor>& inputs, const Working& w,
                                            const std::vector<Column>& columns,
                                            const std::vector<std::vector<Real>>& direction,
                                            const std::vector<Tensor>& minitorch_values) {
  std::vector<std::vector<double>> step_values;
  for (size_t i = inputs.size(); i < minitorch_values.size(); ++i)
    step_values.push_back(minitorch_values[i].to_vector());
  if (step_values.size() != program.size()) return std::nullopt;
  const StoredFormat<Real> format(w.smallest_normal(), w.unit_roundoff());
  std::optional<RefRun> exact =
      run_at_point<Exact>(program, inputs, w, columns, direction, step_values);
  std::optional<RefRun> working =
      w.is_float32 && !w.mixed()
          ? run_at_point<Sampled<float>>(program, inputs, w, columns, direction, step_values)
          : run_at_point<Sampled<double>>(program, inputs, w, columns, direction, step_values);
  if (!exact || !working) return std::nullopt;
  return PointRuns{std::move(*exact), std::move(*working)};
}

// Where minitorch's forward leaves the exact one so far that first-order
// error bounds stop holding, though each of its steps rounded within them.
enum class Departure {
  kNone,
  // A step's exact value is stored as an infinity or NaN where minitorch's
  // holds another class: a sum of terms past the range overflows, in
  // minitorch's order, to the other infinity, to NaN or not at all. Or its
  // exact value is finite but its terms are past the range, and minitorch's
  // is not finite: products of 2^1024 of both signs whose sum is 2^1022 are
  // -inf with a fused multiply-add, +inf or NaN in other orders.
  kOverflowOrder,
  // An exponential's argument (exp, sigmoid, tanh) is off by 1 or more, or
  // a softmax's weights (softmax, log_softmax, logsumexp, cross_entropy)
  // computed from minitorch's operand move by a quarter or more: a float
  // GEMM entry whose exact value is 1e-184 comes out as 1e216 (the rounding
  // of terms of 1e232 that cancel), and a weight that is 0 at the exact
  // point is 1 at minitorch's. A bound weighed by the exact partials says 0.
  kExponentArgument,
};

// The weights a softmax-family step gives its operand's entries, by the
// reference in float64: softmax along its dim, or over logsumexp's dims.
// Empty for other ops.
RefArray softmax_weights(const OpCall& call, const Tensor& operand) {
  const RefArray x = to_ref(operand);
  switch (call.op) {
    case Op::kSoftmax:
    case Op::kLogSoftmax:
      return ref::softmax(x, call.dims.at(0));
    case Op::kLogsumexp:
      return ref::exp(ref::sub(x, ref::logsumexp(x, call.dims, /*keepdim=*/true)));
    case Op::kCrossEntropy:
      return ref::softmax(x, x.shape.size() == 1 ? 0 : 1);
    default:
      return RefArray();
  }
}

bool is_elementwise_exponential(Op op) {
  return op == Op::kExp || op == Op::kSigmoid || op == Op::kTanh;
}

// `got`: the inputs, then each step's result as minitorch computed it;
// `exact_values`: the same as the exact run stored them;
// `step_value_magnitudes`: each step's terms' magnitudes (Pass).
Departure forward_departure(const Program& program, const std::vector<Tensor>& inputs,
                            const std::vector<Tensor>& got, const std::vector<Tensor>& exact_values,
                            const std::vector<std::vector<Real>>& step_value_magnitudes,
                            const Working& w) {
  if (got.size() != exact_values.size()) return Departure::kNone;
  for (size_t i = inputs.size(); i < got.size(); ++i) {
    if (got[i].numel() != exact_values[i].numel()) continue;  // a shape the forward check fails
    const size_t step = i - inputs.size();
    const std::vector<double> mine = got[i].to_vector(), exact = exact_values[i].to_vector();
    for (size_t e = 0; e < exact.size(); ++e) {
      const bool terms_overflow = step < step_value_magnitudes.size() &&
                                  e < step_value_magnitudes[step].size() &&
                                  std::isinf(w.round_step(step, step_value_magnitudes[step][e]));
      if (value_class(mine[e]) != value_class(exact[e]) &&
          (!std::isfinite(exact[e]) || (terms_overflow && !std::isfinite(mine[e]))))
        return Departure::kOverflowOrder;
    }
  }
  // An argument off by 1 changes an exponential's value and slope by a
  // factor of e; a softmax's weights moved by a quarter are another point.
  // Operands that are inputs are exact.
  for (const Step& step : program) {
    const auto operand = static_cast<size_t>(step.args.at(0));
    if (operand < inputs.size() || got[operand].numel() != exact_values[operand].numel()) continue;
    std::vector<double> mine, exact;
    double limit = 0;
    if (is_elementwise_exponential(step.call.op)) {
      mine = got[operand].to_vector();
      exact = exact_values[operand].to_vector();
      limit = 1;
    } else if (op_family(step.call.op) == OpFamily::kSoftmax || step.call.op == Op::kLogsumexp) {
      mine = softmax_weights(step.call, got[operand]).values;
      exact = softmax_weights(step.call, exact_values[operand]).values;
      limit = 0.25;
    }
    for (size_t e = 0; e < exact.size() && e < mine.size(); ++e) {
      if (std::fabs(mine[e] - exact[e]) >= limit) return Departure::kExponentArgument;
    }
  }
  return Departure::kNone;
}

void judge_forward(const MinitorchRun& m, const Pass& pass, const Working& w,
                   std::string* failure) {
  const std::vector<int64_t> got_shape(m.result.shape().begin(), m.result.shape().end());
  if (got_shape != pass.exact.shape) {
    *failure = "forward shape: minitorch " + m.result.shape().to_string() + ", reference " +
               Shape(pass.exact.shape).to_string() + "\n";
    return;
  }
  const std::vector<double> got = m.result.to_vector();
  for (size_t i = 0; i < got.size(); ++i) {
    // The running error bound (Dual::vm) already counts every operation.
    const Opinion o{pass.exact.value[i], pass.working.value[i], pass.perturbed.value[i],
                    pass.exact.value_magnitude[i], 0};
    const EntryJudgement e = judge_entry(got[i], o, w, /*noise=*/2, pass.exact.non_finite);
    if (e.outcome == Outcome::kFail) {
      *failure = "forward value " + std::to_string(i) + ": minitorch " + number(got[i]) + " (" +
                 hex(got[i]) + "), reference " + number(o.exact) + " (working-precision run " +
                 number(o.working) + ", perturbed run " + number(o.perturbed) + "), tolerance " +
                 number(e.tolerance) + "\n";
      return;
    }
  }
}

// The power of two by which the underflow checks lift a cotangent in
// `dtype` (gradients are linear in it): far enough to carry any product of
// two values of the format out of its subnormals, near enough to keep the
// cotangent finite (2^600 would overflow a float32).
int range_lift_exponent(DType dtype) { return dtype == kFloat32 ? 100 : 600; }

// A float64 lift that keeps a cotangent of the verdict's (unit rows, normal
// draws) finite and brings gradients down to 1e-609 into the range; larger
// ones overflow under it, so it serves only to find gradients that
// underflow.
constexpr int kDeepLiftExponent = 1000;

// Whether the gradient of some value the program computes, d (v . y) /
// d value for a cotangent row v, leaves the working range, by minitorch's
// reverse mode in float64. A backward carries these gradients; forward mode
// never forms them. Past the largest finite value reverse mode overflows
// (inf, then 0 * inf = NaN at a later mask); below the smallest normal one
// it loses digits or the whole term to underflow, where forward mode stays
// exact.
//   Overflow: a finite gradient past the range, or an infinite one among
// values past the square root of the range, where products overflow; at
// small values infinities come from infinite partials (pow or sqrt at 0),
// which the reference judges by its crossed paths, and NaN (0 * an infinite
// partial) is no overflow.
//   Underflow: gradients are linear in v, so they are taken again for v
// scaled by 2^600 and by 2^1000, which lift those down to 1e-609 into the
// float64 range; a nonzero one below the smallest normal number times its
// scale underflows.
bool intermediate_gradient_out_of_range(const Program& program, const std::vector<Tensor>& inputs,
                                        const std::vector<Tensor>& cotangents, const Working& w) {
  std::vector<Tensor> leaves;
  for (const Tensor& x : inputs) leaves.push_back(x.detach().to(kFloat64).requires_grad_());
  const size_t num_inputs = leaves.size();
  const std::vector<Tensor> values = program_values(program, std::move(leaves));
  double largest_value = 0;
  for (const Tensor& value : values) {
    for (double x : value.to_vector()) {
      if (std::isfinite(x)) largest_value = std::max(largest_value, std::fabs(x));
    }
  }
  const Tensor& y = values.back();
  if (!y.requires_grad()) return false;
  std::vector<Tensor> intermediates;
  for (size_t i = num_inputs; i + 1 < values.size(); ++i) {
    if (values[i].requires_grad()) intermediates.push_back(values[i]);
  }
  const std::vector<Tensor> leaves_again(values.begin(),
                                         values.begin() + static_cast<std::ptrdiff_t>(num_inputs));
  const double largest =
      w.is_float32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  const double smallest =
      w.is_float32 ? std::numeric_limits<float>::min() : std::numeric_limits<double>::min();
  const int lift_exponent = range_lift_exponent(kFloat64);  // the rerun is float64
  const double lift = std::ldexp(1.0, lift_exponent);
  const bool products_may_overflow = largest_value > std::sqrt(largest);
  for (const Tensor& v : cotangents) {
    if (!intermediates.empty()) {
      for (const Tensor& g : grad(y, intermediates, v.to(kFloat64), /*retain_graph=*/true)) {
        for (double x : g.to_vector()) {
          if (std::isinf(x) ? products_may_overflow : std::fabs(x) > largest) return true;
        }
      }
    }
    // The inputs' gradients, in reverse mode's own order of products, are
    // the same bits scaled by 2^600 unless a product inside some backward
    // left the range (div's -g q / b, where g q underflows first and gives
    // 0 for an exact 8e-109).
    const std::vector<Tensor> plain = grad(y, leaves_again, v.to(kFloat64), true);
    const std::vector<Tensor> lifted = grad(y, leaves_again, v.to(kFloat64) * lift, true);
    for (size_t i = 0; i < plain.size(); ++i) {
      const std::vector<double> a = plain[i].to_vector(), b = lifted[i].to_vector();
      for (size_t e = 0; e < a.size(); ++e) {
        const double back = std::ldexp(b[e], -lift_exponent);
        if (back != a[e] && !(std::isnan(back) && std::isnan(a[e]))) return true;
      }
    }
    if (intermediates.empty()) continue;
    // A gradient too far below the range for the first lift (1 / b^2 of a b
    // near 1e-300 times a small value: 1e-597) is 0 in both runs alike; the
    // deep lift, which overflows the large gradients instead, reaches it.
    for (const int exponent : {lift_exponent, kDeepLiftExponent}) {
      const double scale = std::ldexp(1.0, exponent);
      for (const Tensor& g : grad(y, intermediates, v.to(kFloat64) * scale, true)) {
        for (double x : g.to_vector()) {
          if (std::isfinite(x) && x != 0 && std::fabs(x) < smallest * scale) return true;
        }
      }
    }
  }
  return false;
}

// Entries of J^T v for the pass's columns, and the direction check.
// The double backward, checked along random directions u and w: minitorch's
// recorded gradient g = J^T v (create_graph) differentiated again,
// u . grad(w . g), against v^T (d2 f / du dw) from one reference pass over
// HyperDual. The rounding model is the first order's: the spread of a
// perturbed run, and the unit roundoff times the terms' magnitude, here
// scaled for the three passes that round them (forward, backward, and the
// backward of the backward).
struct SecondOrder {
  Real got = 0, exact = 0, working = 0, perturbed = 0, magnitude = 0;
  // minitorch's value again with the cotangent lifted (range_lift_exponent)
  // and scaled back (it is linear in the cotangent): another value where an
  // intermediate of the double backward underflows. Asked on a failure only.
  std::function<Real()> lifted;
};

using Hyper = HyperDual<Real>;

// One reference pass over HyperDual<B>: v^T (d2 f / du dw) and its
// magnitude, every step's result stored as `store` says.
template <class B, class Store>
std::pair<Real, Real> reference_second_order(const Program& program,
                                             const std::vector<Tensor>& inputs,
                                             const std::vector<std::vector<double>>& u,
                                             const std::vector<std::vector<double>>& w,
                                             const std::vector<double>& v, const Working& working,
                                             const Store& store) {
  std::vector<RefArrayT<HyperDual<B>>> values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    values.push_back(to_ref_as<HyperDual<B>>(inputs[i]));
    for (size_t e = 0; e < values.back().values.size(); ++e) {
      HyperDual<B>& x = values.back().values[e];
      x.a = static_cast<B>(u[i][e]);
      x.b = static_cast<B>(w[i][e]);
      x.ma = std::fabs(x.a);
      x.mb = std::fabs(x.b);
    }
  }
  const RefArrayT<HyperDual<B>> out = reference_program(
      program, std::move(values), store, promoted_operands<HyperDual<B>>(&working, inputs.size()));
  Real exact = 0, magnitude = 0;
  for (size_t o = 0; o < out.values.size() && o < v.size(); ++o) {
    exact += static_cast<Real>(v[o]) * out.values[o].ab;
    magnitude += std::fabs(static_cast<Real>(v[o])) * out.values[o].mab;
  }
  return {exact, magnitude};
}

// step_value_magnitudes: each step's running rounding bounds (Pass).
SecondOrder second_order(const Program& program, const std::vector<Tensor>& inputs,
                         const Tensor& cotangent, const Working& working, uint64_t seed,
                         const std::vector<std::vector<Real>>& step_value_magnitudes,
                         const ProgramRunner& run) {
  // The partials' stored-value errors below the normals (hyper_chain's
  // p_error and pp_error) are the working format's.
  const StoredFormat<Real> format(working.smallest_normal(), working.unit_roundoff());
  std::mt19937_64 random(seed ^ 0x5EC0);
  std::normal_distribution<double> normal;
  std::vector<std::vector<double>> u, w;
  std::vector<Tensor> leaves, w_tensors;
  for (const Tensor& x : inputs) {
    u.emplace_back();
    w.emplace_back();
    for (int64_t e = 0; e < x.numel(); ++e) {
      u.back().push_back(normal(random));
      w.back().push_back(normal(random));
    }
    w_tensors.push_back(tensor(w.back(), x.shape(), x.dtype()));
    leaves.push_back(x.detach().requires_grad_());
  }
  // u . grad(w . J^T v) as minitorch computes it.
  const auto minitorch_value = [program, leaves, w_tensors, u, run](const Tensor& v) {
    Real got = 0;
    const Tensor y = run(program, leaves);
    if (!y.requires_grad()) return got;
    const std::vector<Tensor> g = grad(y, leaves, v, /*retain_graph=*/true, /*create_graph=*/true);
    Tensor along_w;
    for (size_t i = 0; i < g.size(); ++i) {
      if (!g[i].defined() || !g[i].requires_grad()) continue;
      const Tensor term = sum(g[i] * w_tensors[i]);
      along_w = along_w.defined() ? along_w + term : term;
    }
    if (!along_w.defined()) return got;
    const std::vector<Tensor> h = grad(along_w, leaves);
    for (size_t i = 0; i < h.size(); ++i) {
      if (!h[i].defined()) continue;
      const std::vector<double> values = h[i].to_vector();
      for (size_t e = 0; e < values.size(); ++e)
        got += static_cast<Real>(u[i][e]) * static_cast<Real>(values[e]);
    }
    return got;
  };
  SecondOrder s;
  s.got = minitorch_value(cotangent);
  const int lift = range_lift_exponent(cotangent.dtype());
  s.lifted = [minitorch_value, cotangent, lift] {
    return std::ldexp(minitorch_value(cotangent.detach() * std::ldexp(1.0, lift)), -lift);
  };
  const std::vector<double> v = cotangent.to_vector();
  std::tie(s.exact, s.magnitude) = reference_second_order<Real>(
      program, inputs, u, w, v, working, [&](size_t step, auto& value) {
        for (Hyper& x : value.values) x.v = working.round_step(step, x.v);
      });
  // Every operation rounded, as the first order's working-precision run: a
  // backward evaluates its partials from rounded values (1 - s of a sigmoid
  // near 1 keeps few digits), which no stored-value perturbation reaches.
  const auto as_computed = [](size_t, auto&) {};
  if (working.mixed()) {
    s.working =
        reference_second_order<double>(program, inputs, u, w, v, working,
                                       [&working](size_t step, auto& value) {
                                         if (!working.step_float32[step]) return;
                                         for (auto& x : value.values) {
                                           x.v = static_cast<double>(Working::round_to(true, x.v));
                                         }
                                       })
            .first;
  } else {
    s.working =
        working.is_float32
            ? reference_second_order<float>(program, inputs, u, w, v, working, as_computed).first
            : reference_second_order<double>(program, inputs, u, w, v, working, as_computed).first;
  }
  s.perturbed =
      reference_second_order<Real>(program, inputs, u, w, v, working,
                                   [&](size_t step, auto& value) {
                                     for (size_t e = 0; e < value.values.size(); ++e) {
                                       Hyper& x = value.values[e];
                                       x.v = perturbed_store(working, step, x.v,
                                                             step_value_magnitudes[step][e], seed);
                                     }
                                   })
          .first;
  return s;
}

// Judges the double backward's check as one entry; on a failure, says why.
void judge_second_order(const SecondOrder& s, const Working& w, Real noise, Judgement* j,
                        std::string* failure) {
  if (!std::isfinite(s.exact) && value_class(s.got) == value_class(s.exact)) {
    ++j->pass;  // the same NaN or infinity
    return;
  }
  // Without the first order's path tracking, a non-finite term on one side
  // only may be an infinite partial met in another order (0 * inf), or one
  // of pow's conventions at 0, which HyperDual leaves NaN.
  if (!std::isfinite(s.got) || !std::isfinite(s.exact) || !std::isfinite(s.perturbed) ||
      !std::isfinite(s.magnitude)) {
    ++j->inconclusive;
    ++j->reasons[Unjudged::kSecondOrderNotFinite];
    return;
  }
  const Real tolerance =
      rounding_tolerance(s.exact, s.working, s.perturbed, 3 * noise * s.magnitude, w, noise);
  if (std::fabs(s.got - s.exact) > tolerance && !std::isfinite(s.working)) {
    // The second derivative's terms leave the range in the working
    // precision (x^4 of an x near 1e92, in the derivative of log(x^-2)),
    // as the composed backward's may.
    ++j->inconclusive;
    ++j->reasons[Unjudged::kSpreadNotFinite];
  } else if (std::fabs(s.got - s.exact) > tolerance && s.lifted &&
             std::fabs(s.lifted() - s.got) > tolerance) {
    ++j->inconclusive;
    ++j->reasons[Unjudged::kGradientOutOfRange];
  } else if (std::fabs(s.got - s.exact) > tolerance) {
    ++j->fail;
    *failure =
        "second order (the create_graph gradient differentiated again, along random directions "
        "u and w): minitorch " +
        number(s.got) + ", reference " + number(s.exact) + " (working-precision run " +
        number(s.working) + ", perturbed run " + number(s.perturbed) + "), tolerance " +
        number(tolerance) + " (terms' magnitude " + number(s.magnitude) + ")\n";
  } else if (has_no_digits(tolerance, s.exact, s.magnitude, w, noise)) {
    ++j->inconclusive;
    ++j->reasons[Unjudged::kNoDigits];
  } else {
    ++j->pass;
  }
}

// minitorch's forward point, for the entries the exact point cannot judge.
struct ForwardPoint {
  // forward_point_runs for a pass's columns; null where there are none.
  std::function<const PointRuns*()> runs;
  // Whether minitorch's forward departs from the exact one: another branch
  // at a kink, a sum past the range that overflows otherwise, or an
  // exponential's argument or a softmax's weights moved (forward_departure).
  std::function<bool()> departs;
};

// `every_entry_judged`: the columns of all passes are every input entry, so
// the direction check only sums entries judged one by one. `point`: asked
// for an entry whose rounding leaves no digit at the exact point, and for
// one that fails where minitorch's forward departs from it.
void judge_gradients(const MinitorchRun& m, const Pass& pass, const std::vector<Column>& columns,
                     const std::vector<std::vector<Real>>& direction, bool every_entry_judged,
                     const Working& w, Real noise, const ForwardPoint& point, Tally* tally) {
  for (size_t r = 0; r < m.cotangents.size(); ++r) {
    const std::vector<double> v = m.cotangents[r].to_vector();
    // v . column k of `of`, or |v| . it for magnitudes and errors.
    const auto contract = [&](const std::vector<std::array<Real, kTangents>>& of, size_t k,
                              bool absolute) {
      Real acc = 0;
      for (size_t i = 0; i < v.size(); ++i) {
        const Real vi = static_cast<Real>(v[i]);
        acc += (absolute ? std::fabs(vi) : vi) * of[i][k];
      }
      return acc;
    };
    // The working-precision run contracts in the working precision too: its
    // terms overflow where minitorch's do.
    const auto contract_working = [&](const RefRun& working, size_t k, const Working& in) {
      Real acc = 0;
      for (size_t i = 0; i < v.size(); ++i) {
        acc =
            in.round_judged(acc + in.round_judged(static_cast<Real>(v[i]) * working.tangent[i][k]));
      }
      return acc;
    };
    const auto crossed = [&](const RefRun& run, size_t k) {
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] != 0 && (run.crossed[i] >> k & 1)) return true;
      }
      return false;
    };
    const auto opinion = [&](size_t k, const Working& in) {
      return Opinion{
          contract(pass.exact.tangent, k, false),     contract_working(pass.working, k, in),
          contract(pass.perturbed.tangent, k, false), contract(pass.exact.magnitude, k, true),
          contract(pass.exact.error, k, true),        crossed(pass.exact, k)};
    };
    // An entry that the exact point cannot judge, judged again at minitorch's
    // forward point, where no rounding of the forward is left to spread it
    // and every branch is the one minitorch's backward takes.
    const auto judge_with_point = [&](Real got, size_t k, const Working& in, Opinion* o,
                                      bool in_working_precision, std::string* where) {
      const EntryJudgement e =
          judge_entry(got, *o, in, noise, pass.exact.non_finite, in_working_precision);
      const bool no_digits = e.outcome == Outcome::kInconclusive && e.reason == Unjudged::kNoDigits;
      const bool departed = e.outcome == Outcome::kFail && point.departs();
      if (!no_digits && !departed) return e;
      const PointRuns* runs = point.runs();
      if (runs == nullptr) return e;
      const Real at_point = contract(runs->exact.tangent, k, false);
      const Opinion p{at_point,
                      contract_working(runs->working, k, in),
                      at_point,
                      contract(runs->exact.magnitude, k, true),
                      contract(runs->exact.error, k, true),
                      crossed(runs->exact, k)};
      const EntryJudgement judged =
          judge_entry(got, p, in, noise, /*non_finite_forward=*/false, in_working_precision);
      if (no_digits && judged.outcome == Outcome::kInconclusive) return e;
      *o = p;
      *where = no_digits
                   ? " at minitorch's forward point (the exact point's rounding leaves no digit)"
                   : " at minitorch's forward point (it departs from the exact one)";
      return judged;
    };
    for (size_t k = 0; k < columns.size(); ++k) {
      const Real got = m.grads[r][columns[k].input][static_cast<size_t>(columns[k].flat)];
      const Working in = w.judging_input(columns[k].input);
      Opinion o = opinion(k, in);
      std::string where;
      tally->add(
          judge_with_point(got, k, in, &o, /*in_working_precision=*/true, &where),
          [&] {
            return "d/d input " + std::to_string(columns[k].input) + "[" +
                   std::to_string(columns[k].flat) + "] of cotangent row " + std::to_string(r) +
                   where;
          },
          got, o);
    }
    if (direction.empty()) continue;
    Real got = 0;
    for (size_t i = 0; i < direction.size(); ++i) {
      for (size_t e = 0; e < direction[i].size(); ++e) got += direction[i][e] * m.grads[r][i][e];
    }
    Opinion o = opinion(kTangents - 1, w);
    std::string where;
    const EntryJudgement judged =
        judge_with_point(got, kTangents - 1, w, &o, /*in_working_precision=*/false, &where);
    // A sum through an infinite entry (a gradient -a / b^2 that overflows,
    // rightly) may be inf or NaN whatever the other entries are: where it
    // cannot be judged, it says nothing that the entries, each judged, have
    // not said.
    if (judged.outcome == Outcome::kInconclusive && every_entry_judged && !std::isfinite(got))
      continue;
    tally->add(
        judged,
        [&] { return "random direction u . J^T v of cotangent row " + std::to_string(r) + where; },
        got, o);
  }
}

}  // namespace

bool mixes_dtypes(const Program& program, const std::vector<Tensor>& inputs) {
  const bool converts = std::any_of(program.begin(), program.end(),
                                    [](const Step& s) { return s.call.op == Op::kToDtype; });
  return converts || std::any_of(inputs.begin(), inputs.end(), [&](const Tensor& x) {
           return x.dtype() != inputs.front().dtype();
         });
}

void change_in_place(Tensor& leaf, Execution::InPlace kind) {
  const NoGradGuard no_grad;
  switch (kind) {
    case Execution::InPlace::kNone:
      return;
    case Execution::InPlace::kAdd:
      leaf.add_(tensor({1.0}, {}, leaf.dtype()), 0.5);  // 0-d: broadcasts into any leaf
      return;
    case Execution::InPlace::kMul:
      leaf.mul_(3.0);
      return;
    case Execution::InPlace::kCopy:
      leaf.copy_(neg(leaf) - 1);
      return;
    case Execution::InPlace::kFill:
      leaf.fill_(0.25);
      return;
  }
}

// Where the program mixes float32 and float64 (a to_dtype step, or inputs
// of both), the dtype of every input and step result, from minitorch's
// forward (its result_type rules decide); the rounding model's unit is
// then float32's.
void note_mixed_dtypes(const Program& program, const std::vector<Tensor>& inputs, Working* w) {
  if (!mixes_dtypes(program, inputs)) return;
  const NoGradGuard no_grad;
  std::vector<Tensor> values;
  for (const Tensor& x : inputs) values.push_back(x.detach());
  try {
    values = program_values(program, std::move(values));
  } catch (const Error&) {
    return;  // judged as a program of one dtype; the judged run raises too
  }
  for (size_t i = 0; i < values.size(); ++i) {
    const bool float32 = values[i].dtype() == kFloat32;
    (i < inputs.size() ? w->input_float32 : w->step_float32).push_back(float32);
    w->is_float32 = w->is_float32 || float32;
  }
}

namespace {

// A report: `what` (what differs, or why entries went unjudged), then the
// program and a GoogleTest body that reproduces it (the inputs as hex floats).
std::string judgement_report(const std::string& what, const Program& program,
                             const std::vector<Tensor>& inputs, const Execution& execution) {
  return what + "program:\n" + describe(program, inputs.size()) + "reproducer (GoogleTest):\n" +
         program_as_code(program, inputs, execution);
}

Judgement judge_or_throw(const Program& program, const std::vector<Tensor>& inputs,
                         const JudgeOptions& options, const ProgramRunner& run) {
  Judgement j;
  Working w;
  w.is_float32 = !inputs.empty() && inputs[0].dtype() == kFloat32;
  note_mixed_dtypes(program, inputs, &w);
  w.judged_is_float32 = w.is_float32;
  std::mt19937_64 random(options.seed);
  // The run judged against the reference: one thread, grad(), and the
  // cotangent rows as the execution hands them (views of the caller's
  // tensors: their strides take other paths through the backward).
  Cotangents given;
  std::vector<std::vector<double>> before;
  Execution judged_execution;
  judged_execution.cotangent = options.execution.cotangent;
  judged_execution.create_graph = options.execution.create_graph;
  judged_execution.transposed_inputs = options.execution.transposed_inputs;
  judged_execution.sliced_inputs = options.execution.sliced_inputs;
  const MinitorchRun m = run_minitorch(
      program, inputs, judged_execution,
      [&](const Shape& shape, DType dtype) {
        given = make_cotangents(shape, dtype, options);
        for (const Tensor& row : given.rows) before.push_back(row.to_vector());
        return given.rows;
      },
      run);
  std::string execution_failure = caller_cotangents_changed(given, before, options.execution);
  if (execution_failure.empty() && !options.execution.runs_as_judged()) {
    const MinitorchRun other = run_minitorch(
        program, inputs, options.execution,
        [&](const Shape& shape, DType dtype) {
          if (shape != m.result.shape()) given = make_cotangents(shape, dtype, options);
          return given.rows;
        },
        run);
    execution_failure = compare_executions(m, other, options.execution);
    if (execution_failure.empty())
      execution_failure = caller_cotangents_changed(given, before, options.execution);
  }
  const std::vector<Column> columns = pick_columns(inputs, options.max_columns, random);
  int64_t input_entries = 0;
  for (const Tensor& t : inputs) input_entries += t.numel();
  const bool every_entry_judged = static_cast<int64_t>(columns.size()) == input_entries;
  std::vector<std::vector<Real>> direction;
  std::normal_distribution<double> normal;
  for (const Tensor& t : inputs) {
    direction.emplace_back();
    for (int64_t e = 0; e < t.numel(); ++e) direction.back().push_back(normal(random));
  }

  // minitorch's value of every step, the inputs first: computed again where
  // asked (a failure, an entry the exact point cannot judge), since the
  // judged run keeps just the result. The leaves are laid out as in the
  // judged run (transposed or sliced): a matmul of transposed operands calls
  // the GEMM with other transposes, which may round otherwise and so break a
  // tie that the contiguous layout keeps.
  std::optional<std::vector<Tensor>> step_values;
  const auto minitorch_values = [&]() -> const std::vector<Tensor>& {
    if (!step_values) {
      const NoGradGuard no_grad;
      std::vector<Tensor> leaves;
      for (const Tensor& input : inputs) leaves.push_back(leaf_as(input, judged_execution));
      step_values = program_values(program, leaves);
    }
    return *step_values;
  };
  // Whether those values are a forward point to judge gradients at: every
  // one finite, and the result the judged run's, bit for bit.
  std::optional<bool> usable_point;
  const auto has_forward_point = [&] {
    if (!usable_point) {
      const std::vector<Tensor>& values = minitorch_values();
      usable_point =
          same_bits(values.back().to_vector(), m.result_values) &&
          std::all_of(values.begin(), values.end(), [](const Tensor& v) {
            const std::vector<double> x = v.to_vector();
            return std::all_of(x.begin(), x.end(), [](double e) { return std::isfinite(e); });
          });
    }
    return *usable_point;
  };
  // The exact run's stored values and their terms' magnitudes (Pass).
  std::vector<Tensor> exact_values;
  std::vector<std::vector<Real>> step_value_magnitudes;
  // Where minitorch's rounded values fall on another side of a kink than the
  // exact ones (four means equal in exact arithmetic, each rounded its own
  // way, so amax picks another winner), minitorch's gradient is that of
  // another branch, rightly.
  const auto other_branch = [&] {
    return kink_signature_of_values(program, minitorch_values()) !=
           kink_signature_of_values(program, exact_values);
  };
  std::optional<Departure> departure;
  const auto departs = [&](Departure kind) {
    if (!departure)
      departure = forward_departure(program, inputs, minitorch_values(), exact_values,
                                    step_value_magnitudes, w);
    return *departure == kind;
  };
  std::optional<bool> departed;
  const auto forward_departs = [&] {
    if (!departed) departed = other_branch() || !departs(Departure::kNone);
    return *departed;
  };

  Tally tally(&j);
  std::string failure;
  bool asked_forward_point = false;  // some entry was judged again at minitorch's forward point
  int64_t largest = 0;               // elements of the largest value the program computes
  bool forward_non_finite = false;
  for (size_t first = 0; first < std::max<size_t>(columns.size(), 1); first += kColumnsPerPass) {
    const std::vector<Column> chunk(
        columns.begin() + static_cast<std::ptrdiff_t>(first),
        columns.begin() +
            static_cast<std::ptrdiff_t>(std::min(first + kColumnsPerPass, columns.size())));
    const auto& pass_direction = first == 0 ? direction : std::vector<std::vector<Real>>();
    const Pass pass =
        run_pass(program, inputs, w, chunk, pass_direction, options.seed + first, first == 0);
    if (first == 0) {
      exact_values = pass.exact_values;
      step_value_magnitudes = pass.step_value_magnitudes;
    }
    largest = std::max<int64_t>(largest, pass.exact.largest);
    forward_non_finite |= pass.exact.non_finite;
    const Real noise =
        4 * static_cast<Real>(program.size() + 1) + static_cast<Real>(pass.exact.largest);
    // The exact run again with every step's rounding carried into the next
    // (accumulated_run): asked before a value or a gradient fails, once.
    std::optional<RefRun> bounded;
    const auto bounded_exact = [&]() -> const RefRun& {
      if (!bounded) bounded = accumulated_run(program, inputs, w, chunk, pass_direction);
      return *bounded;
    };
    if (first == 0) {
      judge_forward(m, pass, w.judging_result(), &failure);
      if (failure.rfind("forward value", 0) == 0) {
        // The exact run bounds only the last step's rounding: each step
        // starts from exact operands. An earlier step's error can cross a
        // later rounding boundary (minitorch's softmax an ulp or two off, then
        // added to -1 and subtracted from it again), so before failing a
        // value, bound the rounding of every step together.
        Pass accumulated = pass;
        accumulated.exact.value_magnitude = bounded_exact().value_magnitude;
        failure.clear();
        judge_forward(m, accumulated, w.judging_result(), &failure);
      }
      if (!failure.empty()) break;
    }
    std::optional<std::optional<PointRuns>> point_runs;
    const ForwardPoint at_forward_point{
        [&]() -> const PointRuns* {
          asked_forward_point = true;
          if (!point_runs) {
            point_runs = has_forward_point()
                             ? forward_point_runs(program, inputs, w, chunk, pass_direction,
                                                  minitorch_values())
                             : std::nullopt;
          }
          return *point_runs ? &**point_runs : nullptr;
        },
        forward_departs};
    Judgement chunk_judgement;
    Tally chunk_tally(&chunk_judgement);
    judge_gradients(m, pass, chunk, pass_direction, every_entry_judged, w, noise, at_forward_point,
                    &chunk_tally);
    if (chunk_judgement.fail > 0) {
      // The partials' errors (E) count the rounding inside each step, and the
      // perturbed run samples what rounding between steps does. Before a
      // gradient fails, bound every earlier step's rounding too: a weight
      // read from a stored result inherits its operands' whole error.
      Pass accumulated = pass;
      accumulated.exact = bounded_exact();
      chunk_judgement = Judgement();
      chunk_tally = Tally(&chunk_judgement);
      judge_gradients(m, accumulated, chunk, pass_direction, every_entry_judged, w, noise,
                      at_forward_point, &chunk_tally);
    }
    tally.merge(chunk_judgement, chunk_tally.first_failure());
  }
  if (failure.empty()) failure = tally.first_failure();
  // Gradient failures of a case the reference cannot speak for count as
  // inconclusive, with the reason (checked only then: each costs a run). A
  // forward value's failure counts as one entry, for the reasons that say
  // minitorch's forward is at another point than the exact one.
  const auto unjudged_if = [&](Unjudged reason, const auto& cannot_judge,
                               bool covers_forward_values = false) {
    const bool forward_failure = failure.rfind("forward", 0) == 0;
    const bool judgeable_failure =
        !forward_failure || (covers_forward_values && failure.rfind("forward value", 0) == 0);
    if (failure.empty() || !judgeable_failure || !cannot_judge()) return;
    const int64_t entries = forward_failure ? 1 : j.fail;
    j.inconclusive += entries;
    j.reasons[reason] += entries;
    j.fail = 0;
    failure.clear();
  };
  // Where minitorch's forward departs from the exact point, its gradient is
  // that of its own forward, rightly: judged at that point where it is
  // finite (judge_gradients), and otherwise not judged. A step whose exact
  // value overflows (a matmul row of terms past the range) may, summed in
  // minitorch's order, overflow to the other infinity or to NaN, or not at
  // all; a later softmax then weighs other entries. So may a forward value
  // depart: a softmax weight that is 0 at the exact point is 1 at
  // minitorch's (the inputs' gradients were then not judged).
  const auto unjudged_at_exact_point = [&] {
    return failure.rfind("forward", 0) == 0 || !has_forward_point();
  };
  unjudged_if(Unjudged::kOtherBranch, [&] { return unjudged_at_exact_point() && other_branch(); });
  unjudged_if(
      Unjudged::kOverflowOrder,
      [&] { return unjudged_at_exact_point() && departs(Departure::kOverflowOrder); },
      /*covers_forward_values=*/true);
  unjudged_if(
      Unjudged::kExponentArgument,
      [&] { return unjudged_at_exact_point() && departs(Departure::kExponentArgument); },
      /*covers_forward_values=*/true);
  unjudged_if(Unjudged::kGradientOutOfRange,
              [&] { return intermediate_gradient_out_of_range(program, inputs, m.cotangents, w); });
  // An empty value (index_select of no indices) passes zeros back, and
  // reverse mode multiplies them by the partials before it, NaN ones too
  // (pow's in its exponent at a negative base; LibTorch's pow_backward as
  // well); forward mode has no element there to carry a path through.
  unjudged_if(Unjudged::kInfinitePartial, [&] {
    const bool empty_value = std::any_of(exact_values.begin(), exact_values.end(),
                                         [](const Tensor& v) { return v.numel() == 0; });
    if (!empty_value) return false;
    for (const auto& row : m.grads) {
      for (const auto& input : row) {
        if (std::any_of(input.begin(), input.end(), [](double g) { return std::isnan(g); }))
          return true;
      }
    }
    return false;
  });
  // The double backward, where the first order was judged throughout at the
  // exact point and every forward value is finite (a kink, an overflow or a
  // NaN on the way would leave it unjudged as well). Its check is at the
  // exact point only: where an entry needed minitorch's forward point, the
  // exact second derivatives are another point's.
  if (options.execution.create_graph && failure.empty() && j.inconclusive == 0 &&
      !forward_non_finite && !asked_forward_point && !m.cotangents.empty()) {
    const Real noise = 4 * static_cast<Real>(program.size() + 1) + static_cast<Real>(largest);
    judge_second_order(
        second_order(program, inputs, m.cotangents[0], w, options.seed, step_value_magnitudes, run),
        w, noise, &j, &failure);
  }

  if (!failure.empty() && options.third_opinion && !w.is_float32 &&
      failure.rfind("forward", 0) != 0) {
    const GradcheckResult fd = finite_differences(program, inputs, m.cotangents[0], run);
    failure += "third opinion, finite differences (error bounded) of cotangent row 0: " +
               std::string(verdict_name(fd.verdict)) + ": " + fd.message + "\n";
  }
  failure = execution_failure + failure;
  if (!failure.empty()) {
    j.verdict = GradcheckVerdict::kFail;
    j.fail = std::max<int64_t>(j.fail, 1);
    j.report = judgement_report(failure, program, inputs, options.execution);
  } else if (j.inconclusive > 0) {
    j.verdict = GradcheckVerdict::kInconclusive;
    if (options.report_inconclusive) {
      std::string reasons;
      for (const auto& [reason, n] : j.reasons)
        reasons += "  " + std::to_string(n) + " entries: " + unjudged_name(reason) + "\n";
      j.report = judgement_report("inconclusive:\n" + reasons, program, inputs, options.execution);
    }
  }
  return j;
}

}  // namespace

Judgement judge(const Program& program, const std::vector<Tensor>& inputs,
                const JudgeOptions& options, const ProgramRunner& run) {
  try {
    return judge_or_throw(program, inputs, options, run);
  } catch (const Error& e) {
    // A backward that builds a gradient of the wrong shape, an internal
    // check: minitorch's bug, reported like any other failure.
    Judgement j;
    j.verdict = GradcheckVerdict::kFail;
    j.fail = 1;
    j.report = judgement_report(std::string("minitorch raised an error: ") + e.what() + "\n",
                                program, inputs, options.execution);
    return j;
  }
}

ReferenceResult reference_vjp(const Program& program, const std::vector<Tensor>& inputs,
                              const Tensor& cotangent) {
  ReferenceResult result;
  std::vector<Column> columns;
  for (size_t i = 0; i < inputs.size(); ++i) {
    result.grads.push_back(to_ref(inputs[i]));
    for (int64_t e = 0; e < inputs[i].numel(); ++e) columns.push_back({i, e});
  }
  const std::vector<double> v = cotangent.to_vector();
  for (size_t first = 0; first < std::max<size_t>(columns.size(), 1); first += kColumnsPerPass) {
    const std::vector<Column> chunk(
        columns.begin() + static_cast<std::ptrdiff_t>(first),
        columns.begin() +
            static_cast<std::ptrdiff_t>(std::min(first + kColumnsPerPass, columns.size())));
    const RefRun run =
        run_reference<Exact>(program, inputs, chunk, {}, nullptr, [](size_t, auto&) {});
    if (first == 0) {
      result.forward.shape = run.shape;
      for (Real y : run.value) result.forward.values.push_back(static_cast<double>(y));
    }
    for (size_t k = 0; k < chunk.size(); ++k) {
      Real acc = 0;
      for (size_t i = 0; i < v.size(); ++i) acc += static_cast<Real>(v[i]) * run.tangent[i][k];
      result.grads[chunk[k].input].values[static_cast<size_t>(chunk[k].flat)] =
          static_cast<double>(acc);
    }
  }
  return result;
}

// Each in-place change (Execution::InPlace, in its order): the enumerator
// as C++ names it, and the op it calls.
struct InPlaceNames {
  const char* enumerator;
  const char* op;
};
constexpr InPlaceNames kInPlaceNames[] = {
    {"kNone", ""}, {"kAdd", "add_"}, {"kMul", "mul_"}, {"kCopy", "copy_"}, {"kFill", "fill_"}};

std::string describe(const Execution& e) {
  std::string out = std::to_string(e.threads) + (e.threads == 1 ? " thread" : " threads");
  if (e.grain > 0) out += ", grain " + std::to_string(e.grain);
  if (e.backward_calls > 0) out += ", backward() x" + std::to_string(e.backward_calls);
  if (e.cotangent == Execution::Cotangent::kReshapeView) out += ", cotangent as a reshape view";
  if (e.cotangent == Execution::Cotangent::kExpandView) out += ", cotangent as an expand view";
  if (e.create_graph) out += ", create_graph";
  if (e.transposed_inputs) out += ", inputs as transposed views";
  if (e.sliced_inputs) out += ", inputs as every other element of a buffer";
  if (e.in_place != Execution::InPlace::kNone) {
    out += ", input " + std::to_string(e.in_place_input) + " changed by " +
           kInPlaceNames[static_cast<int>(e.in_place)].op + " before backward";
  }
  return out;
}

std::string program_as_code(const Program& program, const std::vector<Tensor>& inputs,
                            const Execution& execution) {
  std::ostringstream os;
  const auto values = [&os](const Tensor& t) {
    os << "tensor({";
    const std::vector<double> v = t.to_vector();
    for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << hex(v[i]);
    os << "}, {";
    for (size_t d = 0; d < t.shape().size(); ++d) os << (d ? ", " : "") << t.shape()[d];
    os << "}, k"
       << (t.dtype() == kFloat32   ? "Float32"
           : t.dtype() == kFloat64 ? "Float64"
                                   : "Int64")
       << ")";
  };
  os << "TEST(FuzzRegression, Reproducer) {\n  const Program program = {\n";
  for (const Step& step : program) {
    const OpCall& c = step.call;
    os << "      {OpCall{.op = Op::" << op_enumerator(c.op);
    if (!c.dims.empty()) {
      os << ", .dims = {";
      for (size_t i = 0; i < c.dims.size(); ++i) os << (i ? ", " : "") << c.dims[i];
      os << "}";
    }
    if (c.keepdim) os << ", .keepdim = true";
    if (op_form(c.op) == OpForm::kExponent) os << ", .exponent = " << hex(c.exponent);
    if (c.min) os << ", .min = " << hex(*c.min);
    if (c.max) os << ", .max = " << hex(*c.max);
    if (c.constant.defined()) {
      os << ", .constant = ";
      values(c.constant);
    }
    os << "}, {";
    for (size_t i = 0; i < step.args.size(); ++i) os << (i ? ", " : "") << step.args[i];
    os << "}},\n";
  }
  os << "  };\n  const std::vector<Tensor> inputs = {\n";
  for (const Tensor& t : inputs) {
    os << "      ";
    values(t);
    os << ",\n";
  }
  os << "  };\n";
  if (execution.is_plain()) {
    os << "  const Judgement j = judge(program, inputs);\n";
  } else {
    const char* cotangent = execution.cotangent == Execution::Cotangent::kOwn ? "kOwn"
                            : execution.cotangent == Execution::Cotangent::kReshapeView
                                ? "kReshapeView"
                                : "kExpandView";
    os << "  const Execution execution = {.threads = " << execution.threads
       << ", .grain = " << execution.grain << ", .backward_calls = " << execution.backward_calls
       << ", .cotangent = Execution::Cotangent::" << cotangent
       << ", .create_graph = " << (execution.create_graph ? "true" : "false")
       << ", .transposed_inputs = " << (execution.transposed_inputs ? "true" : "false")
       << ", .sliced_inputs = " << (execution.sliced_inputs ? "true" : "false")
       << ", .in_place = Execution::InPlace::"
       << kInPlaceNames[static_cast<int>(execution.in_place)].enumerator
       << ", .in_place_input = " << execution.in_place_input << "};\n"
       << "  const Judgement j = judge(program, inputs, {.execution = execution});\n";
  }
  os << "  EXPECT_NE(j.verdict, GradcheckVerdict::kFail) << j.report;\n}\n";
  return os.str();
}

}  // namespace minitorch::testing
