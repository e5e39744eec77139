// Op calls as data (see op_call.h): the minitorch interpreter.
#include "testing/op_call.h"

#include <sstream>
#include <stdexcept>

namespace minitorch::testing {

Tensor run_call(const OpCall& c, const std::vector<Tensor>& x) {
  auto arg = [&](size_t i) -> const Tensor& {
    if (i >= x.size()) {
      throw std::invalid_argument(std::string(op_name(c.op)) + ": missing operand " + std::to_string(i));
    }
    return x[i];
  };
  const auto dim = [&] { return c.dims.at(0); };
  switch (c.op) {
    case Op::kAdd: return add(arg(0), arg(1));
    case Op::kSub: return sub(arg(0), arg(1));
    case Op::kMul: return mul(arg(0), arg(1));
    case Op::kDiv: return div(arg(0), arg(1));
    case Op::kPow: return pow(arg(0), arg(1));
    case Op::kMaximum: return maximum(arg(0), arg(1));
    case Op::kMinimum: return minimum(arg(0), arg(1));
    case Op::kNeg: return neg(arg(0));
    case Op::kExp: return exp(arg(0));
    case Op::kLog: return log(arg(0));
    case Op::kSqrt: return sqrt(arg(0));
    case Op::kAbs: return abs(arg(0));
    case Op::kTanh: return tanh(arg(0));
    case Op::kSigmoid: return sigmoid(arg(0));
    case Op::kRelu: return relu(arg(0));
    case Op::kClamp: return clamp(arg(0), c.min, c.max);
    case Op::kSum: return c.dims.empty() && !c.keepdim ? sum(arg(0)) : sum(arg(0), c.dims, c.keepdim);
    case Op::kMean: return c.dims.empty() && !c.keepdim ? mean(arg(0)) : mean(arg(0), c.dims, c.keepdim);
    case Op::kAmax: return c.dims.empty() && !c.keepdim ? amax(arg(0)) : amax(arg(0), c.dims, c.keepdim);
    case Op::kLogsumexp: return logsumexp(arg(0), c.dims, c.keepdim);
    case Op::kMatmul: return matmul(arg(0), arg(1));
    case Op::kReshape: return reshape(arg(0), c.dims);
    case Op::kTranspose: return transpose(arg(0), c.dims.at(0), c.dims.at(1));
    case Op::kPermute: return permute(arg(0), c.dims);
    case Op::kExpand: return expand(arg(0), c.dims);
    case Op::kSqueeze: return c.dims.empty() ? squeeze(arg(0)) : squeeze(arg(0), dim());
    case Op::kUnsqueeze: return unsqueeze(arg(0), dim());
    case Op::kSoftmax: return softmax(arg(0), dim());
    case Op::kLogSoftmax: return log_softmax(arg(0), dim());
    case Op::kCrossEntropy: return cross_entropy(arg(0), c.constant.defined() ? c.constant : arg(1));
    case Op::kPowScalar: return pow(arg(0), c.exponent);
    case Op::kWhere: return where(c.constant, arg(0), arg(1));
    case Op::kToDtype: return arg(0).to(arg(0).dtype() == kFloat32 ? kFloat64 : kFloat32);
    case Op::kClone: return arg(0).clone();
    case Op::kEmbedding: return embedding(arg(0), c.constant);
    case Op::kEmbeddingBackward:
      throw Error("embedding_backward: recorded only by the backward of embedding, not callable");
  }
  throw std::invalid_argument("apply: unknown op");
}

std::string describe(const OpCall& c) {
  std::ostringstream os;
  os << op_name(c.op) << "(";
  const char* sep = "";
  if (!c.dims.empty()) {
    os << "dims=" << Shape(c.dims);
    sep = ", ";
  }
  if (c.keepdim) {
    os << sep << "keepdim";
    sep = ", ";
  }
  if (c.op == Op::kPowScalar) {
    os << sep << "exponent=" << c.exponent;
    sep = ", ";
  }
  if (c.min) {
    os << sep << "min=" << *c.min;
    sep = ", ";
  }
  if (c.max) {
    os << sep << "max=" << *c.max;
    sep = ", ";
  }
  if (c.constant.defined()) os << sep << "constant=" << c.constant;
  os << ")";
  return os.str();
}

Tensor run_program(const Program& program, const std::vector<Tensor>& inputs) {
  std::vector<Tensor> values = inputs;
  for (const Step& step : program) {
    std::vector<Tensor> operands;
    for (int a : step.args) operands.push_back(values.at(static_cast<size_t>(a)));
    values.push_back(run_call(step.call, operands));
  }
  return values.back();
}

namespace {

void append_signs(const Tensor& difference, std::vector<int8_t>* signature) {
  for (double v : difference.to_vector()) {
    signature->push_back(v > 0 ? 1 : v < 0 ? -1 : v == 0 ? 0 : 2);
  }
}

}  // namespace

std::vector<int8_t> kink_signature(const Program& program, const std::vector<Tensor>& inputs) {
  NoGradGuard no_grad;
  std::vector<int8_t> signature;
  std::vector<Tensor> values = inputs;
  for (const Step& step : program) {
    std::vector<Tensor> x;
    for (int a : step.args) x.push_back(values.at(static_cast<size_t>(a)));
    const OpCall& c = step.call;
    switch (c.op) {
      case Op::kRelu:
      case Op::kAbs:
        append_signs(x[0], &signature);
        break;
      case Op::kMaximum:
      case Op::kMinimum:
        append_signs(x[0] - x[1], &signature);
        break;
      case Op::kClamp:
        if (c.min) append_signs(x[0] - *c.min, &signature);
        if (c.max) append_signs(x[0] - *c.max, &signature);
        break;
      case Op::kAmax:
        append_signs(x[0] - amax(x[0], c.dims, /*keepdim=*/true), &signature);
        break;
      default:
        break;
    }
    values.push_back(run_call(c, x));
  }
  return signature;
}

std::string describe(const Program& program, size_t num_inputs) {
  std::ostringstream os;
  for (size_t i = 0; i < program.size(); ++i) {
    os << "v" << num_inputs + i << " = " << describe(program[i].call) << " of (";
    for (size_t k = 0; k < program[i].args.size(); ++k) os << (k ? ", v" : "v") << program[i].args[k];
    os << ")\n";
  }
  return os.str();
}

}  // namespace minitorch::testing
