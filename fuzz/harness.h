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
#include "fuzz/decoder.h"
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

// How minitorch runs the case (testing::Execution), from the fields every
// gradient target reads after its own from format version 3 on (decoder.h);
// inputs of versions 1 and 2 run the plain execution.
//   threads    in_range(1, 3): set_num_threads
//   grain      one byte b: 0 the library's grain, else 1 + b % 16 elements,
//              so the fuzzers' small tensors split over the threads and
//              every chunk boundary, odd lengths included, is reached
//   backward   one byte b: b % 4 backward() calls into the leaves' .grad()
//              (0: grad())
//   cotangent  in_range(0, 2): a tensor of its own, a reshape view or an
//              expand view of a tensor the caller keeps
//   graph      flag: create_graph, so every backward runs its composed,
//              differentiable form instead of its fused kernel
//   layout     flag: inputs of rank 2 or more handed in as transposed views
//              (non-contiguous leaves), so every kernel's strided path runs
//   sliced     (version 4) flag: inputs as every other element of a
//              NaN-filled buffer (strides 2, offset 1), transposed or not
//   in-place   (version 4) one byte b: after the forward, input b / 5 (modulo
//              the input count) changed by nothing, add_, mul_, copy_ or
//              fill_ (b % 5) before backward, which must refuse (the version
//              counter) or not read it
testing::Execution read_execution(ByteReader& in);

// Judges `program` on `inputs` converted to `dtype` (testing::judge) under
// `execution`, counts the judgement under `target` and fails on "fail".
// With MINITORCH_FUZZ_REPORT_INCONCLUSIVE=1 in the environment, an
// inconclusive input prints its reasons, program and reproducer to stderr
// (and the run goes on): what the verdict cannot judge, one input at a time.
void check_gradients_as(DType dtype, const char* target, const testing::Program& program,
                        const std::vector<Tensor>& inputs, const testing::Execution& execution,
                        absl::Span<const uint8_t> bytes);

// The gradient targets judge float64 inputs; their *_f32 builds, the same
// sources compiled with MINITORCH_FUZZ_FLOAT32, judge the float32 kernels
// on the same decoded cases (values rounded to float32, so the wide and raw
// modes reach float32's overflow and subnormals).
#ifdef MINITORCH_FUZZ_FLOAT32
inline void check_gradients(const char* target, const testing::Program& program,
                            const std::vector<Tensor>& inputs, const testing::Execution& execution,
                            absl::Span<const uint8_t> bytes) {
  static const std::string name = std::string(target) + "_f32";
  check_gradients_as(kFloat32, name.c_str(), program, inputs, execution, bytes);
}
#else
inline void check_gradients(const char* target, const testing::Program& program,
                            const std::vector<Tensor>& inputs, const testing::Execution& execution,
                            absl::Span<const uint8_t> bytes) {
  check_gradients_as(kFloat64, target, program, inputs, execution, bytes);
}
#endif

// Every input tensor listed with shape and values, for reproducers.
std::string describe_inputs(const std::vector<Tensor>& inputs);

}  // namespace minitorch::fuzz

#endif  // MINITORCH_FUZZ_HARNESS_H_
