// The verdict (testing/verdict.h): it passes minitorch on every registry
// sample at both float dtypes, and it fails each kind of bug it exists to
// see, handed in as a wrong ProgramRunner: a wrong gradient, a NaN gradient
// where the true one is finite, a wrong subgradient at a tie, a wrong forward
// value and a wrong forward shape.
#include "testing/verdict.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "kernels/gemm.h"
#include "minitorch/minitorch.h"
#include "test_util.h"
#include "testing/op_registry.h"

namespace minitorch::testing {
namespace {

class VerdictOnRegistry : public ::testing::TestWithParam<const OpInfo*> {};

// Each sample also runs split over three threads with a grain of a few
// elements, with gradients accumulated by repeated backward() from a view of
// a tensor the test keeps; every other sample records the backward
// (create_graph), so the composed backward formulas are judged too, and most
// hand their inputs in as transposed views, sliced ones (strides 2 and an
// offset), or both.
Execution execution_for_sample(size_t s) {
  return {.threads = 3,
          .grain = static_cast<int64_t>(1 + s % 5),
          .backward_calls = static_cast<int>(1 + s % 3),
          .cotangent =
              s % 2 == 0 ? Execution::Cotangent::kExpandView : Execution::Cotangent::kReshapeView,
          .create_graph = s % 2 == 1,
          .transposed_inputs = s % 3 != 1,
          .sliced_inputs = s % 4 != 0};
}

TEST_P(VerdictOnRegistry, PassesMinitorchAtBothDtypes) {
  const OpInfo& info = *GetParam();
  const Program program = single_call(info.call, info.arity());
  for (DType dtype : {kFloat64, kFloat32}) {
    for (size_t s = 0; s < info.shapes.size(); ++s) {
      const Judgement j = judge(program, make_sample(info, s, dtype, 900 + s),
                                {.execution = execution_for_sample(s)});
      EXPECT_EQ(j.verdict, GradcheckVerdict::kPass)
          << info.name << " " << dtype_name(dtype) << " sample " << s << "\n"
          << j.report << j.inconclusive << " inconclusive";
      EXPECT_GT(j.pass, 0);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, VerdictOnRegistry, ::testing::ValuesIn(registry_entries()),
                         [](const auto& p) { return test_name(p.param->name); });

// The program's result plus a term whose value is 0 and whose gradient is
// `extra(x0)` - something every output element depends on.
ProgramRunner with_extra_gradient(std::function<Tensor(const Tensor&)> extra) {
  return [extra](const Program& p, const std::vector<Tensor>& x) {
    return run_program(p, x) + sum(extra(x[0]));
  };
}

const Program kTanhSum = {{OpCall{.op = Op::kTanh}, {0}}, {OpCall{.op = Op::kSum}, {1}}};
const std::vector<Tensor> kSmall = {tensor({0.25, -1.5, 2, 0.75, -0.125, 1}, {2, 3})};

TEST(Verdict, PassesTheCorrectProgram) {
  const Judgement j = judge(kTanhSum, kSmall);
  EXPECT_EQ(j.verdict, GradcheckVerdict::kPass) << j.report;
  EXPECT_EQ(j.pass, 7);  // six input elements and the random direction
}

TEST(Verdict, FailsAGradientOffByOnePartInAMillion) {
  const Judgement j =
      judge(kTanhSum, kSmall, {},
            with_extra_gradient([](const Tensor& x) { return (x - x.detach()) * 1e-6; }));
  EXPECT_EQ(j.verdict, GradcheckVerdict::kFail);
  EXPECT_GT(j.fail, 0);
}

TEST(Verdict, FailsANaNGradientWhereTheReferenceIsFinite) {
  const Judgement j = judge(kTanhSum, kSmall, {}, with_extra_gradient([](const Tensor& x) {
                              // Selects zeros; backward multiplies a zero gradient by NaN.
                              return where(zeros(x.shape()), x * NAN, zeros(x.shape()));
                            }));
  EXPECT_EQ(j.verdict, GradcheckVerdict::kFail);
  EXPECT_NE(j.report.find("nan"), std::string::npos) << j.report;
}

TEST(Verdict, FailsAWrongSubgradientAtATie) {
  const Program program = {{OpCall{.op = Op::kMaximum}, {0, 1}}};
  const std::vector<Tensor> tied = {tensor({1, 2, -0.5}, {3}), tensor({1, 0, -0.5}, {3})};
  EXPECT_EQ(judge(program, tied).verdict, GradcheckVerdict::kPass);
  // maximum(a, b) as a + relu(b - a): right value, all of a tie's gradient to a.
  const ProgramRunner relu_maximum = [](const Program&, const std::vector<Tensor>& x) {
    return x[0] + relu(x[1] - x[0]);
  };
  const Judgement j = judge(program, tied, {}, relu_maximum);
  EXPECT_EQ(j.verdict, GradcheckVerdict::kFail);
}

TEST(Verdict, FailsAWrongForwardValueAndShape) {
  const ProgramRunner off_value = [](const Program& p, const std::vector<Tensor>& x) {
    return run_program(p, x) * (1 + 1e-9);
  };
  const Judgement value = judge(kTanhSum, kSmall, {}, off_value);
  EXPECT_EQ(value.verdict, GradcheckVerdict::kFail);
  EXPECT_NE(value.report.find("forward value"), std::string::npos) << value.report;
  const ProgramRunner off_shape = [](const Program& p, const std::vector<Tensor>& x) {
    return unsqueeze(run_program(p, x), 0);
  };
  const Judgement shape = judge(kTanhSum, kSmall, {}, off_shape);
  EXPECT_EQ(shape.verdict, GradcheckVerdict::kFail);
  EXPECT_NE(shape.report.find("forward shape"), std::string::npos) << shape.report;
}

// An Error minitorch raises while it runs (a backward whose gradient has
// the wrong shape trips the engine's check) is a failure with the usual
// report, so a fuzz target prints the program instead of crashing.
TEST(Verdict, ReportsAnErrorMinitorchRaisesAsAFailure) {
  const ProgramRunner raising = [](const Program&, const std::vector<Tensor>&) -> Tensor {
    throw Error("permute: gradient of shape [2, 3] reached a node whose output is [3, 2]");
  };
  const Judgement j = judge(kTanhSum, kSmall, {}, raising);
  EXPECT_EQ(j.verdict, GradcheckVerdict::kFail);
  EXPECT_NE(j.report.find("minitorch raised an error: permute: gradient of shape"),
            std::string::npos)
      << j.report;
  EXPECT_NE(j.report.find("reproducer (GoogleTest):"), std::string::npos) << j.report;
}

// A program that converts between float64 and float32 (to_dtype) is judged
// with each step rounded to its own dtype: the float32 result is held to
// float32's rounding, not float64's, while x * x = 1e60 stays finite in
// float64 (a reference rounding every step to float32 would make it inf,
// and inf / inf NaN). Found by fuzz_torch: exp(x / x) converted to float32
// failed against a float64 tolerance.
TEST(Verdict, JudgesEachStepInItsOwnDtype) {
  const Program program = {{OpCall{.op = Op::kDiv}, {0, 0}},  {OpCall{.op = Op::kExp}, {1}},
                           {OpCall{.op = Op::kToDtype}, {2}}, {OpCall{.op = Op::kMul}, {0, 0}},
                           {OpCall{.op = Op::kDiv}, {4, 4}},  {OpCall{.op = Op::kToDtype}, {5}},
                           {OpCall{.op = Op::kMul}, {3, 6}}};
  const std::vector<Tensor> inputs = {tensor({1e30, -3, 0.5, 7}, {4})};
  ASSERT_EQ(run_program(program, inputs).dtype(), kFloat32);
  const Judgement j = judge(program, inputs);
  EXPECT_EQ(j.verdict, GradcheckVerdict::kPass) << j.report;
  EXPECT_GT(j.pass, 4) << j.report;
  // The float32 result an ulp or two off passes; 1e-5 off, it fails.
  const auto off_by = [](double factor) -> ProgramRunner {
    return [factor](const Program& p, const std::vector<Tensor>& x) {
      return run_program(p, x) * factor;
    };
  };
  EXPECT_NE(judge(program, inputs, {}, off_by(1 + 1e-7)).verdict, GradcheckVerdict::kFail);
  EXPECT_EQ(judge(program, inputs, {}, off_by(1 + 1e-5)).verdict, GradcheckVerdict::kFail);
}

// A run over threads must give the one-thread run's bits: a result that
// moves by an ulp, or a gradient by 1e-12, only when split is a failure.
TEST(Verdict, FailsAnExecutionThatChangesTheBits) {
  const Execution split = {.threads = 2, .grain = 1};
  EXPECT_EQ(judge(kTanhSum, kSmall, {.execution = split}).verdict, GradcheckVerdict::kPass);
  const ProgramRunner off_when_split = [](const Program& p, const std::vector<Tensor>& x) {
    const Tensor y = run_program(p, x);
    return get_num_threads() > 1 ? y * (1 + 1e-15) : y;
  };
  const Judgement value = judge(kTanhSum, kSmall, {.execution = split}, off_when_split);
  EXPECT_EQ(value.verdict, GradcheckVerdict::kFail);
  EXPECT_NE(value.report.find("forward result differs"), std::string::npos) << value.report;
  EXPECT_NE(value.report.find(".threads = 2, .grain = 1"), std::string::npos) << value.report;
  const ProgramRunner gradient_off_when_split = [](const Program& p, const std::vector<Tensor>& x) {
    const Tensor y = run_program(p, x);
    return get_num_threads() > 1 ? y + sum(x[0] - x[0].detach()) * 1e-12 : y;
  };
  const Judgement gradient = judge(kTanhSum, kSmall, {.execution = split}, gradient_off_when_split);
  EXPECT_EQ(gradient.verdict, GradcheckVerdict::kFail);
  EXPECT_NE(gradient.report.find("gradient of input 0"), std::string::npos) << gradient.report;
}

// .grad() after n backward() calls holds the gradient added n times, and the
// caller's cotangent, handed in as a view, is unchanged. A reshape's
// backward hands the leaf a view of that very cotangent: a leaf that kept it
// as its .grad() would add the next call into the caller's tensor.
TEST(Verdict, PassesGradientsAccumulatedIntoLeavesFromViews) {
  const Program reshape = {{OpCall{.op = Op::kReshape, .dims = {-1}}, {0}}};
  const Program expand = {{OpCall{.op = Op::kExpand, .dims = {4, 2, 3}}, {0}}};
  for (const Program& program : {reshape, expand, kTanhSum}) {
    for (auto view : {Execution::Cotangent::kReshapeView, Execution::Cotangent::kExpandView}) {
      const Judgement j =
          judge(program, kSmall, {.execution = {.backward_calls = 3, .cotangent = view}});
      EXPECT_EQ(j.verdict, GradcheckVerdict::kPass) << j.report;
      EXPECT_GT(j.pass, 0);
    }
  }
}

// An input changed in place between forward and backward: mul saves both
// inputs, so its backward must refuse; exp saves only its output and add
// nothing, so their gradients keep their bits. Either passes, whichever op
// changes the input.
TEST(Verdict, PassesAnInputChangedInPlaceBeforeBackward) {
  const Program mul = {{OpCall{.op = Op::kMul}, {0, 0}}, {OpCall{.op = Op::kSum}, {1}}};
  const Program exp = {{OpCall{.op = Op::kExp}, {0}}};
  const Program add = {{OpCall{.op = Op::kAdd}, {0, 0}}};
  for (const Program& program : {mul, exp, add, kTanhSum}) {
    for (auto change : {Execution::InPlace::kAdd, Execution::InPlace::kMul,
                        Execution::InPlace::kCopy, Execution::InPlace::kFill}) {
      for (int calls : {0, 2}) {
        // Transposed leaves are copies, except where the transpose keeps
        // the layout (a dim of 1): the caller's inputs stay either way. A
        // 0-d input takes every change too.
        const Execution execution = {
            .backward_calls = calls, .transposed_inputs = calls > 0, .in_place = change};
        const std::vector<Tensor> inputs = {calls == 2 ? tensor({0.75}, {})
                                                       : kSmall[0].reshape({1, 6})};
        const std::vector<double> before = inputs[0].to_vector();
        const Judgement j = judge(program, inputs, {.execution = execution});
        EXPECT_EQ(j.verdict, GradcheckVerdict::kPass) << describe(execution) << "\n" << j.report;
        EXPECT_GT(j.pass, 0);
        EXPECT_EQ(inputs[0].to_vector(), before);
      }
    }
  }
  EXPECT_EQ(describe({.in_place = Execution::InPlace::kCopy, .in_place_input = 1}),
            "1 thread, input 1 changed by copy_ before backward");
}

// With create_graph the gradient is differentiated again and judged against
// the reference's second derivatives: a term whose value and gradient are 0
// at the point but whose curvature is not, (x - x0)^2 with x0 = x, changes
// only the double backward, and fails.
TEST(Verdict, JudgesTheDoubleBackward) {
  const Program softmax_mul = {{OpCall{.op = Op::kSoftmax, .dims = {1}}, {0}},
                               {OpCall{.op = Op::kMul}, {1, 0}}};
  const Program div_tanh = {{OpCall{.op = Op::kDiv}, {0, 0}},
                            {OpCall{.op = Op::kTanh}, {0}},
                            {OpCall{.op = Op::kMul}, {2, 1}}};
  for (const Program& program : {kTanhSum, softmax_mul, div_tanh}) {
    const Judgement plain = judge(program, kSmall);
    const Judgement second = judge(program, kSmall, {.execution = {.create_graph = true}});
    EXPECT_EQ(second.verdict, GradcheckVerdict::kPass) << second.report;
    EXPECT_EQ(second.pass, plain.pass + 1);  // the second-order check, judged
  }
  // sigmoid's second derivative is 0 at 0, but minitorch evaluates it from a
  // stored s that may be an ulp from 1/2, then times 1e12.
  const Program sigmoid_matmul = {{OpCall{.op = Op::kSigmoid}, {0}},
                                  {OpCall{.op = Op::kMatmul}, {1, 2}}};
  const Judgement flat =
      judge(sigmoid_matmul, {tensor({0, 0, 0}, {3, 1}), tensor({-1e12, 2e12, 5e11}, {3})},
            {.execution = {.create_graph = true}});
  EXPECT_EQ(flat.verdict, GradcheckVerdict::kPass) << flat.report;
  const ProgramRunner curved = [](const Program& p, const std::vector<Tensor>& x) {
    const Tensor d = x[0] - x[0].detach();
    return run_program(p, x) + sum(d * d) * 1e-3;
  };
  EXPECT_EQ(judge(kTanhSum, kSmall, {}, curved).verdict, GradcheckVerdict::kPass);
  const Judgement j = judge(kTanhSum, kSmall, {.execution = {.create_graph = true}}, curved);
  EXPECT_EQ(j.verdict, GradcheckVerdict::kFail);
  EXPECT_NE(j.report.find("second order"), std::string::npos) << j.report;
}

// The double backward of x^-1.5 forms x^-3.5, below the normals for an x
// near 2^300 (a few digits kept); the reference charges that rounding to
// the second-order term and still judges it. Found by fuzz_graph.
TEST(Verdict, BoundsADoubleBackwardPartialBelowTheNormals) {
  const Program program = {
      {OpCall{.op = Op::kPowScalar, .exponent = -1.5}, {0}},
      {OpCall{.op = Op::kAdd}, {1, 1}},
      {OpCall{.op = Op::kPowScalar, .exponent = 0.5}, {1}},
      {OpCall{.op = Op::kPermute, .dims = {0, 1}}, {3}},
      {OpCall{.op = Op::kPermute, .dims = {0, 1}}, {3}},
      {OpCall{.op = Op::kPermute, .dims = {0, 1}}, {5}},
  };
  const std::vector<Tensor> inputs = {tensor({0x1.88ba3bf284e24p+294, 0x1.2c4c6756b11cp+303,
                                              0x1.88ba3bf284e24p+301, 0x1.88ba3bf284e24p+301},
                                             {2, 2})};
  // The fuzzer's cotangent, a view of an expanded tensor, draws the
  // directions that reach the rounding.
  Execution execution = {.cotangent = Execution::Cotangent::kExpandView};
  const Judgement plain = judge(program, inputs, {.execution = execution});
  execution.create_graph = true;
  const Judgement second = judge(program, inputs, {.execution = execution});
  EXPECT_EQ(second.verdict, GradcheckVerdict::kPass) << second.report;
  EXPECT_EQ(second.pass, plain.pass + 1);  // the second-order check, judged
}

// Gradients -a / b^2 past the range are -inf, rightly, and each entry is
// judged so; u . J^T v then sums infinities of both signs to NaN. That sum
// of entries already judged one by one leaves nothing unjudged.
TEST(Verdict, JudgesEveryEntryWhereTheDirectionalSumMeetsInfinities) {
  const Program program = {
      {OpCall{.op = Op::kDiv}, {0, 1}},
      {OpCall{.op = Op::kSum, .dims = {-2}}, {2}},
  };
  const double b = 0x1.56e1fc2f8f359p-997;
  const std::vector<Tensor> inputs = {tensor({0x1.d53844ee47dd1p-838}, {}),
                                      tensor({0x1.598fc027ee54p-997, b, 0x1.7cad23de82d7bp-944,
                                              0x1.5ae6a2241de33p-997, b, b, b, b, b, b, b, b},
                                             {3, 4})};
  const Judgement j = judge(program, inputs);
  EXPECT_EQ(j.verdict, GradcheckVerdict::kPass) << j.report;
  EXPECT_EQ(j.inconclusive, 0);
  EXPECT_GE(j.pass, 4 * 13);  // every entry of the Jacobian, and the finite directional sums
}

// A failure's report is a reproducer: the program and the inputs as code,
// values as hex floats.
TEST(Verdict, ReportsAReproducer) {
  const Judgement j =
      judge(kTanhSum, kSmall, {},
            with_extra_gradient([](const Tensor& x) { return (x - x.detach()) * 0.5; }));
  ASSERT_EQ(j.verdict, GradcheckVerdict::kFail);
  EXPECT_NE(j.report.find("TEST(FuzzRegression"), std::string::npos) << j.report;
  EXPECT_NE(j.report.find("OpCall{.op = Op::kTanh}"), std::string::npos) << j.report;
  EXPECT_NE(j.report.find("0x1p-2"), std::string::npos) << j.report;                // 0.25
  EXPECT_NE(j.report.find("}, {2, 3}, kFloat64)"), std::string::npos) << j.report;  // the shape
  EXPECT_NE(j.report.find("finite differences"), std::string::npos) << j.report;
}

// Four means of softmax columns, each 1/3 in exact arithmetic, round apart in
// minitorch and in the reference: amax picks different winners, each right
// for its own rounded values (a fuzz_graph campaign's false failure, once).
// minitorch's gradient is judged at its own forward point, where its branch
// is the one taken: every entry is judged, and passes.
TEST(Verdict, JudgesTheBranchMinitorchsRoundingTakes) {
  const Program program = {
      {OpCall{.op = Op::kSoftmax, .dims = {-3}}, {0}},
      {OpCall{.op = Op::kMean, .dims = {-3, -1}}, {1}},
      {OpCall{.op = Op::kAmax}, {2}},
  };
  const std::vector<Tensor> inputs = {
      tensor({0x0p+0,       0x0p+0,       0x0p+0,       -0x1p-2,      0x1.02p-4,    0x1p-12,
              -0x1.489p+0,  0x1.078p-2,   -0x1.e8p+2,   -0x1.e5e8p+2, -0x1.e5e8p+2, -0x1.e5e8p+2,
              -0x1.e5e8p+2, -0x1.e5e8p+2, -0x1.e5e8p+2, -0x1.e5e8p+2, -0x1.e5e8p+2, 0x1.e18p-2,
              0x1.418p-2,   -0x1.e4p-6,   0x1.07fcp+2,  -0x1.408p-3,  -0x1p-12,     -0x1p-12,
              -0x1p-12,     0x1.effcp+2,  0x1.102p+0,   0x1.111p+0,   0x1.111p+0,   0x1.111p+0,
              -0x1.585p+0,  -0x1.516p+0,  -0x1.e458p+2, -0x1.e5e8p+2, -0x1.e5e8p+2, 0x1.81cp-2},
             {3, 4, 3})};
  const Tensor means = run_program({program[0], program[1]}, inputs);
  const std::vector<double> m = means.to_vector();
  ASSERT_EQ(m.size(), 4u);
  ASSERT_NE(std::adjacent_find(m.begin(), m.end(), std::not_equal_to<>()), m.end())
      << "minitorch's four means round apart";
  const Judgement j = judge(program, inputs);
  EXPECT_EQ(j.verdict, GradcheckVerdict::kPass) << j.report;
  EXPECT_EQ(j.inconclusive, 0) << j.report;
}

// A float32 cross_entropy whose target is a softmax of logits near 1e28:
// the target's gradient is their product, 1e56, past float's range, so
// reverse mode makes inf and then NaN of it (LibTorch too) where forward
// mode, which never forms it, stays finite. The verdict abstains with that
// reason rather than fail minitorch (a fuzz_graph_f32 campaign's false
// failure, before).
TEST(Verdict, AbstainsWhereAnIntermediateGradientExceedsTheRange) {
  const Program program = {
      {OpCall{.op = Op::kSoftmax, .dims = {-1}}, {1}},
      {OpCall{.op = Op::kCrossEntropy}, {1, 2}},
      {OpCall{.op = Op::kAdd}, {3, 2}},
      {OpCall{.op = Op::kSoftmax, .dims = {-1}}, {4}},
      {OpCall{.op = Op::kCrossEntropy}, {1, 5}},
      {OpCall{.op = Op::kAdd}, {0, 6}},
  };
  const std::vector<Tensor> inputs = {
      tensor({-0x1.027e72p+94, -0x1.027e72p+94, 0x1.83bdacp+93, -0x1.027e72p+94, -0x1.027e72p+93,
              -0x1.83bdacp+93, 0x1.83bdacp+93, 0x1.027e72p+93, 0x1.83bdacp+93, -0x1.027e72p+92,
              -0x1.027e72p+92, 0x1.027e72p+92},
             {4, 3}, kFloat32),
      tensor({-0x1.83bdacp+93, -0x1.027e72p+94, 0x0p+0}, {3}, kFloat32),
  };
  const Judgement j =
      judge(program, inputs, {.execution = {.cotangent = Execution::Cotangent::kExpandView}});
  EXPECT_EQ(j.verdict, GradcheckVerdict::kInconclusive) << j.report;
  EXPECT_GT(j.reasons.count(Unjudged::kGradientOutOfRange), 0u);
}

// log(-x^3) / x at x = -1e84: the gradient of -x^3 is 1e-84 / 1e252,
// below double's range, so reverse mode loses the term it carries to
// underflow, where forward mode keeps it. The verdict abstains with that
// reason (a fuzz_graph campaign's false failure, before).
TEST(Verdict, AbstainsWhereAnIntermediateGradientUnderflows) {
  const Program program = {
      {OpCall{.op = Op::kNeg}, {0}},    {OpCall{.op = Op::kMul}, {0, 1}},
      {OpCall{.op = Op::kMul}, {0, 2}}, {OpCall{.op = Op::kLog}, {3}},
      {OpCall{.op = Op::kDiv}, {4, 0}},
  };
  const std::vector<Tensor> inputs = {tensor({-0x1.f4ba89c1f7d6dp+278, 0x1p-2}, {2})};
  const Judgement j = judge(program, inputs);
  EXPECT_NE(j.verdict, GradcheckVerdict::kFail) << j.report;
  EXPECT_GT(j.reasons.count(Unjudged::kGradientOutOfRange), 0u);
}

// log(a) / (1 / b) with b = -1e-300 and log(a) = -681.57: the gradient of
// 1 / b is 681.57 / 1e600, about 1e-597, too far below double's range for a
// cotangent lifted by 2^600 to bring it back, so reverse mode loses the
// term (-681.57 in the Jacobian) in both runs alike. A deeper lift finds the
// underflow (a fuzz_torch campaign's false failure, before).
TEST(Verdict, AbstainsWhereAnIntermediateGradientUnderflowsPastOneLift) {
  const Program program = {
      {OpCall{.op = Op::kDiv}, {0, 0}},
      {OpCall{.op = Op::kDiv}, {1, 0}},
      {OpCall{.op = Op::kPermute, .dims = {1, 0}}, {2}},
      {OpCall{.op = Op::kLog}, {0}},
      {OpCall{.op = Op::kDiv}, {0, 0}},
      {OpCall{.op = Op::kDiv}, {4, 3}},
  };
  const std::vector<Tensor> inputs = {
      tensor({0x1.efc886760987dp+93, -0x1.56e1fc2f8f359p-997, 0x1.a28edc580e50ep-984,
              0x1.c6662b2c0e4ccp+119},
             {2, 2}, kFloat64),
  };
  const Judgement j = judge(program, inputs);
  EXPECT_NE(j.verdict, GradcheckVerdict::kFail) << j.report;
  EXPECT_GT(j.reasons.count(Unjudged::kGradientOutOfRange), 0u);
}

// softmax of a / b with b subnormal: exp(-814) underflows to 0 when stored,
// and softmax's backward reads the stored value, so its gradient is 0 where
// the exact one, multiplied back up by 1 / b, is 3e-47. A value below the
// normals is off by half a subnormal, absolutely (Dual's rounding_of): the
// bound says the entry has no digit, rather than failing it.
TEST(Verdict, BoundsAGradientReadFromAnUnderflowedValue) {
  const Program program = {
      {OpCall{.op = Op::kDiv}, {0, 1}},
      {OpCall{.op = Op::kSoftmax, .dims = {-1}}, {2}},
  };
  const std::vector<Tensor> inputs = {tensor({0x1.35f0405010302p-1017, 0x1.66962617878p-1016}, {2}),
                                      tensor({0x0.0ff037ap-1022}, {1})};
  const Judgement j = judge(program, inputs);
  EXPECT_NE(j.verdict, GradcheckVerdict::kFail) << j.report;
  EXPECT_GT(j.reasons.count(Unjudged::kNoDigits), 0u);
}

// Extreme magnitudes are judged, not abstained on: softmax at 1e300.
TEST(Verdict, JudgesSoftmaxAtExtremeMagnitudes) {
  const Program program = {{OpCall{.op = Op::kLogSoftmax, .dims = {1}}, {0}}};
  const std::vector<Tensor> huge = {tensor({1e300, 0, -1e300, 1e300, 1e300, -3e299}, {2, 3})};
  const Judgement j = judge(program, huge);
  EXPECT_EQ(j.verdict, GradcheckVerdict::kPass) << j.report;
  EXPECT_EQ(j.inconclusive, 0);
}

// A float32 GEMM's entries are each off by a fraction of their terms' sum of
// magnitudes (OpenBLAS's blocked FMA sums), and logsumexp's backward weights
// exp(x_j - lse) take the differences of those errors as their relative
// error. A fuzz_matmul_f32 campaign found this program failing a correct
// gradient (off by 8e-6 relative, tolerance 3e-6): the bound counts every
// earlier step's rounding before a gradient fails. A gradient off by one part
// in 10^4 still fails.
TEST(Verdict, BoundsTheErrorAWeightInheritsFromEarlierSteps) {
  const Program program = {
      {OpCall{.op = Op::kMatmul}, {0, 1}},
      {OpCall{.op = Op::kLogsumexp, .dims = {-2}}, {2}},
  };
  const std::vector<Tensor> inputs = {
      tensor({0x1.41p+0, -0x1.cddp+2, 0x1.146p+1, -0x1.cddp+2, -0x1.cfbp+2, -0x1.cddp+2,
              -0x1.e9fp+1, -0x1.e9fp+1, -0x1.e9fp+1, -0x1.e9fp+1, -0x1.e9fp+1, -0x1.e9fp+1,
              -0x1.e9fp+1, -0x1.e9fp+1, -0x1.e9fp+1},
             {3, 5}, kFloat32),
      tensor({-0x1.e9fp+1, -0x1.e9fp+1, -0x1.e9fp+1, -0x1.e9fp+1, -0x1.e9fp+1, -0x1.e9fp+1,
              -0x1.e9fp+1, -0x1.e9fp+1, -0x1.e9fp+1, -0x1.ccf8p+2, -0x1.ce1cp+2, -0x1.cddp+2,
              -0x1.cddp+2, 0x1p-2, 0x1.4p-2},
             {5, 3}, kFloat32),
  };
  const Judgement j = judge(program, inputs);
  EXPECT_EQ(j.verdict, GradcheckVerdict::kPass) << j.report;
  const Judgement off =
      judge(program, inputs, {},
            with_extra_gradient([](const Tensor& x) { return (x - x.detach()) * 1e-4; }));
  EXPECT_EQ(off.verdict, GradcheckVerdict::kFail);
}

// Where minitorch's forward leaves the exact one though every step rounded
// within its bound, the differing entries are inconclusive, with the reason.
// Both programs were found by fuzz_matmul and failed correct gradients.
TEST(Verdict, AbstainsWhereTheForwardDepartsFromTheExactPoint) {
  const Program program = {
      {OpCall{.op = Op::kMatmul}, {0, 1}},
      {OpCall{.op = Op::kLogsumexp, .dims = {-1}}, {2}},
  };
  // A matmul row of terms past the range: exactly +inf when stored. A GEMM
  // kernel with FMA (OpenBLAS's Haswell and later) reaches -inf, one that
  // multiplies, then adds (its Prescott kernel, which it picks on CPUs it
  // does not know) NaN; logsumexp then weighs the row's other entry by 1.
  const std::vector<Tensor> overflow = {
      tensor({0x1.16c635f69735fp+823, 0x1.f657079745f73p+662, -0x1.e7200ec03086ep+48,
              0x1.ffffe02590003p+608, 0x1.d0d910031p-815, 0x1.17b7b1002f491p+1002},
             {3, 2}),
      tensor(
          {0x1.4ff7b1002f491p-1022, -0x1.2d269626178fdp+302, 0x1.b7bd2d2d2d2d2p-1000, 0x1.ap+946},
          {2, 2}),
  };
  const Judgement j = judge(program, overflow);
  EXPECT_NE(j.verdict, GradcheckVerdict::kFail) << j.report;
  EXPECT_GT(
      j.reasons.count(Unjudged::kOverflowOrder) + j.reasons.count(Unjudged::kNonFiniteForward), 0u)
      << j.report;
  // A finite exact value of terms past the range: products of about 2^1024
  // of both signs sum to 5.8e307, which a GEMM with FMA makes -inf (another
  // order +inf, multiply-then-add NaN). The amax after it picks another row.
  // Found by fuzz_matmul with OpenBLAS's dgemm. Eigen's (minitorch's float64
  // kernel on AVX-512 CPUs) makes that row NaN: the rounded runs overflow
  // too, and the verdict abstains for that reason.
  const double x = -0x1.4438d98f9c44p+386;
  const Program row_max = {
      {OpCall{.op = Op::kMatmul}, {0, 1}},
      {OpCall{.op = Op::kAmax, .dims = {-1}}, {2}},
  };
  const std::vector<Tensor> terms_overflow = {
      tensor(
          {0x1.142b009ac5537p+638, -0x1.550ba82997d8dp+638, x, x, x, x, x, x, x, x, x, x, x, x, x},
          {5, 3}),
      tensor({x, x, x}, {3}),
  };
  {
    const DgemmKernelOverride openblas(DgemmKernel::kOpenBlas);
    const Judgement t = judge(row_max, terms_overflow);
    EXPECT_NE(t.verdict, GradcheckVerdict::kFail) << t.report;
    EXPECT_GT(t.reasons.count(Unjudged::kOverflowOrder), 0u) << t.report;
  }
  const Judgement t = judge(row_max, terms_overflow);
  EXPECT_NE(t.verdict, GradcheckVerdict::kFail) << t.report;
  EXPECT_GT(t.reasons.count(Unjudged::kOverflow) + t.reasons.count(Unjudged::kOverflowOrder) +
                t.reasons.count(Unjudged::kNonFiniteForward),
            0u)
      << t.report;
  // Asked for, the report says why and how to reproduce it.
  EXPECT_TRUE(j.report.empty()) << j.report;
  const Judgement reported = judge(program, overflow, {.report_inconclusive = true});
  EXPECT_EQ(reported.verdict, GradcheckVerdict::kInconclusive);
  EXPECT_NE(reported.report.find(" entries: "), std::string::npos) << reported.report;
  EXPECT_NE(reported.report.find("OpCall{.op = Op::kLogsumexp, .dims = {-1}}"), std::string::npos)
      << reported.report;
}

// Terms of 1e232 that cancel exactly: the exact matmul entry is 1e-184, a
// GEMM's with FMA the rounding of one term, 1e216, the maximum of its
// column, so logsumexp weighs another entry than at the exact point. The
// perturbed run moves that entry by its terms' rounding, and the exact
// point's bound leaves those gradients no digit; at minitorch's forward
// point they are judged, and a gradient off by a part in a million fails
// there. Found by fuzz_matmul.
TEST(Verdict, JudgesAtMinitorchsForwardPointWhereRoundingLeavesNoDigit) {
  const Program column = {
      {OpCall{.op = Op::kMatmul}, {0, 1}},
      {OpCall{.op = Op::kLogsumexp, .dims = {-2}}, {2}},
  };
  const double x = -0x1.4438d98f9c44p+386;
  const std::vector<Tensor> cancel = {
      tensor({x, x, x, -0x1.a1bd94e9e249bp-983, -0x1.56e1fc2f8f359p-997, -0x1.570e67cc7e14ap+120},
             {2, 3}),
      tensor({-0x1.8d10186047412p-292, -0x1.007e0c2593a09p-996, 0x1.56e1fc2f8f359p-997, -x, x, x},
             {3, 2}),
  };
  const Judgement k = judge(column, cancel);
  EXPECT_EQ(k.verdict, GradcheckVerdict::kPass) << k.report;
  EXPECT_EQ(k.inconclusive, 0) << k.report;
  const ProgramRunner second_gradient_off = [](const Program& p, const std::vector<Tensor>& x) {
    return run_program(p, {x[0], x[1] + (x[1] - x[1].detach()) * 1e-6});
  };
  const Judgement off = judge(column, cancel, {}, second_gradient_off);
  EXPECT_EQ(off.verdict, GradcheckVerdict::kFail);
  EXPECT_NE(off.report.find("at minitorch's forward point"), std::string::npos) << off.report;
}

// A float64 0-dim base beside a float32 exponent: pow computes in float32
// (LibTorch's result_type), where the base 1.1e208 is inf; the reference
// reads it so too. Found by fuzz_torch.
TEST(Verdict, ReadsAFloat64OperandPromotedToFloat32) {
  const Program program = {
      {OpCall{.op = Op::kSum}, {1}},
      {OpCall{.op = Op::kToDtype}, {0}},
      {OpCall{.op = Op::kPow}, {2, 3}},
      {OpCall{.op = Op::kLog}, {4}},
  };
  const std::vector<Tensor> inputs = {
      tensor({0x1.56f0d9c5388cfp-120, 0x1.0eab667e226c4p-358, -0x1.7b7f61b700745p-571,
              0x1.d87247702c0dp-27, 0x1.ea9d783106612p-559, -0x1.cfb278a97036p-333},
             {3, 2, 1}),
      tensor({0x1.1a4629d448e1cp+691}, {1})};
  const Judgement j = judge(program, inputs);
  EXPECT_NE(j.verdict, GradcheckVerdict::kFail) << j.report;
  EXPECT_GT(j.pass, 0) << j.report;
}

}  // namespace
}  // namespace minitorch::testing
