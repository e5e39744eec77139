// The reference AD (testing/reference.h over testing/dual.h) against
// LibTorch at FP64: forward values and vector-Jacobian products on every
// registry sample, at the kinks where LibTorch's subgradient conventions
// decide, and at magnitudes where a naive formula overflows.
#include "testing/reference.h"

#include <gtest/gtest.h>

#include "minitorch/minitorch.h"
#include "test_util.h"
#include "testing/op_registry.h"
#include "testing/recycled.h"
#include "testing/verdict.h"
#include "torch_oracle.h"

namespace minitorch::testing {
namespace {

// LibTorch computes in double, the reference exactly: they agree to a few
// ulps of the values involved.
constexpr double kTol = 1e-10;

void expect_matches_torch(const Program& program, const std::vector<Tensor>& inputs, uint64_t seed,
                          const std::string& what) {
  Shape out_shape;
  {
    NoGradGuard no_grad;
    out_shape = run_program(program, inputs).shape();
  }
  const Tensor cotangent = randn(out_shape, seed);
  const ReferenceResult reference = reference_vjp(program, inputs, cotangent);
  const OracleResult torch = torch_run(program, inputs, cotangent);
  EXPECT_TRUE(all_close(reference.forward.shape, reference.forward.values, torch.forward.shape,
                        torch.forward.values, kTol, kTol))
      << what << " forward";
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!torch.grads[i]) continue;  // LibTorch has no gradient for this input
    EXPECT_TRUE(all_close(reference.grads[i].shape, reference.grads[i].values,
                          torch.grads[i]->shape, torch.grads[i]->values, kTol, kTol))
        << what << " gradient of input " << i;
  }
}

class ReferenceOracle : public ::testing::TestWithParam<const OpInfo*> {};

TEST_P(ReferenceOracle, ForwardAndVjpMatchLibTorch) {
  const OpInfo& info = *GetParam();
  const Program program = single_call(info.call, info.arity());
  for (size_t s = 0; s < info.shapes.size(); ++s) {
    expect_matches_torch(program, make_sample(info, s, kFloat64, 700 + s), 800 + s,
                         info.name + " sample " + std::to_string(s));
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, ReferenceOracle, ::testing::ValuesIn(registry_entries()),
                         [](const auto& p) { return test_name(p.param->name); });

// Exactly at kinks and ties the reference takes LibTorch's subgradient.
TEST(ReferenceOracleAtKinks, SubgradientsMatchLibTorch) {
  for (const KinkCase& c : kink_cases()) {
    expect_matches_torch(single_call(c.call, static_cast<int>(c.inputs.size())), c.inputs, 5,
                         describe(c.call));
  }
}

// Where the true result is finite, the reference is, at any magnitude:
// softmax, log_softmax, logsumexp and cross_entropy at 1e300, sigmoid at
// -1e4, and products whose intermediates leave double's range.
TEST(ReferenceOracleAtExtremes, StableWhereTheResultIsFinite) {
  const Tensor huge = tensor({1e300, 0, -1e300, 2e299, -1e300, 2, -5, 3e299}, {2, 4});
  const std::vector<std::pair<OpCall, std::vector<Tensor>>> cases = {
      {{.op = Op::kSoftmax, .dims = {1}}, {huge}},
      {{.op = Op::kLogSoftmax, .dims = {1}}, {huge}},
      {{.op = Op::kLogsumexp, .dims = {0}}, {huge}},
      {{.op = Op::kCrossEntropy, .constant = tensor({0, 3}, {2}, kInt64)}, {huge}},
      {{.op = Op::kSigmoid}, {tensor({-1e4, 1e4, -800, 800}, {4})}},
  };
  for (const auto& [call, inputs] : cases) {
    const Program program = single_call(call, static_cast<int>(inputs.size()));
    expect_matches_torch(program, inputs, 9, describe(call));
    Shape out_shape;
    {
      NoGradGuard no_grad;
      out_shape = run_program(program, inputs).shape();
    }
    const ReferenceResult r = reference_vjp(program, inputs, ones(out_shape));
    for (double v : r.forward.values) EXPECT_FALSE(std::isnan(v)) << describe(call);
  }
}

// Two equal maxima of 1e300 share logsumexp's gradient, 1/2 each. LibTorch's
// double formula exp(x - logsumexp(x)) gives 1 each: 1e300 + log(2) rounds
// to 1e300. The reference keeps log(2) apart from the shift.
TEST(ReferenceOracleAtExtremes, KeepsLogTwoBesideAShiftOf1e300) {
  const Program program = {{OpCall{.op = Op::kLogsumexp, .dims = {0}}, {0}}};
  const ReferenceResult r = reference_vjp(program, {tensor({1e300, 1e300}, {2})}, ones({}));
  EXPECT_DOUBLE_EQ(r.forward.values[0], 1e300);
  EXPECT_EQ(r.grads[0].values, (std::vector<double>{0.5, 0.5}));
}

// The reference's arrays over dual numbers reuse released storage
// (testing/recycled.h): a block goes to the next request of its size class,
// and a vector built in it starts from zeros, not from the last contents.
TEST(RecycledStorage, HandsAReleasedBlockToTheNextRequestOfItsClass) {
  void* first = take_block(1000);
  give_block(first, 1000);
  void* same_class = take_block(900);
  void* larger_class = take_block(5000);
  EXPECT_EQ(same_class, first);
  EXPECT_NE(larger_class, first);
  give_block(same_class, 900);
  give_block(larger_class, 5000);
}

TEST(RecycledStorage, ArraysStartFromZerosInReusedStorage) {
  using D = Dual<long double, 4>;
  const D* storage = nullptr;
  {
    RefValues<D> used(7);
    for (D& x : used) {
      x.v = 3;
      x.d[1] = 5;
    }
    storage = used.data();
  }
  const RefValues<D> fresh(7);
  EXPECT_EQ(fresh.data(), storage);
  for (const D& x : fresh) {
    EXPECT_EQ(x.v, 0);
    EXPECT_EQ(x.d[1], 0);
  }
}

}  // namespace
}  // namespace minitorch::testing
