// fuzz_graph: a random graph of 1 to 8 ops drawn from the whole op table
// over one or two inputs; gradcheck (error bounded) on the result.
//
// Fields after the version byte (see decoder.h):
//   inputs   flag: two inputs if set; each shape rank in_range(0, 3), dims
//            in_range(1, 4)
//   mode     mode(), wide and raw read as small (see below); values
//   steps    in_range(1, 8), then for each step:
//     op       in_range(0, kNumOps - 1): an op of the op table
//     operands in_range(0, 255) per tensor operand, modulo the values so far
//     params   what the op needs, read after the operands are known: dims
//              as in_range(-4, 3), keepdim flag, exponent value(kGrid), clamp
//              bound flags and value(kGrid) bounds, cross_entropy targets,
//              where's condition flags
// A step that is invalid for its operands' shapes (minitorch::Error) is
// dropped. cross_entropy's probability target is made a softmax of the
// value chosen (its domain). A result with more than 16 elements is summed,
// so the Jacobian stays small.
#include <cstdint>

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

std::vector<int64_t> read_dims(minitorch::fuzz::ByteReader& in, int64_t count) {
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < count; ++i) dims.push_back(in.in_range(-4, 3));
  return dims;
}

// The call for `op` on operands of the given shapes, reading its parameters.
OpCall read_call(minitorch::fuzz::ByteReader& in, Op op, const std::vector<Tensor>& operands) {
  const Tensor& x = operands[0];
  const int64_t rank = x.dim();
  OpCall call{.op = op};
  switch (op) {
    case Op::kSum:
    case Op::kMean:
    case Op::kAmax:
    case Op::kLogsumexp:
      call.dims = read_dims(in, in.in_range(op == Op::kLogsumexp ? 1 : 0, 2));
      call.keepdim = in.flag();
      break;
    case Op::kReshape:
      call.dims = in.flag() ? std::vector<int64_t>{-1} : std::vector<int64_t>{in.in_range(1, 4), -1};
      break;
    case Op::kTranspose:
      call.dims = read_dims(in, 2);
      break;
    case Op::kPermute: {
      std::vector<int64_t> perm(static_cast<size_t>(rank));
      for (int64_t i = 0; i < rank; ++i) perm[i] = i;
      for (int64_t i = rank - 1; i > 0; --i) std::swap(perm[i], perm[in.in_range(0, i)]);
      call.dims = perm;
      break;
    }
    case Op::kExpand:
      if (in.flag()) call.dims.push_back(in.in_range(1, 3));
      for (int64_t d : x.shape()) call.dims.push_back(d == 1 ? in.in_range(1, 3) : d);
      break;
    case Op::kSqueeze:
      if (in.flag()) call.dims = read_dims(in, 1);
      break;
    case Op::kUnsqueeze:
    case Op::kSoftmax:
    case Op::kLogSoftmax:
      call.dims = read_dims(in, 1);
      break;
    case Op::kClamp:
      if (in.flag()) call.min = in.value(minitorch::fuzz::ValueMode::kGrid);
      if (in.flag() || !call.min) call.max = in.value(minitorch::fuzz::ValueMode::kGrid);
      break;
    case Op::kPowScalar:
      call.exponent = in.value(minitorch::fuzz::ValueMode::kGrid);
      break;
    case Op::kCrossEntropy:
      if (rank == 2 && in.flag()) {
        std::vector<double> targets(static_cast<size_t>(x.size(0)));
        for (double& t : targets) t = static_cast<double>(in.in_range(0, x.size(1) - 1));
        call.constant = minitorch::tensor(targets, {x.size(0)}, minitorch::kInt64);
      }
      break;
    case Op::kEmbedding:
      if (rank == 2) {
        std::vector<double> rows(static_cast<size_t>(in.in_range(1, 4)));
        for (double& r : rows) r = static_cast<double>(in.in_range(0, x.size(0) - 1));
        call.constant = minitorch::tensor(rows, {static_cast<int64_t>(rows.size())}, minitorch::kInt64);
      }
      break;
    case Op::kWhere: {
      std::vector<double> condition(static_cast<size_t>(x.numel()));
      for (double& c : condition) c = in.flag() ? 1 : 0;
      call.constant = minitorch::tensor(condition, x.shape());
      break;
    }
    default:
      break;
  }
  return call;
}

// Operands an op reads from the value list (cross_entropy's class target
// and where's condition come from the call).
int tensor_operands(Op op, const OpCall& call) {
  if (op == Op::kCrossEntropy) return call.constant.defined() ? 1 : 2;
  if (op == Op::kEmbedding) return 1;
  return minitorch::op_arity(op) - (op == Op::kWhere ? 1 : 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = minitorch::fuzz::ByteReader::Open({data, size});
  if (!reader.ok()) return -1;
  minitorch::fuzz::ByteReader& in = *reader;

  const int num_inputs = in.flag() ? 2 : 1;
  std::vector<Shape> shapes;
  for (int i = 0; i < num_inputs; ++i) shapes.push_back(in.shape(0, 3, 4));
  // Small or grid values only. A graph can route gradients of 1e54 and
  // -1e54 into one sum next to a gradient of 0.375, which floating point then
  // loses ((0.375 + 1e54) - 1e54 == 0, in LibTorch too); no verifier can tell
  // that from a wrong gradient. Extreme magnitudes are fuzz_softmax's and
  // fuzz_broadcast's job, where each input takes one path.
  auto mode = in.mode();
  if (mode != minitorch::fuzz::ValueMode::kGrid) mode = minitorch::fuzz::ValueMode::kSmall;
  std::vector<Tensor> inputs;
  for (const Shape& s : shapes) inputs.push_back(in.values(s, mode));

  Program program;
  std::vector<Tensor> values = inputs;
  const int64_t steps = in.in_range(1, 8);
  for (int64_t s = 0; s < steps; ++s) {
    Op op = static_cast<Op>(in.in_range(0, minitorch::kNumOps - 1));
    // A float32 round trip leaves finite differences too few digits.
    if (op == Op::kToDtype) op = Op::kClone;
    std::vector<int> args;
    std::vector<Tensor> operands;
    // Read operand choices for the widest case; unused ones are ignored.
    for (int k = 0; k < 2; ++k) {
      const int a = static_cast<int>(in.in_range(0, 255) % static_cast<int64_t>(values.size()));
      args.push_back(a);
      operands.push_back(values[static_cast<size_t>(a)]);
    }
    const OpCall call = read_call(in, op, operands);
    args.resize(static_cast<size_t>(tensor_operands(op, call)));
    operands.resize(args.size());
    try {
      minitorch::NoGradGuard no_grad;
      Program steps;
      if (op == Op::kCrossEntropy && args.size() == 2) {
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
  minitorch::fuzz::check_gradients("fuzz_graph", program, inputs, {data, size});
  return 0;
}
