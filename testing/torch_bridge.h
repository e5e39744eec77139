// LibTorch as a second implementation of the op table, behind a header free
// of LibTorch types: it exchanges minitorch's plain data (Programs, values
// as RefArrays), so clang-built code such as the libFuzzer target
// fuzz_torch links it while g++ compiles testing/torch_bridge.cc (same
// libstdc++, same ABI; see docs/design.md, "fuzz_torch"). One ABI detail
// differs: clang assumes arguments narrower than int were widened by the
// caller, g++ does not widen them, so the bridge passes no bool, byte or
// byte-sized enum into the clang-built library (Op is an int for this).
#ifndef MINITORCH_TESTING_TORCH_BRIDGE_H_
#define MINITORCH_TESTING_TORCH_BRIDGE_H_

#include <optional>
#include <string>
#include <vector>

#include "minitorch/minitorch.h"
#include "testing/op_call.h"
#include "testing/reference.h"
#include "testing/verdict.h"

namespace minitorch::testing {

// What LibTorch made of a program: its error message if it raised one,
// else the forward value and each input's gradient (nullopt where LibTorch
// computed none: an integer input, or one the output does not depend on).
struct TorchOutcome {
  std::optional<std::string> error;
  RefArray forward;
  std::vector<std::optional<RefArray>> grads;
};

// Runs `program` in LibTorch, single-threaded, on copies of `inputs` (float
// inputs require grad), then backward with `cotangent` (of the output's
// shape; its values are converted to the output's dtype; undefined: ones).
// Between the two, input `in_place_input` (modulo the input count) is
// changed by `in_place` as change_in_place (verdict.h) changes minitorch's,
// so LibTorch's version counter is asked where minitorch's is.
TorchOutcome torch_outcome(const Program& program, const std::vector<Tensor>& inputs,
                           const Tensor& cotangent,
                           Execution::InPlace in_place = Execution::InPlace::kNone,
                           int in_place_input = 0);

// LibTorch's error message for `call` on `operands` (forward only), or
// nullopt when LibTorch accepts it.
std::optional<std::string> torch_rejection(const OpCall& call, const std::vector<Tensor>& operands);

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTING_TORCH_BRIDGE_H_
