// What every gradient fuzz target shares: the verdict (testing/verdict.h:
// minitorch against the exact reference AD, finite differences as the third
// opinion), the counts printed at exit, and the reproducer printed before a
// failure aborts.
#ifndef MINITORCH_FUZZ_HARNESS_H_
#define MINITORCH_FUZZ_HARNESS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "minitorch/minitorch.h"
#include "testing/op_call.h"
#include "testing/verdict.h"

namespace minitorch::fuzz {

// Counts a judgement for the summary printed at exit by `target`: inputs and
// Jacobian entries as pass / fail / inconclusive, and the inconclusive
// entries by reason.
void count(const char* target, const testing::Judgement& judgement);

// Prints the reproducer (the case, the input bytes in hex, the reason) and
// aborts, which libFuzzer reports as a crash and saves the input.
[[noreturn]] void fail(const char* target, const std::string& what,
                       absl::Span<const uint8_t> bytes);

// Judges `program` on `inputs` (testing::judge), counts the judgement and
// fails on "fail".
void check_gradients(const char* target, const testing::Program& program,
                     const std::vector<Tensor>& inputs, absl::Span<const uint8_t> bytes);

// Every input tensor listed with shape and values, for reproducers.
std::string describe_inputs(const std::vector<Tensor>& inputs);

}  // namespace minitorch::fuzz

#endif  // MINITORCH_FUZZ_HARNESS_H_
