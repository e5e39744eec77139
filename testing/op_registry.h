// The op registry: one description per op variant, driving the forward,
// gradcheck, LibTorch-oracle, NaN/inf, error-matrix and property suites.
//
// An entry says how to call the op, what a plain reference computes, which
// shapes make good samples and where inputs must live (log and sqrt want
// positive values, div a denominator away from zero); where the op has kinks
// comes from its op-table entry. A new op needs one entry here, e.g.:
//
//   {.name = "exp",                       // unique; names the tests
//    .call = {.op = Op::kExp},            // the op and its non-tensor arguments
//    .shapes = kUnaryShapes,              // one Shape per input, per sample
//    .domains = {Domain::kReal},          // one per input
//    .reference = [](const Refs& x) { return ref_unary(x[0], [](double v) { return std::exp(v); });
//    }},
//
// The call runs in minitorch through testing/op_call.h and in LibTorch
// through tests/torch_oracle.cc, both by the op's form (testing/op_forms.h).
// OpRegistry.CoversEveryOpInTheTable fails while an op has no entry.
#ifndef MINITORCH_TESTING_OP_REGISTRY_H_
#define MINITORCH_TESTING_OP_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "minitorch/minitorch.h"
#include "testing/op_call.h"
#include "testing/reference.h"

namespace minitorch::testing {

using Inputs = std::vector<Tensor>;
using Refs = std::vector<RefArray>;

// Where an input's sample values are drawn from.
enum class Domain {
  kReal,          // standard normal
  kPositive,      // uniform in [0.5, 2.5): log, sqrt, pow bases
  kAwayFromZero,  // +-[0.5, 2.5): denominators
};

struct OpInfo {
  std::string name;
  OpCall call;
  std::vector<std::vector<Shape>> shapes;
  std::vector<Domain> domains;
  std::function<RefArray(const Refs&)> reference;

  int arity() const { return static_cast<int>(domains.size()); }
  Op op() const { return call.op; }
  Tensor fn(const Inputs& inputs) const { return run_call(call, inputs); }
};

// gtest prints an entry by its name.
inline void PrintTo(const OpInfo& info, std::ostream* os) { *os << info.name; }
inline void PrintTo(const OpInfo* info, std::ostream* os) { *os << info->name; }

const std::vector<OpInfo>& op_registry();
const OpInfo& find_op(const std::string& name);
// Pointers to every registry entry, for parameterised test suites.
std::vector<const OpInfo*> registry_entries();

// Sample inputs for entry `info`, sample `index`, of `dtype`; values drawn
// from each input's domain with a seed, nudged away from kinks.
Inputs make_sample(const OpInfo& info, size_t index, DType dtype, uint64_t seed);

// The op as a function of input `which` alone, the other inputs held at
// `sample`'s values: what a per-input gradcheck checks.
GradcheckFunction as_function_of_input(const OpInfo& info, const Inputs& sample, int which);

// `x` with values within 1e-3 of the op's kinks (relu and abs at 0, clamp
// bounds) moved 0.1 away, so finite differences (steps ~1e-6) stay clear of
// them. Ties of continuous random draws do not happen.
Tensor clear_of_kinks(const OpInfo& info, const Tensor& x);

// Draws values from `domain` for a tensor of `shape`.
Tensor sample_values(const Shape& shape, Domain domain, DType dtype, uint64_t seed);

// The same values as `t` behind non-contiguous strides (transposed storage,
// or every other element of a larger buffer for rank 1).
Tensor non_contiguous(const Tensor& t);

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTING_OP_REGISTRY_H_
