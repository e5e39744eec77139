// fuzz_graph: a random graph of 1 to 8 ops drawn from the whole op table
// over one or two inputs; gradcheck (error bounded) on the result.
//
// Fields after the version byte (see decoder.h):
//   inputs   flag: two inputs if set; each shape rank in_range(0, 3), dims
//            in_range(1, 4)
//   mode     mode(), wide and raw read as small (see below); values
//   steps    in_range(1, 8), then for each step:
//     op       op(36): an op of the op table by its fuzz code (decoder.h); a
//              code without an op drops the step after its operands
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
#include <cmath>
#include <cstdint>
#include <optional>

#include "fuzz/call_reader.h"
#include "fuzz/decoder.h"
#include "fuzz/harness.h"

namespace {

using minitorch::Op;
using minitorch::Shape;
using minitorch::Tensor;
using minitorch::testing::OpCall;
using minitorch::testing::Program;
using minitorch::testing::Step;

constexpr int64_t kMaxOutput = 16;

// The magnitude field's scales, 10^0, 10^4, ...: to the edge of the range,
// 1e300 (float32: 1e36), where a few steps of pow and div take some
// intermediate gradient past it, which the verdict counts apart
// (Unjudged::kGradientOutOfRange). Version 3 stopped at 1e100 (float32:
// 1e8), and its inputs keep that reading.
#ifdef MINITORCH_FUZZ_FLOAT32
constexpr int kMagnitudeSteps = 10;
constexpr int kVersion3MagnitudeSteps = 3;
#else
constexpr int kMagnitudeSteps = 76;
constexpr int kVersion3MagnitudeSteps = 26;
#endif

// Ops in the table when fuzz codes were introduced: version-1 inputs read
// their op byte modulo this.
constexpr int kVersion1Ops = 36;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = minitorch::fuzz::ByteReader::Open({data, size});
  if (!reader.ok()) return -1;
  minitorch::fuzz::ByteReader& in = *reader;

  const int num_inputs = in.flag() ? 2 : 1;
  std::vector<Shape> shapes;
  for (int i = 0; i < num_inputs; ++i) shapes.push_back(in.shape(0, 3, 4));
  // Small or grid values as the mode reads them; the magnitude field
  // (version 3, read last) scales them.
  auto mode = in.mode();
  if (mode != minitorch::fuzz::ValueMode::kGrid) mode = minitorch::fuzz::ValueMode::kSmall;
  std::vector<Tensor> inputs;
  for (const Shape& s : shapes) inputs.push_back(in.values(s, mode));

  Program program;
  std::vector<Tensor> values = inputs;
  const int64_t steps = in.in_range(1, 8);
  for (int64_t s = 0; s < steps; ++s) {
    const std::optional<Op> code_op = in.op(kVersion1Ops);
    // A float32 round trip leaves finite differences too few digits.
    const Op op = code_op == Op::kToDtype ? Op::kClone : code_op.value_or(Op::kClone);
    std::vector<int> args;
    std::vector<Tensor> operands;
    // Read operand choices for the widest case; unused ones are ignored.
    for (int k = 0; k < 2; ++k) {
      const int a = static_cast<int>(in.in_range(0, 255) % static_cast<int64_t>(values.size()));
      args.push_back(a);
      operands.push_back(values[static_cast<size_t>(a)]);
    }
    if (!code_op) continue;  // no op has this code (yet): the step is dropped
    const OpCall call = minitorch::fuzz::read_call(in, op, operands);
    args.resize(static_cast<size_t>(minitorch::fuzz::tensor_operands(call)));
    operands.resize(args.size());
    try {
      minitorch::NoGradGuard no_grad;
      Program steps;
      if (minitorch::op_form(op) == minitorch::OpForm::kClassTarget && args.size() == 2) {
        // A probability target must be probabilities: softmax of the value
        // chosen (raw values of 1e176 as "probabilities" make the backward's
        // softmax * sum(t) - t cancel catastrophically, in LibTorch too).
        const OpCall to_probabilities{.op = Op::kSoftmax, .dims = {-1}};
        operands[1] = minitorch::testing::run_call(to_probabilities, {operands[1]});
        steps.push_back({to_probabilities, {args[1]}});
        args[1] = static_cast<int>(values.size());
      }
      Tensor result = minitorch::testing::run_call(call, operands);
      steps.push_back({call, args});
      for (const Step& step : steps) program.push_back(step);
      if (steps.size() == 2) values.push_back(operands[1]);
      values.push_back(result);
    } catch (const minitorch::Error&) {
      // Not valid for these shapes: the step is dropped.
    }
  }
  if (program.empty() || values.back().numel() > kMaxOutput) {
    program.push_back({OpCall{.op = Op::kSum}, {static_cast<int>(values.size()) - 1}});
  }
  const minitorch::testing::Execution execution = minitorch::fuzz::read_execution(in);
  // Magnitudes to the edge of double's range: the reference's term
  // magnitudes bound what cancellation may lose, so such graphs are judged.
  const int64_t magnitude = in.version() >= 3 ? in.byte() : 0;
  if (magnitude != 0) {
    const int steps = in.version() == 3 ? kVersion3MagnitudeSteps : kMagnitudeSteps;
    const double scale = std::pow(10.0, static_cast<double>(magnitude % steps * 4));
    for (Tensor& x : inputs) x = x * scale;
  }
  minitorch::fuzz::check_gradients("fuzz_graph", program, inputs, execution, {data, size});
  return 0;
}
