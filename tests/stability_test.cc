// softmax, log_softmax, logsumexp and cross_entropy stay finite and correct
// for inputs of magnitude 1e3 and 1e4 with mixed signs (where a naive
// exp overflows), at float64 and float32.
#include <gtest/gtest.h>

#include <cmath>

#include "minitorch/minitorch.h"
#include "test_util.h"

namespace minitorch::testing {
namespace {

class Stability : public ::testing::TestWithParam<std::tuple<double, DType>> {};

bool all_finite(const Tensor& t) {
  for (double v : t.to_vector()) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

TEST_P(Stability, ExtremeLogits) {
  const auto [scale, dtype] = GetParam();
  // Rows: all large positive, all large negative, mixed signs, a tie.
  const std::vector<double> v = {1, 0.5, -0.25, 0.75, -1,  -0.5, 0.25, -0.75,
                                 1, -1,  0.5,   -0.5, 0.3, 0.3,  -0.3, 0.1};
  std::vector<double> scaled;
  for (size_t i = 0; i < v.size(); ++i)
    scaled.push_back(v[i] * scale + (i < 4 ? scale : i < 8 ? -scale : 0));
  Tensor x = tensor(scaled, {4, 4}, dtype).requires_grad_();
  const double tol = dtype == kFloat64 ? 1e-12 : 1e-5;

  const Tensor p = softmax(x, 1);
  EXPECT_TRUE(all_finite(p));
  for (double s : sum(p, {1}).to_vector()) EXPECT_NEAR(s, 1.0, tol);
  EXPECT_TRUE(all_close(p, ref_softmax(to_ref(x), 1, false), tol, tol));
  const Tensor lp = log_softmax(x, 1);
  EXPECT_TRUE(all_finite(lp));
  EXPECT_TRUE(all_close(lp, ref_softmax(to_ref(x), 1, true), tol, tol * scale));
  const Tensor lse = logsumexp(x, {1});
  EXPECT_TRUE(all_finite(lse));
  EXPECT_TRUE(all_close(lse, ref_logsumexp(to_ref(x), {1}, false), tol, tol));
  const Tensor loss = cross_entropy(x, tensor({0, 3, 1, 2}, {4}, kInt64));
  EXPECT_TRUE(all_finite(loss));
  EXPECT_TRUE(all_close(loss, ref_cross_entropy(to_ref(x), RefArray{{4}, {0, 3, 1, 2}}, true), tol,
                        tol * scale));
  loss.backward();
  EXPECT_TRUE(all_finite(x.grad()));
  for (double s : sum(x.grad(), {1}).to_vector())
    EXPECT_NEAR(s, 0.0, tol);  // softmax - onehot rows sum to 0
  Tensor x2 = x.detach().requires_grad_();
  (softmax(x2, 1) * randn({4, 4}, 1, dtype)).sum().backward();
  EXPECT_TRUE(all_finite(x2.grad()));
  Tensor x3 = x.detach().requires_grad_();
  logsumexp(x3, {1}).sum().backward();
  EXPECT_TRUE(all_finite(x3.grad()));
}

INSTANTIATE_TEST_SUITE_P(Magnitudes, Stability,
                         ::testing::Combine(::testing::Values(1.0, 1e3, 1e4),
                                            ::testing::Values(kFloat64, kFloat32)),
                         [](const auto& p) {
                           return test_name(std::string(dtype_name(std::get<1>(p.param))) +
                                            "_scale_" +
                                            std::to_string(static_cast<int>(std::get<0>(p.param))));
                         });

TEST(Stability, GradcheckAtLargeMagnitude) {
  const Tensor x = randn({3, 4}, 9) * 1e3;
  for (auto fn : std::vector<GradcheckFunction>{
           [](const std::vector<Tensor>& in) { return softmax(in[0], 1); },
           [](const std::vector<Tensor>& in) { return log_softmax(in[0], 0); },
           [](const std::vector<Tensor>& in) { return logsumexp(in[0], {1}); },
       }) {
    // Steps scale with |x|, so the check stays meaningful at 1e3.
    const GradcheckResult r = gradcheck(fn, {x});
    EXPECT_TRUE(r.ok) << r.message;
  }
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// Found by fuzz_broadcast: at |x| ~ 1e265 the rounding of logsumexp's result
// exceeds log(n), so a backward of exp(x - result) gave 1 per tied element
// instead of 1/n. The gradient is the max-shifted softmax.
TEST(Stability, LogsumexpGradientAtHugeMagnitudeWithTies) {
  for (double magnitude : {1e17, 1e100, 3.3865909440520743e+265}) {
    Tensor x = tensor({magnitude, magnitude, magnitude, -magnitude}, {4}).requires_grad_();
    logsumexp(x, {0}).backward();
    EXPECT_TRUE(all_close(x.grad(), RefArray{{4}, {1.0 / 3, 1.0 / 3, 1.0 / 3, 0}}, 1e-15, 1e-15))
        << "at magnitude " << magnitude;
  }
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// Found by fuzz_broadcast: log_softmax must subtract the max before the log
// of the sum; max + log(sum) loses the log at |x| ~ 1e93.
TEST(Stability, LogSoftmaxOfEqualHugeValues) {
  for (DType dtype : {kFloat64, kFloat32}) {
    const double big = dtype == kFloat64 ? 2.5e93 : 1e30;
    const Tensor y = log_softmax(full({4}, big, dtype), 0);
    for (double v : y.to_vector()) EXPECT_NEAR(v, -std::log(4.0), 1e-6) << dtype_name(dtype);
  }
}

}  // namespace
}  // namespace minitorch::testing
