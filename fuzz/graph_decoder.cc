// The graph decoder (see graph_decoder.h).
#include "fuzz/graph_decoder.h"

#include <cmath>
#include <cstdint>

#include "fuzz/call_reader.h"
#include "fuzz/harness.h"

namespace minitorch::fuzz {

namespace {

using testing::OpCall;
using testing::Program;
using testing::Step;

constexpr int64_t kMaxOutput = 16;

// The magnitude field's scales, 10^0, 10^4, ...: to the edge of the range,
// 1e300 (float32: 1e36), where a few steps of pow and div take some
// intermediate gradient past it, which the verdict counts apart
// (Unjudged::kGradientOutOfRange). Version 3 stopped at 1e100 (float32:
// 1e8), and its inputs keep that reading.
int magnitude_steps(int version, bool float32) {
  if (float32) return version == 3 ? 3 : 10;
  return version == 3 ? 26 : 76;
}

// Ops in the table when fuzz codes were introduced: version-1 inputs read
// their op byte modulo this.
constexpr int kVersion1Ops = 36;

}  // namespace

GraphCase decode_graph(ByteReader& in, const GraphOptions& options) {
  GraphCase out;
  const int num_inputs = in.flag() ? 2 : 1;
  std::vector<Shape> shapes;
  for (int i = 0; i < num_inputs; ++i) shapes.push_back(in.shape(0, 3, 4));
  // The magnitude field (version 3, read last) scales the values.
  auto mode = in.mode();
  if (!options.every_value_mode && mode != ValueMode::kGrid) mode = ValueMode::kSmall;
  for (const Shape& s : shapes) out.inputs.push_back(in.values(s, mode));

  Program& program = out.program;
  std::vector<Tensor> values = out.inputs;
  const int64_t steps = in.in_range(1, 8);
  for (int64_t s = 0; s < steps; ++s) {
    const std::optional<Op> code_op = in.op(kVersion1Ops);
    const Op op = code_op == Op::kToDtype && !options.keep_to_dtype ? Op::kClone
                                                                    : code_op.value_or(Op::kClone);
    std::vector<int> args;
    std::vector<Tensor> operands;
    // Read operand choices for the widest case; unused ones are ignored.
    for (int k = 0; k < 2; ++k) {
      const int a = static_cast<int>(in.in_range(0, 255) % static_cast<int64_t>(values.size()));
      args.push_back(a);
      operands.push_back(values[static_cast<size_t>(a)]);
    }
    if (!code_op) continue;  // no op has this code (yet): the step is dropped
    const OpCall call = read_call(in, op, operands);
    args.resize(static_cast<size_t>(tensor_operands(call)));
    operands.resize(args.size());
    Program new_steps;
    std::optional<std::string> error;
    try {
      NoGradGuard no_grad;
      if (op_form(op) == OpForm::kClassTarget && args.size() == 2) {
        // A probability target must be probabilities: softmax of the value
        // chosen (raw values of 1e176 as "probabilities" make the backward's
        // softmax * sum(t) - t cancel catastrophically, in LibTorch too).
        const OpCall to_probabilities{.op = Op::kSoftmax, .dims = {-1}};
        operands[1] = testing::run_call(to_probabilities, {operands[1]});
        new_steps.push_back({to_probabilities, {args[1]}});
        args[1] = static_cast<int>(values.size());
      }
      Tensor result = testing::run_call(call, operands);
      new_steps.push_back({call, args});
      for (const Step& step : new_steps) program.push_back(step);
      if (new_steps.size() == 2) values.push_back(operands[1]);
      values.push_back(result);
    } catch (const Error& e) {
      error = e.what();  // not valid for these shapes: the step is dropped
    }
    if (options.on_step) options.on_step(call, operands, error);
  }
  if (program.empty() || values.back().numel() > kMaxOutput) {
    program.push_back({OpCall{.op = Op::kSum}, {static_cast<int>(values.size()) - 1}});
  }
  out.execution = read_execution(in);
  // Magnitudes to the edge of double's range: the reference's term
  // magnitudes bound what cancellation may lose, so such graphs are judged.
  const int64_t magnitude = in.version() >= 3 ? in.byte() : 0;
  if (magnitude != 0) {
    const int steps_of_scale = magnitude_steps(in.version(), options.float32);
    const double scale = std::pow(10.0, static_cast<double>(magnitude % steps_of_scale * 4));
    for (Tensor& x : out.inputs) x = x * scale;
  }
  return out;
}

}  // namespace minitorch::fuzz
