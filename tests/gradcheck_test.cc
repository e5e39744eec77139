// Gradcheck per op and per input, driven by the op registry; broadcasting
// backward over the common shape pairs; and gradcheck's own ability to fail.
#include <gtest/gtest.h>

#include "autograd/node.h"
#include "minitorch/minitorch.h"
#include "ops/op_util.h"
#include "test_util.h"
#include "testing/op_registry.h"

namespace minitorch::testing {
namespace {

struct InputCase {
  const OpInfo* info;
  int input;
};

std::vector<InputCase> every_op_input() {
  std::vector<InputCase> cases;
  for (const OpInfo& info : op_registry()) {
    for (int i = 0; i < info.arity(); ++i) cases.push_back({&info, i});
  }
  return cases;
}

void PrintTo(const InputCase& c, std::ostream* os) { *os << c.info->name << " input " << c.input; }

// gradcheck of d op / d input (the other inputs held fixed) at every sample
// shape of the registry entry must pass.
void expect_pass_at_every_sample(const InputCase& c, const GradcheckOptions& options) {
  for (size_t s = 0; s < c.info->shapes.size(); ++s) {
    const Inputs sample = make_sample(*c.info, s, kFloat64, /*seed=*/100 + s);
    const GradcheckResult r =
        gradcheck(as_function_of_input(*c.info, sample, c.input), {sample[c.input]}, options);
    EXPECT_EQ(r.verdict, GradcheckVerdict::kPass)
        << c.info->name << " sample " << s << ": " << r.message;
  }
}

class OpGradcheck : public ::testing::TestWithParam<InputCase> {};

TEST_P(OpGradcheck, MatchesFiniteDifferences) { expect_pass_at_every_sample(GetParam(), {}); }

INSTANTIATE_TEST_SUITE_P(Ops, OpGradcheck, ::testing::ValuesIn(every_op_input()),
                         [](const auto& p) {
                           return test_name(p.param.info->name + "_input" +
                                            std::to_string(p.param.input));
                         });

// Every public op of the op table is covered by at least one registry entry.
TEST(OpRegistry, CoversEveryOpInTheTable) {
  for (int i = 0; i < kNumOps; ++i) {
    const Op op = static_cast<Op>(i);
    // Conversions (to, clone) are covered in tensor_test; backward-only ops
    // (embedding_backward) by the double-backward tests.
    if (op_family(op) == OpFamily::kConversion || op_form(op) == OpForm::kBackwardOnly) continue;
    bool found = false;
    for (const OpInfo& info : op_registry()) found = found || info.op() == op;
    EXPECT_TRUE(found) << "no registry entry exercises " << op_name(op);
  }
}

struct PairCase {
  Shape a, b;
};

void PrintTo(const PairCase& c, std::ostream* os) { *os << c.a << " with " << c.b; }

class BroadcastBackward : public ::testing::TestWithParam<PairCase> {};

// For every broadcasting op: the gradient of each input has the input's
// shape and matches finite differences, with the inputs jointly checked.
TEST_P(BroadcastBackward, EveryBinaryOp) {
  const auto& [shape_a, shape_b] = GetParam();
  for (const OpInfo& info : op_registry()) {
    if (op_family(info.op()) == OpFamily::kElementwise && info.arity() == 2) {
      Tensor a = sample_values(shape_a, info.domains[0], kFloat64, 1).requires_grad_();
      Tensor b = sample_values(shape_b, info.domains[1], kFloat64, 2).requires_grad_();
      Tensor out = info.fn({a, b});
      out.backward(randn(out.shape(), 3));
      EXPECT_EQ(a.grad().shape(), shape_a) << info.name;
      EXPECT_EQ(b.grad().shape(), shape_b) << info.name;
      const GradcheckResult r =
          gradcheck([&](const Inputs& x) { return info.fn(x); }, {a.detach(), b.detach()});
      EXPECT_TRUE(r.ok) << info.name << ": " << r.message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, BroadcastBackward,
                         ::testing::Values(PairCase{{3}, {4, 3}}, PairCase{{4, 3}, {3}},
                                           PairCase{{4, 1}, {1, 3}}, PairCase{{2, 1, 3}, {4, 3}},
                                           PairCase{{4, 3}, {2, 1, 3}}, PairCase{{1}, {2, 3, 4}},
                                           PairCase{{}, {2, 3}}, PairCase{{2, 3}, {}},
                                           PairCase{{}, {}}, PairCase{{2, 1}, {2, 1}}),
                         [](const auto& p) {
                           return test_name("a" + p.param.a.to_string() + "_b" +
                                            p.param.b.to_string());
                         });

// The gradient of an input broadcast by the op equals the sum of the
// gradient through an explicitly expanded, materialised copy.
TEST(BroadcastBackward, EqualsGradientThroughMaterialisedCopy) {
  const Tensor w = randn({2, 4, 3}, 5);
  Tensor a = randn({4, 1}, 1).requires_grad_();
  Tensor b = randn({3}, 2).requires_grad_();
  (a * b * w).sum().backward();
  Tensor a2 = a.detach().requires_grad_();
  Tensor b2 = b.detach().requires_grad_();
  const Tensor a_big = a2.expand({2, 4, 3}).contiguous();
  const Tensor b_big = b2.expand({2, 4, 3}).contiguous();
  (a_big * b_big * w).sum().backward();
  EXPECT_TRUE(all_close(a.grad(), a2.grad(), 1e-14, 1e-14));
  EXPECT_TRUE(all_close(b.grad(), b2.grad(), 1e-14, 1e-14));
}

// gradcheck must be able to fail: x * x.detach() has autograd gradient x
// but true derivative 2x.
TEST(Gradcheck, ReportsAWrongGradientWithItsIndex) {
  const Tensor x = tensor({0.0, 0.0, 3.0, 1.0}, {2, 2});
  const GradcheckResult r =
      gradcheck([](const std::vector<Tensor>& in) { return in[0] * in[0].detach(); }, {x});
  EXPECT_FALSE(r.ok);
  // Indices 0 and 1 hold 0, where x and 2x agree; index 2 is the first wrong one.
  EXPECT_NE(r.message.find("input 0"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("flat index 2"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("analytic 3 vs numeric 6"), std::string::npos) << r.message;
}

// An op whose backward is right for one-hot cotangents but not linear in
// its cotangent (it returns |grad|) passes the Jacobian rows and must be
// caught by the random-cotangent check.
Tensor identity_with_abs_backward(const Tensor& x) {
  Tensor out = x.detach().clone();
  if (should_record({&x})) {
    record(Op::kClone, out, {&x},
           [](const Tensor& grad, const BackwardContext&) { return GradList{abs(grad)}; });
  }
  return out;
}

TEST(Gradcheck, CatchesABackwardNonLinearInItsCotangent) {
  for (bool error_bounded : {false, true}) {
    GradcheckOptions options;
    options.error_bounded = error_bounded;
    const GradcheckResult r =
        gradcheck([](const std::vector<Tensor>& in) { return identity_with_abs_backward(in[0]); },
                  {randn({3, 4}, 1)}, options);
    EXPECT_EQ(r.verdict, GradcheckVerdict::kFail) << r.message;
    EXPECT_NE(r.message.find("random cotangent"), std::string::npos) << r.message;
  }
}

TEST(Gradcheck, PassesOnAMultiInputFunctionWithNonScalarOutput) {
  const GradcheckResult r =
      gradcheck([](const std::vector<Tensor>& in) { return matmul(in[0], in[1]).tanh() * in[2]; },
                {randn({3, 4}, 1), randn({4, 2}, 2), randn({2}, 3)});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_NE(r.message.find("3 inputs"), std::string::npos) << r.message;
}

TEST(Gradcheck, FailsOnNaNGradient) {
  const GradcheckResult r =
      gradcheck([](const std::vector<Tensor>& in) { return sqrt(in[0]); }, {tensor({0.0}, {1})});
  EXPECT_FALSE(r.ok) << r.message;
}

TEST(Gradcheck, RejectsFloat32Inputs) {
  EXPECT_THROW(
      gradcheck([](const std::vector<Tensor>& in) { return in[0]; }, {randn({2}, 1, kFloat32)}),
      Error);
  try {
    gradcheck([](const std::vector<Tensor>& in) { return in[0]; }, {randn({2}, 1, kFloat32)});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("float32"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

GradcheckOptions error_bounded() {
  GradcheckOptions options;
  options.error_bounded = true;
  return options;
}

class ErrorBoundedGradcheck : public ::testing::TestWithParam<InputCase> {};

// Every correct op passes the error-bounded check at the registry samples.
TEST_P(ErrorBoundedGradcheck, PassesEveryCorrectOp) {
  expect_pass_at_every_sample(GetParam(), error_bounded());
}

INSTANTIATE_TEST_SUITE_P(Ops, ErrorBoundedGradcheck, ::testing::ValuesIn(every_op_input()),
                         [](const auto& p) {
                           return test_name(p.param.info->name + "_input" +
                                            std::to_string(p.param.input));
                         });

TEST(ErrorBoundedGradcheck, FailsAWrongGradient) {
  const GradcheckResult r =
      gradcheck([](const std::vector<Tensor>& in) { return in[0] * in[0].detach(); },
                {tensor({0.5, 3.0}, {2})}, error_bounded());
  EXPECT_EQ(r.verdict, GradcheckVerdict::kFail) << r.message;
  EXPECT_NE(r.message.find("flat index 0"), std::string::npos) << r.message;
}

// At a kink the basic check compares the subgradient with the average of the
// one-sided derivatives and reports a false failure; the error-bounded check
// sees the kink and calls it inconclusive.
TEST(ErrorBoundedGradcheck, KinkIsInconclusiveWhereBasicFails) {
  const auto f = [](const std::vector<Tensor>& in) { return relu(in[0]); };
  const Tensor at_kink = tensor({0.0, 1.0}, {2});
  EXPECT_FALSE(gradcheck(f, {at_kink}).ok);
  const GradcheckResult r = gradcheck(f, {at_kink}, error_bounded());
  EXPECT_EQ(r.verdict, GradcheckVerdict::kInconclusive) << r.message;
  EXPECT_EQ(r.inconclusive_entries, 1);
  EXPECT_NE(r.message.find("kink"), std::string::npos) << r.message;
  for (auto g : std::vector<GradcheckFunction>{
           [](const std::vector<Tensor>& in) { return abs(in[0]); },
           [](const std::vector<Tensor>& in) {
             return amax(in[0] * tensor({1.0, 0.0}, {2}) + 1.0);
           },
           [](const std::vector<Tensor>& in) {
             return maximum(in[0], tensor({0.0, 1.0}, {2}));
           },
           [](const std::vector<Tensor>& in) { return clamp(in[0], 0.0, 1.0); }}) {
    // abs at 0 and a maximum tie even agree with the central difference, by
    // symmetry: still not a pass.
    const GradcheckResult k = gradcheck(g, {tensor({0.0, 1.0}, {2})}, error_bounded());
    EXPECT_EQ(k.verdict, GradcheckVerdict::kInconclusive) << k.message;
  }
}

// A smooth function that changes within a distance far below the step looks
// like a jump to the finite differences: its one-sided differences do not
// shrink with the step, so its one-sided derivatives grow as 1/h. That is
// not a kink (whose one-sided derivatives settle), and the analytic value is
// not judged against them. Found by fuzz_graph: softmax of x^x with ties.
TEST(ErrorBoundedGradcheck, FeatureFinerThanTheStepIsInconclusiveNotAKink) {
  const auto f = [](const std::vector<Tensor>& in) {
    return softmax(in[0] * tensor({1e9, 0.0, 0.0}, {3}), 0);
  };
  const GradcheckResult r = gradcheck(f, {tensor({0.0}, {1})}, error_bounded());
  EXPECT_EQ(r.verdict, GradcheckVerdict::kInconclusive) << r.message;
  EXPECT_EQ(r.message.find("kink"), std::string::npos) << r.message;
}

// Derivatives near the largest double: Richardson's extrapolation must not
// overflow on the way (16 x 3e307 does) and turn the second opinion at a
// step relative to |x| into a non-finite one. Found by fuzz_broadcast:
// -1e116 / x at x = 1.8e-96, derivative 3.1e307.
TEST(ErrorBoundedGradcheck, DerivativeNearTheLargestDoubleIsNoFalseFailure) {
  const auto f = [](const std::vector<Tensor>& in) {
    return tensor({-1.0078125e+116}, {1}) / in[0];
  };
  const GradcheckResult r = gradcheck(f, {tensor({1.7890625e-96}, {1})}, error_bounded());
  EXPECT_NE(r.verdict, GradcheckVerdict::kFail) << r.message;
}

// Near a singularity a fixed small step still straddles too much curvature:
// the basic check fails a correct gradient, the error-bounded one sees the
// differences do not converge.
TEST(ErrorBoundedGradcheck, NearSingularityIsInconclusiveWhereBasicFails) {
  const auto f = [](const std::vector<Tensor>& in) { return 1.0 / in[0]; };
  const Tensor near_zero = tensor({3e-6}, {1});
  EXPECT_FALSE(gradcheck(f, {near_zero}).ok);
  const GradcheckResult r = gradcheck(f, {near_zero}, error_bounded());
  EXPECT_EQ(r.verdict, GradcheckVerdict::kInconclusive) << r.message;
}

TEST(ErrorBoundedGradcheck, NonFiniteIsInconclusive) {
  const GradcheckResult r = gradcheck([](const std::vector<Tensor>& in) { return log(in[0]); },
                                      {tensor({-1.0}, {1})}, error_bounded());
  EXPECT_EQ(r.verdict, GradcheckVerdict::kInconclusive) << r.message;
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// A function of tiny x varies on the scale of x: a step of 1e-3 "converges"
// to a wrong derivative there. A failure must survive other step sizes.
TEST(ErrorBoundedGradcheck, TinyScaleIsNotAFalseFailure) {
  GradcheckOptions options;
  options.error_bounded = true;
  const GradcheckResult r = gradcheck([](const std::vector<Tensor>& in) { return 1e-300 / in[0]; },
                                      {tensor({-1.73e-156}, {1})}, options);
  EXPECT_NE(r.verdict, GradcheckVerdict::kFail) << r.message;
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// Second derivatives of every op, through its recorded backward.
class OpGradgradcheck : public ::testing::TestWithParam<InputCase> {};

TEST_P(OpGradgradcheck, SecondDerivativesMatchFiniteDifferences) {
  const OpInfo& info = *GetParam().info;
  const int which = GetParam().input;
  const Inputs sample = make_sample(info, 0, kFloat64, /*seed=*/500);
  const GradcheckFunction fn = as_function_of_input(info, sample, which);
  const GradcheckResult r = gradgradcheck(fn, {sample[which]});
  EXPECT_TRUE(r.ok) << info.name << ": " << r.message;
}

INSTANTIATE_TEST_SUITE_P(Ops, OpGradgradcheck, ::testing::ValuesIn(every_op_input()),
                         [](const auto& p) {
                           return test_name(p.param.info->name + "_input" +
                                            std::to_string(p.param.input));
                         });

// A backward that is right to first order but wrongly recorded (its
// gradient treats a saved input as a constant) passes gradcheck and fails
// gradgradcheck.
Tensor square_with_detached_backward(const Tensor& x) {
  Tensor out = x.detach() * x.detach();
  if (should_record({&x})) {
    record(Op::kMul, out, {&x}, [saved = x.detach()](const Tensor& grad, const BackwardContext&) {
      return GradList{grad * saved * 2.0};  // right value, no second derivative
    });
  }
  return out;
}

TEST(Gradgradcheck, CatchesAWrongSecondDerivativeThatGradcheckMisses) {
  const auto fn = [](const std::vector<Tensor>& in) {
    return square_with_detached_backward(in[0]);
  };
  const Tensor x = randn({3}, 1);
  EXPECT_TRUE(gradcheck(fn, {x}).ok);
  const GradcheckResult r = gradgradcheck(fn, {x});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("gradgradcheck"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// Found by fuzz_broadcast: x = 1e24 added to 1.5e252 vanishes in rounding,
// so every probe returns f(x) bit for bit; a zero difference then says
// nothing about the (non-zero) derivative.
TEST(ErrorBoundedGradcheck, AbsorbedPerturbationIsInconclusive) {
  const GradcheckResult r = gradcheck(
      [](const std::vector<Tensor>& in) {
        return softmax(in[0] + tensor({1.5e252, 1.5e252}, {2}), 0);
      },
      {tensor({1e24, 0.0}, {2})}, error_bounded());
  EXPECT_EQ(r.verdict, GradcheckVerdict::kInconclusive) << r.message;
  EXPECT_NE(r.message.find("absorbed"), std::string::npos) << r.message;
}

// Found by fuzz_softmax: differences of values near 1e308 overflow to NaN.
TEST(ErrorBoundedGradcheck, OverflowingDifferencesAreInconclusive) {
  const GradcheckResult r = gradcheck([](const std::vector<Tensor>& in) { return in[0] * 1e300; },
                                      {tensor({-1.4e308, 1.0}, {2})}, error_bounded());
  EXPECT_NE(r.verdict, GradcheckVerdict::kFail) << r.message;
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// A 64x64 matmul whose backward for a forgets to transpose b: shapes agree,
// values do not.
Tensor matmul_with_untransposed_backward(const Tensor& a, const Tensor& b) {
  Tensor out = matmul(a.detach(), b.detach());
  if (should_record({&a, &b})) {
    record(Op::kMatmul, out, {&a, &b},
           [a = a.detach(), b = b.detach()](const Tensor& grad, const BackwardContext&) {
             return GradList{matmul(grad, b), matmul(a.t(), grad)};
           });
  }
  return out;
}

TEST(FastGradcheck, CatchesAWrong64x64MatmulBackwardAndNamesTheEntry) {
  GradcheckOptions options;
  options.fast_mode = true;
  const Tensor a = randn({64, 64}, 1), b = randn({64, 64}, 2);
  const GradcheckResult r = gradcheck(
      [&](const std::vector<Tensor>& in) { return matmul_with_untransposed_backward(in[0], b); },
      {a}, options);
  EXPECT_EQ(r.verdict, GradcheckVerdict::kFail) << r.message;
  EXPECT_NE(r.message.find("fast mode"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("flat index"), std::string::npos) << r.message;  // from the full rerun
}

TEST(FastGradcheck, PassesEveryCorrectOp) {
  GradcheckOptions options;
  options.fast_mode = true;
  for (const OpInfo& info : op_registry()) {
    const Inputs sample = make_sample(info, 0, kFloat64, 600);
    for (int which = 0; which < info.arity(); ++which) {
      const GradcheckResult r =
          gradcheck(as_function_of_input(info, sample, which), {sample[which]}, options);
      EXPECT_EQ(r.verdict, GradcheckVerdict::kPass)
          << info.name << " input " << which << ": " << r.message;
    }
  }
  const Tensor a = randn({64, 64}, 1), b = randn({64, 64}, 2);
  EXPECT_TRUE(
      gradcheck([](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); }, {a, b}, options)
          .ok);
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// relu whose backward gives 2 at exactly 0: no subgradient (those lie in
// [0, 1]). Basic gradcheck cannot tell it from the correct relu at 0 (it
// fails both); the error-bounded check calls the correct one inconclusive and
// this one failed.
Tensor relu_with_wrong_subgradient(const Tensor& x) {
  Tensor out = relu(x.detach());
  if (should_record({&x})) {
    record(Op::kRelu, out, {&x}, [saved = x.detach()](const Tensor& grad, const BackwardContext&) {
      const Tensor at_zero = where(saved, zeros(saved.shape()), ones(saved.shape()));
      return GradList{grad * (gt_mask(saved, zeros({})) + at_zero * 2.0)};
    });
  }
  return out;
}

TEST(ErrorBoundedGradcheck, CatchesAWrongSubgradientAtAKink) {
  GradcheckOptions options;
  options.error_bounded = true;
  const Tensor at_kink = tensor({0.0, 1.5}, {2});
  const auto wrong = [](const std::vector<Tensor>& in) {
    return relu_with_wrong_subgradient(in[0]);
  };
  const auto right = [](const std::vector<Tensor>& in) { return relu(in[0]); };
  EXPECT_FALSE(gradcheck(wrong, {at_kink}).ok);  // basic: fails...
  EXPECT_FALSE(gradcheck(right, {at_kink}).ok);  // ...and misreports the correct one too
  const GradcheckResult bad = gradcheck(wrong, {at_kink}, options);
  EXPECT_EQ(bad.verdict, GradcheckVerdict::kFail) << bad.message;
  EXPECT_NE(bad.message.find("no subgradient"), std::string::npos) << bad.message;
  EXPECT_EQ(gradcheck(right, {at_kink}, options).verdict, GradcheckVerdict::kInconclusive);
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch {
namespace {

// src's entries past the index are never added: their gradient is zero, and
// the rest is grad gathered by the index (LibTorch 1.13 raises here instead;
// docs/design.md).
TEST(ScatterAdd, GradientOfSrcLargerThanIndex) {
  const Tensor index = tensor({2, 0, 0, 2, 1, 1}, {2, 3}, kInt64);
  const auto f = [&](const std::vector<Tensor>& x) { return scatter_add(x[0], 0, index, x[1]); };
  const std::vector<Tensor> inputs = {randn({3, 4}, 1), randn({4, 5}, 2)};
  EXPECT_TRUE(gradcheck(f, inputs).ok);
  EXPECT_TRUE(gradgradcheck(f, inputs).ok);
  const Tensor src = inputs[1].clone().requires_grad_();
  scatter_add(inputs[0], 0, index, src).backward(ones({3, 4}));
  const std::vector<double> grad = src.grad().to_vector();
  for (int64_t r = 0; r < 4; ++r) {
    for (int64_t c = 0; c < 5; ++c) {
      EXPECT_EQ(grad[r * 5 + c], r < 2 && c < 3 ? 1 : 0) << r << ", " << c;
    }
  }
}

}  // namespace
}  // namespace minitorch
