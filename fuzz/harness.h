// What every gradient fuzz target shares: the verdict (error-bounded
// gradcheck, so kinks, non-convergence and non-finite values are
// "inconclusive", never a false "fail"), the pass/fail/inconclusive counts
// printed at exit, and the reproducer printed before a failure aborts.
#ifndef MINITORCH_FUZZ_HARNESS_H_
#define MINITORCH_FUZZ_HARNESS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "minitorch/minitorch.h"
#include "testing/op_call.h"

namespace minitorch::fuzz {

// Counts verdicts for the summary printed at exit by `target`.
void count(const char* target, GradcheckVerdict verdict);

// Prints the reproducer (the case, the input bytes in hex, the reason) and
// aborts, which libFuzzer reports as a crash and saves the input.
[[noreturn]] void fail(const char* target, const std::string& what,
                       absl::Span<const uint8_t> bytes);

// Error-bounded gradcheck of `program` on `inputs` (of a random projection
// of its result when that has more than 64 elements); counts the verdict and
// fails on "fail". With MINITORCH_FUZZ_BASIC_VERDICT set, the basic check
// judges and a "fail" is only counted (to compare the verdicts over a corpus).
void check_gradients(const char* target, const testing::Program& program,
                     const std::vector<Tensor>& inputs, absl::Span<const uint8_t> bytes);

// Every input tensor listed with shape and values, for reproducers.
std::string describe_inputs(const std::vector<Tensor>& inputs);

}  // namespace minitorch::fuzz

#endif  // MINITORCH_FUZZ_HARNESS_H_
