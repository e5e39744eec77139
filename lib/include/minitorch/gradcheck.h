// gradcheck: compares autograd's gradients with central finite differences.
//
// For every input (all must be float64: at float32 a finite difference has
// too few correct digits to judge anything) and every flat index j of it,
// the numeric column d out / d x_j is
//     (f(x + h e_j) - f(x - h e_j)) / 2h,   h = eps * max(1, |x_j|),
// and the analytic Jacobian comes from one backward per output element with
// a one-hot cotangent. Every entry must satisfy
//     |analytic - numeric| <= atol + rtol * |numeric|
// (written so that NaN on either side fails). A last backward with a random
// cotangent v checks v^T J against the numeric Jacobian too: it catches a
// backward that ignores the values of its incoming gradient, which one-hot
// cotangents can hide.
//
// With options.error_bounded, every entry gets a verdict instead of a bare
// tolerance test: central differences at steps h, h/2, h/4 (h = 1e-3 *
// max(1, |x|)) are Richardson-extrapolated, which gives the derivative and an
// estimate of its truncation error; a rounding term (machine epsilon times
// |f| over the step) joins it to make a bound. An entry
//   - is inconclusive if the estimate does not converge, the point is a kink
//     (left and right derivatives differ: relu or abs at 0, a max tie, a
//     clamp bound), or a value is not finite: never a pass, even where the
//     values happen to agree;
//   - passes if |analytic - numeric| <= atol + rtol |numeric| + bound;
//   - fails if it misses that by the factor fail_margin;
//   - is inconclusive in between.
// Such a check never reports a correct gradient as wrong; the fuzzers use it.
//
// Example:
//   using namespace minitorch;
//   GradcheckResult r = gradcheck(
//       [](const std::vector<Tensor>& in) { return (in[0] * in[1]).tanh(); },
//       {randn({2, 3}, 1), randn({3}, 2)});
//   if (!r.ok) std::cerr << r.message << "\n";
#ifndef MINITORCH_GRADCHECK_H_
#define MINITORCH_GRADCHECK_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "minitorch/tensor.h"

namespace minitorch {

struct GradcheckOptions {
  double eps = 1e-6;   // relative finite-difference step (basic mode)
  double atol = 1e-5;  // absolute tolerance
  double rtol = 1e-3;  // tolerance relative to |numeric|
  // Seed of the random cotangent used by the linearity check.
  uint64_t seed = 0x5eed;
  // Richardson error bounds and pass / fail / inconclusive verdicts.
  bool error_bounded = false;
  // Error-bounded mode: an entry fails only when its error exceeds the
  // tolerance plus bound by this factor.
  double fail_margin = 4.0;
  // Fast mode: instead of the full Jacobian, compare v^T J u for random unit
  // vectors u (per input) and v (over the output) with the directional
  // difference of v . f along u: two forward evaluations per step and input,
  // not 2N. u and v are unit vectors, so the tolerance does not grow with the
  // tensors' size (PyTorch's fast mode scales it and has passed wholly wrong
  // gradients, pytorch/pytorch#59584). On a failure the full check runs to
  // name the entry.
  bool fast_mode = false;
  // Optional: which side of each of its kinks the function is on at the
  // given inputs (for example the sign of a - b for every maximum(a, b) it
  // computes; 0 exactly at the kink). A column whose finite-difference probes
  // change it straddles a kink inside the function (where the composite may
  // even be smooth, but autograd's chain of subgradients need not equal its
  // derivative), so its entries are inconclusive, never judged.
  std::function<std::vector<int8_t>(const std::vector<Tensor>&)> branches;
};

enum class GradcheckVerdict { kPass, kFail, kInconclusive };

const char* verdict_name(GradcheckVerdict verdict);  // "pass", "fail", "inconclusive"

struct GradcheckResult {
  // verdict == kPass.
  bool ok = false;
  // kPass or kFail in basic mode; error-bounded mode may also say
  // kInconclusive (no entry failed, some could not be judged).
  GradcheckVerdict verdict = GradcheckVerdict::kFail;
  // "gradcheck passed: ..." or which input, which flat index (and output
  // index), the analytic and numeric values and the bound that was exceeded;
  // for an inconclusive result, the first entry that could not be judged and why.
  std::string message;
  // Largest |analytic - numeric| seen over all entries.
  double max_abs_error = 0.0;
  int64_t entries = 0;               // Jacobian entries compared
  int64_t inconclusive_entries = 0;  // error-bounded mode only
};

using GradcheckFunction = std::function<Tensor(const std::vector<Tensor>&)>;

// Throws Error if the full Jacobian would have more than 2^24 entries
// (fast mode has no such limit).
GradcheckResult gradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

// Second derivatives: for a fixed random cotangent v, gradcheck of
// x -> d(v . fn(x)) / d input_i, computed with create_graph, for every input
// i. It passes when the recorded backward of every op on the way is itself
// differentiated correctly.
GradcheckResult gradgradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options = {});

}  // namespace minitorch

#endif  // MINITORCH_GRADCHECK_H_
