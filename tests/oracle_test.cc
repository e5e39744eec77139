// LibTorch as the second oracle: for every registry op, every sample, both
// float dtypes, contiguous and non-contiguous inputs, the forward value and
// the gradient of every input (with a random, not all-ones, cotangent) match
// LibTorch's: within 1e-7 (absolute plus relative) at float64 and 1e-5
// relative at float32.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <optional>

#include "minitorch/minitorch.h"
#include "test_util.h"
#include "testing/op_registry.h"
#include "torch_oracle.h"

namespace minitorch::testing {
namespace {

struct OracleCase {
  const OpInfo* info;
  DType dtype;
  bool strided;
};

void PrintTo(const OracleCase& c, std::ostream* os) {
  *os << c.info->name << " " << dtype_name(c.dtype) << (c.strided ? " non-contiguous" : "");
}

class Oracle : public ::testing::TestWithParam<OracleCase> {};

TEST_P(Oracle, ForwardAndEveryInputGradientMatchLibTorch) {
  const auto& [info, dtype, strided] = GetParam();
  const double rtol = dtype == kFloat64 ? 1e-7 : 1e-5;
  const double atol = dtype == kFloat64 ? 1e-7 : 1e-6;
  Program program = {{info->call, {}}};
  for (int i = 0; i < info->arity(); ++i) program[0].args.push_back(i);
  for (size_t s = 0; s < info->shapes.size(); ++s) {
    Inputs inputs = make_sample(*info, s, dtype, /*seed=*/300 + s);
    std::vector<Tensor> leaves;
    for (Tensor& x : inputs) {
      Tensor leaf = (strided ? non_contiguous(x) : x).requires_grad_();
      leaves.push_back(leaf);
    }
    const Tensor out = info->fn(leaves);
    const Tensor cotangent = randn(out.shape(), 400 + s, dtype);
    out.backward(cotangent);
    const OracleResult expected = torch_run(program, inputs, cotangent);
    EXPECT_TRUE(all_close(out, expected.forward, rtol, atol))
        << info->name << " sample " << s << " forward";
    for (size_t i = 0; i < leaves.size(); ++i) {
      ASSERT_TRUE(expected.grads[i].has_value()) << info->name << " input " << i;
      ASSERT_TRUE(leaves[i].grad().defined()) << info->name << " input " << i;
      EXPECT_TRUE(all_close(leaves[i].grad(), *expected.grads[i], rtol, atol))
          << info->name << " sample " << s << " gradient of input " << i;
    }
  }
}

std::vector<OracleCase> cases() {
  std::vector<OracleCase> out;
  for (const OpInfo& info : op_registry()) {
    for (DType dtype : {kFloat64, kFloat32}) {
      for (bool strided : {false, true}) out.push_back({&info, dtype, strided});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Ops, Oracle, ::testing::ValuesIn(cases()), [](const auto& p) {
  return test_name(p.param.info->name + "_" + dtype_name(p.param.dtype) +
                   (p.param.strided ? "_strided" : ""));
});

// The oracle can fail: a deliberately wrong "gradient" is caught.
TEST(Oracle, DetectsAWrongGradient) {
  const Tensor x = randn({3, 4}, 1);
  Tensor leaf = x.detach().requires_grad_();
  (leaf * leaf.detach()).backward(ones({3, 4}));  // gradient x instead of 2x
  const OracleResult expected = torch_run({{OpCall{.op = Op::kMul}, {0, 0}}}, {x}, ones({3, 4}));
  EXPECT_FALSE(all_close(leaf.grad(), *expected.grads[0], 1e-7, 1e-7));
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// At the points where an op is not differentiable, minitorch's subgradient
// is LibTorch's: relu and abs at 0, maximum / minimum / amax ties, clamp at
// its bounds (finite differences cannot judge these points; see the
// error-bounded gradcheck).
TEST(OracleAtKinks, SubgradientsMatchLibTorch) {
  for (const KinkCase& c : kink_cases()) {
    const Program program = single_call(c.call, static_cast<int>(c.inputs.size()));
    std::vector<Tensor> leaves;
    for (const Tensor& x : c.inputs) leaves.push_back(x.detach().clone().requires_grad_());
    const Tensor out = run_program(program, leaves);
    const Tensor cotangent = randn(out.shape(), 5);
    out.backward(cotangent);
    const OracleResult expected = torch_run(program, c.inputs, cotangent);
    for (size_t i = 0; i < leaves.size(); ++i) {
      EXPECT_TRUE(all_close(leaves[i].grad(), *expected.grads[i], 1e-12, 1e-12))
          << describe(c.call) << " input " << i;
    }
  }
}

// Every way to view small permuted and expanded tensors: minitorch's view
// succeeds exactly where LibTorch's does, with LibTorch's strides, and
// reshape gives the same values either way.
TEST(ViewOracle, ViewsExactlyWhereLibTorchDoesWithItsStrides) {
  // The shapes of `numel` elements with up to 3 dims.
  const auto shapes_of = [](int64_t numel) {
    std::vector<std::vector<int64_t>> out = {{numel}};
    for (int64_t a = 1; a <= numel; ++a) {
      if (numel % a != 0) continue;
      out.push_back({a, numel / a});
      for (int64_t b = 1; b <= numel / a; ++b) {
        if ((numel / a) % b == 0) out.push_back({a, b, numel / a / b});
      }
    }
    return out;
  };
  int views = 0, refusals = 0;
  for (const std::vector<int64_t>& shape :
       std::vector<std::vector<int64_t>>{{6}, {2, 3}, {3, 1, 2}, {2, 2, 3}, {2, 1}, {4, 1, 3}}) {
    std::vector<int64_t> dims(shape.size());
    std::iota(dims.begin(), dims.end(), 0);
    do {
      std::vector<int64_t> permuted;
      for (int64_t d : dims) permuted.push_back(shape[static_cast<size_t>(d)]);
      // Unexpanded, and with every size-1 dim expanded to 2.
      std::vector<int64_t> expanded = permuted;
      for (int64_t& size : expanded) size = size == 1 ? 2 : size;
      for (const std::vector<int64_t>& to : {std::vector<int64_t>{}, expanded}) {
        Tensor x =
            arange(std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>()),
                   kFloat64)
                .reshape(shape)
                .permute(dims);
        if (!to.empty()) x = x.expand(to);
        for (const std::vector<int64_t>& target : shapes_of(x.numel())) {
          const auto expected = torch_view_strides(shape, dims, to, target);
          std::optional<Shape> got;
          try {
            got = x.view(target).strides();
          } catch (const Error&) {
          }
          const std::string what = "view of " + x.shape().to_string() + " with strides " +
                                   x.strides().to_string() + " as " + Shape(target).to_string();
          ASSERT_EQ(got.has_value(), expected.has_value()) << what;
          if (got) {
            EXPECT_EQ(*got, Shape(*expected)) << what;
            EXPECT_EQ(x.view(target).to_vector(), x.contiguous().to_vector()) << what;
            ++views;
          } else {
            ++refusals;
          }
          EXPECT_EQ(x.reshape(target).to_vector(), x.contiguous().to_vector()) << what;
        }
      }
    } while (std::next_permutation(dims.begin(), dims.end()));
  }
  EXPECT_GT(views, 100);
  EXPECT_GT(refusals, 100);
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

class DoubleBackwardOracle : public ::testing::TestWithParam<const OpInfo*> {};

// d/dx of (w . dL/dx) where L = v . f(x): the recorded backward of every op,
// differentiated again, against LibTorch's double backward at FP64.
TEST_P(DoubleBackwardOracle, SecondDerivativesMatchLibTorch) {
  const OpInfo& info = *GetParam();
  Program program = {{info.call, {}}};
  for (int i = 0; i < info.arity(); ++i) program[0].args.push_back(i);
  const Inputs inputs = make_sample(info, 0, kFloat64, 700);
  std::vector<Tensor> leaves;
  for (const Tensor& x : inputs) leaves.push_back(x.detach().clone().requires_grad_());
  const Tensor out = run_program(program, leaves);
  const Tensor v = randn(out.shape(), 701);
  const std::vector<Tensor> first = grad(out, leaves, v, false, /*create_graph=*/true);
  std::vector<Tensor> weights;
  Tensor total = scalar_tensor(0.0);
  for (size_t i = 0; i < leaves.size(); ++i) {
    weights.push_back(randn(leaves[i].shape(), 710 + i));
    total = total + (first[i] * weights[i]).sum();
  }
  const auto expected = torch_double_backward(program, inputs, v, weights);
  if (!total.requires_grad()) {
    // Linear in x: LibTorch has no second derivative either.
    for (const auto& e : expected) {
      if (!e) continue;
      for (double value : e->values) EXPECT_EQ(value, 0.0) << info.name;
    }
    return;
  }
  const std::vector<Tensor> second = grad(total, leaves);
  for (size_t i = 0; i < leaves.size(); ++i) {
    const RefArray want = expected[i] ? *expected[i] : to_ref(zeros(leaves[i].shape()));
    EXPECT_TRUE(all_close(second[i], want, 1e-7, 1e-7)) << info.name << " input " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, DoubleBackwardOracle, ::testing::ValuesIn(registry_entries()),
                         [](const auto& p) { return test_name(p.param->name); });

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// Which of NaN, +inf, -inf or finite each value is.
std::vector<int> classes_of(const std::vector<double>& values) {
  std::vector<int> out;
  for (double v : values)
    out.push_back(std::isnan(v) ? 0 : v == INFINITY ? 1 : v == -INFINITY ? 2 : 3);
  return out;
}

class NonFiniteOracle : public ::testing::TestWithParam<const OpInfo*> {};

// With NaN, +-inf and +-0 among the inputs, the pattern of NaN / inf in the
// outputs and in every input gradient is LibTorch's.
TEST_P(NonFiniteOracle, NaNAndInfPatternsMatchLibTorch) {
  const OpInfo& info = *GetParam();
  Program program = {{info.call, {}}};
  for (int i = 0; i < info.arity(); ++i) program[0].args.push_back(i);
  const size_t last = info.shapes.size() - 1;  // the largest sample: room for every special value
  Inputs inputs = make_sample(info, last, kFloat64, 800);
  const double specials[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0};
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<double> v = inputs[i].to_vector();
    for (size_t k = 0; k < v.size(); k += 2) v[k] = specials[(k / 2 + i) % 5];
    inputs[i] = tensor(v, inputs[i].shape());
  }
  std::vector<Tensor> leaves;
  for (const Tensor& x : inputs) leaves.push_back(x.detach().clone().requires_grad_());
  const Tensor out = run_program(program, leaves);
  const Tensor cotangent = ones(out.shape());
  out.backward(cotangent);
  const OracleResult expected = torch_run(program, inputs, cotangent);
  EXPECT_EQ(classes_of(out.to_vector()), classes_of(expected.forward.values))
      << info.name << " forward";
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!expected.grads[i]) continue;
    EXPECT_EQ(classes_of(leaves[i].grad().to_vector()), classes_of(expected.grads[i]->values))
        << info.name << " gradient of input " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, NonFiniteOracle, ::testing::ValuesIn(registry_entries()),
                         [](const auto& p) { return test_name(p.param->name); });

}  // namespace
}  // namespace minitorch::testing
