// Op calls as data (see op_call.h): the minitorch interpreter.
#include "testing/op_call.h"

#include <sstream>
#include <stdexcept>

#include "testing/op_forms.h"

namespace minitorch::testing {

namespace {

// The minitorch side of call_form (op_forms.h): constants pass through.
struct Lib {
  using Tensor = minitorch::Tensor;
  static const Tensor& constant(const Tensor& t) { return t; }
  static const Tensor& condition(const Tensor& t) { return t; }
  static std::optional<double> bound(std::optional<double> b) { return b; }
  static Tensor other_float(const Tensor& x) {
    return x.to(x.dtype() == kFloat32 ? kFloat64 : kFloat32);
  }
};

// The table's functions that minitorch has only as methods.
Tensor clone(const Tensor& x) { return x.clone(); }

}  // namespace

Tensor run_call(const OpCall& c, const std::vector<Tensor>& x) {
  switch (c.op) { MINITORCH_FOR_EACH_OP(MINITORCH_TESTING_CALL_CASE) }
  throw std::invalid_argument("run_call: op value outside the op table");
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
  if (op_form(c.op) == OpForm::kExponent) {
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

Program single_call(const OpCall& call, int operands) {
  Program program = {{call, {}}};
  for (int i = 0; i < operands; ++i) program[0].args.push_back(i);
  return program;
}

std::vector<Tensor> program_values(const Program& program, std::vector<Tensor> inputs) {
  return program_values(program, std::move(inputs), run_call);
}

Tensor run_program(const Program& program, const std::vector<Tensor>& inputs) {
  return program_values(program, inputs).back();
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
  return kink_signature_of_values(program, program_values(program, inputs));
}

std::vector<int8_t> kink_signature_of_values(const Program& program,
                                             const std::vector<Tensor>& values) {
  NoGradGuard no_grad;
  std::vector<int8_t> signature;
  for (const Step& step : program) {
    const std::vector<Tensor> x = operands_of(step, values);
    const OpCall& c = step.call;
    switch (op_kinks(c.op)) {
      case OpKinks::kNone:
        break;
      case OpKinks::kAtZero:
        append_signs(x[0], &signature);
        break;
      case OpKinks::kTies:
        append_signs(x[0] - x[1], &signature);
        break;
      case OpKinks::kClampBounds:
        if (c.min) append_signs(x[0] - *c.min, &signature);
        if (c.max) append_signs(x[0] - *c.max, &signature);
        break;
      case OpKinks::kTiesAlongDims:
        append_signs(x[0] - amax(x[0], c.dims, /*keepdim=*/true), &signature);
        break;
    }
  }
  return signature;
}

std::string describe(const Program& program, size_t num_inputs) {
  std::ostringstream os;
  for (size_t i = 0; i < program.size(); ++i) {
    os << "v" << num_inputs + i << " = " << describe(program[i].call) << " of (";
    for (size_t k = 0; k < program[i].args.size(); ++k)
      os << (k ? ", v" : "v") << program[i].args[k];
    os << ")\n";
  }
  return os.str();
}

}  // namespace minitorch::testing
