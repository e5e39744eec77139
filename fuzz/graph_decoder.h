// The program decoder fuzz_graph and fuzz_torch share: a random graph of 1
// to 8 ops drawn from the whole op table over one or two inputs.
//
// Fields after the version byte (see decoder.h):
//   inputs   flag: two inputs if set; each shape rank in_range(0, 3), dims
//            in_range(1, 4)
//   mode     mode(); values. fuzz_graph reads wide and raw as small (its
//            verdict needs finite inputs), fuzz_torch takes every mode (NaN,
//            inf, subnormals and -0 are where conventions differ)
//   steps    in_range(1, 8), then for each step:
//     op       op(36): an op of the op table by its fuzz code (decoder.h); a
//              code without an op drops the step after its operands.
//              fuzz_graph runs to_dtype as clone (a float32 round trip leaves
//              finite differences too few digits)
//     operands in_range(0, 255) twice, modulo the values so far; an op with
//              one tensor operand ignores the second
//     params   what the op's form takes, read after the operands are known: dims
//              as in_range(-4, 3), keepdim flag, exponent value(kGrid), clamp
//              bound flags and value(kGrid) bounds, cross_entropy targets,
//              where's condition flags
//   execution the fields every gradient target reads last (harness.h)
//   magnitude (version 3) one byte b: 0 keeps the values; else every
//            input is scaled by 10^(4 (b % 76)), up to 1e300 (the float32
//            build: 10^(4 (b % 10)), up to 1e36); version 3 read b % 26
//            (float32: b % 3)
// A step that is invalid for its operands' shapes (minitorch::Error) is
// dropped. cross_entropy's probability target is made a softmax of the
// value chosen (its domain). A result with more than 16 elements is summed,
// so the Jacobian stays small.
#ifndef MINITORCH_FUZZ_GRAPH_DECODER_H_
#define MINITORCH_FUZZ_GRAPH_DECODER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/decoder.h"
#include "minitorch/minitorch.h"
#include "testing/op_call.h"
#include "testing/verdict.h"

namespace minitorch::fuzz {

struct GraphCase {
  testing::Program program;
  std::vector<Tensor> inputs;  // scaled by the magnitude field
  testing::Execution execution;
};

struct GraphOptions {
  bool every_value_mode = false;  // else wide and raw read as small
  bool keep_to_dtype = false;     // else to_dtype runs as clone
  bool float32 = false;           // magnitudes within float32's range
  // Called with each step the decoder tries, its operands and minitorch's
  // error message if minitorch refused it (the step is then dropped).
  std::function<void(const testing::OpCall&, const std::vector<Tensor>&,
                     const std::optional<std::string>&)>
      on_step;
};

GraphCase decode_graph(ByteReader& in, const GraphOptions& options);

}  // namespace minitorch::fuzz

#endif  // MINITORCH_FUZZ_GRAPH_DECODER_H_
