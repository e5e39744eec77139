// How an op of each OpForm is called, once for every library: the minitorch
// interpreter (op_call.cc) and the LibTorch one (tests/torch_oracle.cc)
// expand the op table through call_form, so an op whose form exists needs no
// interpreter code of its own.
//
// `Lib` adapts the OpCall's constants to the library:
//   typename Lib::Tensor;
//   Lib::constant(const minitorch::Tensor&)  an int64 target or index tensor
//   Lib::condition(const minitorch::Tensor&) where's condition
//   Lib::bound(std::optional<double>)        a clamp bound
//   Lib::other_float(const Lib::Tensor&)     float32 <-> float64 conversion
#ifndef MINITORCH_TESTING_OP_FORMS_H_
#define MINITORCH_TESTING_OP_FORMS_H_

#include <stdexcept>
#include <string>
#include <vector>

#include "minitorch/op_table.h"
#include "testing/op_call.h"

namespace minitorch::testing {

// Calls `f` (the op's function in Lib) with the tensors `x` (any container
// whose `at(i)` gives a Lib::Tensor) and the call's non-tensor arguments, as
// form `kForm` passes them.
template <OpForm kForm, int kOperands, class Lib, class F, class Operands>
typename Lib::Tensor call_form(const F& f, const OpCall& c, const Operands& x) {
  const std::vector<int64_t>& d = c.dims;
  if constexpr (kForm == OpForm::kTensors) {
    if constexpr (kOperands == 1) {
      return f(x.at(0));
    } else {
      return f(x.at(0), x.at(1));
    }
  } else if constexpr (kForm == OpForm::kReduceDims) {
    return d.empty() && !c.keepdim ? f(x.at(0)) : f(x.at(0), d, c.keepdim);
  } else if constexpr (kForm == OpForm::kDimsRequired) {
    return f(x.at(0), d, c.keepdim);
  } else if constexpr (kForm == OpForm::kDim) {
    return f(x.at(0), d.at(0));
  } else if constexpr (kForm == OpForm::kOptionalDim) {
    return d.empty() ? f(x.at(0)) : f(x.at(0), d.at(0));
  } else if constexpr (kForm == OpForm::kDimPair || kForm == OpForm::kDimIndex) {
    return f(x.at(0), d.at(0), d.at(1));
  } else if constexpr (kForm == OpForm::kSlice) {
    return f(x.at(0), d.at(0), d.at(1), d.at(2), d.at(3));
  } else if constexpr (kForm == OpForm::kNarrow) {
    return f(x.at(0), d.at(0), d.at(1), d.at(2));
  } else if constexpr (kForm == OpForm::kJoin) {
    return f(std::vector<typename Lib::Tensor>{x.at(0), x.at(1)}, d.at(0));
  } else if constexpr (kForm == OpForm::kDimIndices || kForm == OpForm::kGatherIndex) {
    return f(x.at(0), d.at(0), Lib::constant(c.constant));
  } else if constexpr (kForm == OpForm::kScatterIndex) {
    return f(x.at(0), d.at(0), Lib::constant(c.constant), x.at(1));
  } else if constexpr (kForm == OpForm::kShape || kForm == OpForm::kExpandShape ||
                       kForm == OpForm::kPermutation) {
    return f(x.at(0), d);
  } else if constexpr (kForm == OpForm::kClampBounds) {
    return f(x.at(0), Lib::bound(c.min), Lib::bound(c.max));
  } else if constexpr (kForm == OpForm::kExponent) {
    return f(x.at(0), c.exponent);
  } else if constexpr (kForm == OpForm::kClassTarget) {
    return c.constant.defined() ? f(x.at(0), Lib::constant(c.constant)) : f(x.at(0), x.at(1));
  } else if constexpr (kForm == OpForm::kCondition) {
    return f(Lib::condition(c.constant), x.at(0), x.at(1));
  } else if constexpr (kForm == OpForm::kIndices) {
    return f(x.at(0), Lib::constant(c.constant));
  } else if constexpr (kForm == OpForm::kDtype) {
    return Lib::other_float(x.at(0));
  } else {
    static_assert(kForm == OpForm::kBackwardOnly);
    throw Error(std::string(op_name(c.op)) + ": recorded only by a backward formula, not callable");
  }
}

// Expands to the switch case of one op-table entry: runs the op's function
// through its form. `Lib` must name the adapter in scope.
#define MINITORCH_TESTING_CALL_CASE(id, name, function, operands, form, family, kinks, code) \
  case Op::id:                                                                               \
    return call_form<OpForm::form, operands, Lib>(                                           \
        [](const auto&... args) { return function(args...); }, c, x);

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTING_OP_FORMS_H_
