// Op calls as data: an op from the op table plus its non-tensor arguments.
//
// The registry, the property tests and the fuzzers describe what they run as
// OpCalls and Programs, so the same description runs in minitorch (here) and
// in LibTorch (tests/torch_oracle.cc), prints as a readable reproducer, and
// composes into random graphs.
//
// Example: softmax over dim 1 of the sum of two inputs.
//   Program p = {{OpCall{.op = Op::kAdd}, {0, 1}},
//                {OpCall{.op = Op::kSoftmax, .dims = {1}}, {2}}};
//   Tensor y = run_program(p, {a, b});   // value 2 is step 0's result
#ifndef MINITORCH_TESTING_OP_CALL_H_
#define MINITORCH_TESTING_OP_CALL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/minitorch.h"

namespace minitorch::testing {

struct OpCall {
  Op op = Op::kAdd;
  // Reduction dims (empty: every dim; without keepdim the whole-tensor form), a permutation, a
  // shape (reshape, expand), {dim} (squeeze, unsqueeze, softmax, log_softmax; squeeze with none
  // squeezes all), or {dim0, dim1} (transpose).
  std::vector<int64_t> dims;
  bool keepdim = false;
  double exponent = 0;             // pow_scalar
  std::optional<double> min, max;  // clamp
  // cross_entropy's int64 class target, where's condition, or embedding's
  // int64 indices.
  Tensor constant;
};

// Runs `call` on `operands` (as many as the op's arity, minus the constant).
Tensor run_call(const OpCall& call, const std::vector<Tensor>& operands);

// "sum(dims=[1], keepdim)", "clamp(min=-0.5, max=0.7)", ...
std::string describe(const OpCall& call);

// One step of a program: a call on earlier values. Values are numbered
// inputs first, then each step's result in order.
struct Step {
  OpCall call;
  std::vector<int> args;
};
using Program = std::vector<Step>;

// The program of one step: `call` on inputs 0 .. operands - 1.
Program single_call(const OpCall& call, int operands);

// The operands of `step` among `values` (the inputs, then the results of
// the steps before it). Any tensor type: LibTorch's bridge reads them too.
template <class T>
std::vector<T> operands_of(const Step& step, const std::vector<T>& values) {
  std::vector<T> operands;
  operands.reserve(step.args.size());
  for (const int a : step.args) operands.push_back(values.at(static_cast<size_t>(a)));
  return operands;
}

// Every value the program computes: `inputs`, then each step's result, each
// step run by `run` (minitorch's run_call unless given).
template <class T, class Run>
std::vector<T> program_values(const Program& program, std::vector<T> inputs, Run run) {
  std::vector<T> values = std::move(inputs);
  values.reserve(values.size() + program.size());
  for (const Step& step : program) values.push_back(run(step.call, operands_of(step, values)));
  return values;
}
std::vector<Tensor> program_values(const Program& program, std::vector<Tensor> inputs);

// The last step's result.
Tensor run_program(const Program& program, const std::vector<Tensor>& inputs);

// One line per step: "v2 = add() of (v0, v1)"; inputs are v0 .. v{num_inputs-1}.
std::string describe(const Program& program, size_t num_inputs);

// Where ops are not differentiable, declared: for every kinked op the
// program computes at `inputs`, which side of its kink each element is on
// (-1, 0 exactly at it, 1; 2 for NaN): relu and abs the sign of x, maximum and
// minimum the sign of a - b, clamp the signs of x - min and x - max, amax the
// sign of x - max along the reduced dims (0 for every maximum, so a tie shows).
// Smooth ops add nothing. Used as gradcheck's `branches` option.
std::vector<int8_t> kink_signature(const Program& program, const std::vector<Tensor>& inputs);

// The same, given every value the program computes (`inputs`, then each
// step's result in order), however they were computed: the verdict compares
// minitorch's branches with the reference's.
std::vector<int8_t> kink_signature_of_values(const Program& program,
                                             const std::vector<Tensor>& values);

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTING_OP_CALL_H_
