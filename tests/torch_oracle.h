// LibTorch as an oracle: runs a Program in LibTorch and returns its forward
// value and input gradients, without exposing LibTorch types.
//
// This header is free of <torch/torch.h> on purpose: that header costs
// ~13 s and ~1 GB of compiler memory per translation unit, so exactly one
// file (torch_oracle.cc) includes it.
#ifndef MINITORCH_TESTS_TORCH_ORACLE_H_
#define MINITORCH_TESTS_TORCH_ORACLE_H_

#include <optional>
#include <vector>

#include "minitorch/minitorch.h"
#include "testing/op_call.h"
#include "testing/reference.h"

namespace minitorch::testing {

struct OracleResult {
  RefArray forward;
  // d(sum(cotangent * forward)) / d input_i; nullopt where LibTorch computed
  // none (the output does not depend on that input).
  std::vector<std::optional<RefArray>> grads;
};

// Runs `program` in LibTorch, single-threaded, on copies of `inputs` (same
// values, shapes and dtypes; float inputs require grad), then backward with
// `cotangent` (of the output's shape).
OracleResult torch_run(const Program& program, const std::vector<Tensor>& inputs,
                       const Tensor& cotangent);

// The same, running the forward only (for inputs whose gradient is not
// wanted, such as NaN patterns).
RefArray torch_forward(const Program& program, const std::vector<Tensor>& inputs);

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTS_TORCH_ORACLE_H_
