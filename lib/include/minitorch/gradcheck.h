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
  double eps = 1e-6;   // relative finite-difference step
  double atol = 1e-5;  // absolute tolerance
  double rtol = 1e-3;  // tolerance relative to |numeric|
  // Seed of the random cotangent used by the linearity check.
  uint64_t seed = 0x5eed;
};

struct GradcheckResult {
  bool ok = false;
  // "gradcheck passed: ..." or which input, which flat index (and output
  // index), the analytic and numeric values and the bound that was exceeded.
  std::string message;
  // Largest |analytic - numeric| seen over all entries.
  double max_abs_error = 0.0;
};

using GradcheckFunction = std::function<Tensor(const std::vector<Tensor>&)>;

GradcheckResult gradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

}  // namespace minitorch

#endif  // MINITORCH_GRADCHECK_H_
