// The vectorisable float32 exp / tanh / sigmoid against the C library over
// the whole float range, special values included, and the CPU-dispatched
// array kernels against the scalar functions they vectorise.
#include "kernels/fast_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace minitorch {
namespace {

// Every 997th float bit pattern between -max and max finite, plus specials.
std::vector<float> sweep(float lo, float hi) {
  std::vector<float> xs;
  for (uint32_t bits = 0; bits < 0x7f800000u; bits += 997) {
    const float v = std::bit_cast<float>(bits);
    if (v >= lo && v <= hi) xs.push_back(v);
    if (-v >= lo && -v <= hi) xs.push_back(-v);
  }
  return xs;
}

double relative_error(double got, double want) {
  if (want == 0) return std::abs(got);
  return std::abs(got - want) / std::abs(want);
}

TEST(FastMath, ExpMatchesTheCLibrary) {
  double worst = 0;
  for (float x : sweep(-87.0f, 88.7f)) {
    worst = std::max(worst, relative_error(fast::exp(x), std::exp(static_cast<double>(x))));
  }
  EXPECT_LT(worst, 4e-7);
  EXPECT_EQ(fast::exp(std::numeric_limits<float>::infinity()),
            std::numeric_limits<float>::infinity());
  EXPECT_EQ(fast::exp(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_EQ(fast::exp(89.0f), std::numeric_limits<float>::infinity());
  EXPECT_EQ(fast::exp(-200.0f), 0.0f);
  EXPECT_TRUE(std::isnan(fast::exp(std::nanf(""))));
  EXPECT_EQ(fast::exp(0.0f), 1.0f);
  // Subnormal results are right to within their spacing (1.4e-45).
  const float smallest = std::numeric_limits<float>::denorm_min();
  EXPECT_NEAR(fast::exp(-100.0f), static_cast<float>(std::exp(-100.0)), 2 * smallest);
  EXPECT_NEAR(fast::exp(-90.0f), static_cast<float>(std::exp(-90.0)), 2 * smallest);
}

TEST(FastMath, TanhAndSigmoidMatchTheCLibrary) {
  double worst_tanh = 0, worst_sigmoid = 0;
  for (float x : sweep(-30.0f, 30.0f)) {
    worst_tanh =
        std::max(worst_tanh, relative_error(fast::tanh(x), std::tanh(static_cast<double>(x))));
    worst_sigmoid =
        std::max(worst_sigmoid,
                 relative_error(fast::sigmoid(x), 1 / (1 + std::exp(-static_cast<double>(x)))));
  }
  EXPECT_LT(worst_tanh, 4e-7);
  EXPECT_LT(worst_sigmoid, 4e-7);
  EXPECT_EQ(fast::tanh(1e30f), 1.0f);
  EXPECT_EQ(fast::tanh(-std::numeric_limits<float>::infinity()), -1.0f);
  EXPECT_EQ(fast::tanh(1e-30f), 1e-30f);
  EXPECT_TRUE(std::isnan(fast::tanh(std::nanf(""))));
  EXPECT_EQ(fast::sigmoid(-1e30f), 0.0f);
  EXPECT_EQ(fast::sigmoid(1e30f), 1.0f);
}

TEST(FastMath, ArrayKernelsEqualTheScalarFunctions) {
  std::vector<float> x = sweep(-100.0f, 100.0f);
  x.push_back(std::numeric_limits<float>::infinity());
  x.push_back(std::nanf(""));
  std::vector<float> y(x.size());
  const auto check = [&](void (*array)(const float*, float*, int64_t), float (*scalar)(float)) {
    array(x.data(), y.data(), static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) {
      const float want = scalar(x[i]);
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(y[i]));
      } else if (std::isinf(want)) {
        EXPECT_EQ(y[i], want);
      } else {
        // Vector code may contract multiply-adds differently: allow 2 ulp.
        EXPECT_NEAR(y[i], want, 2.5e-7 * std::abs(want) + 1e-38f) << "x = " << x[i];
      }
    }
  };
  check(fast::exp_array, [](float v) { return fast::exp(v); });
  check(fast::tanh_array, [](float v) { return fast::tanh(v); });
  check(fast::sigmoid_array, [](float v) { return fast::sigmoid(v); });
}

// exp_shifted builds 2^k for arguments x - max <= 0 in one step and a scale
// by 2^-64, where fast::exp builds it in two halves: one rounding of the
// same product either way, so the same bits, subnormal results included.
// The sum is that of the outputs, and its lanes are combined by halves.
TEST(FastMath, ExpShiftedIsExpOfTheShiftedArgumentToTheBit) {
  std::vector<float> x = sweep(-120.0f, 0.0f);
  x.push_back(-std::numeric_limits<float>::infinity());
  x.push_back(std::nanf(""));
  const float shift = 3.25f;
  for (float& v : x) v += shift;
  std::vector<float> y(x.size());
  const float sum = fast::exp_shifted(x.data(), shift, y.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const float want = fast::exp(x[i] - shift);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(y[i])) << "x = " << x[i];
    } else {
      EXPECT_EQ(std::bit_cast<uint32_t>(y[i]), std::bit_cast<uint32_t>(want)) << "x = " << x[i];
    }
  }
  EXPECT_TRUE(std::isnan(sum));
  // Without the NaN: the sum of the outputs to float precision.
  const int64_t finite = static_cast<int64_t>(x.size()) - 1;
  const float finite_sum = fast::exp_shifted(x.data(), shift, y.data(), finite);
  double want = 0;
  for (int64_t i = 0; i < finite; ++i) want += y[static_cast<size_t>(i)];
  EXPECT_NEAR(finite_sum, want, 1e-6 * want);
}

TEST(FastMath, ScaleMultipliesEveryElement) {
  for (const int64_t n : {0, 1, 15, 1000, 4099}) {
    std::vector<float> xf(n), yf(n, NAN), wantf(n);
    std::vector<double> xd(n), yd(n, NAN), wantd(n);
    for (int64_t i = 0; i < n; ++i) {
      xf[i] = static_cast<float>(i % 7) - 3.5f;
      wantf[i] = -0.5f * xf[i];
      xd[i] = 0.1 * static_cast<double>(i % 11);
      wantd[i] = 3.0 * xd[i];
    }
    fast::scale(n, -0.5f, xf.data(), yf.data());
    fast::scale(n, 3.0, xd.data(), yd.data());
    EXPECT_EQ(yf, wantf) << "n = " << n;  // one rounding each, as the scalar product
    EXPECT_EQ(yd, wantd) << "n = " << n;
  }
}

TEST(FastMath, AxpyAddsAScaledArray) {
  for (const int64_t n : {0, 1, 15, 1000, 4099}) {
    std::vector<float> xf(n), yf(n), wantf(n);
    std::vector<double> xd(n), yd(n), wantd(n);
    for (int64_t i = 0; i < n; ++i) {
      xf[i] = static_cast<float>(i % 7) - 3.5f;
      yf[i] = static_cast<float>(i % 5) * 0.25f;
      wantf[i] = yf[i] + -0.5f * xf[i];
      xd[i] = xf[i];
      yd[i] = yf[i];
      wantd[i] = yd[i] + 0.1 * xd[i];
    }
    fast::axpy(n, -0.5f, xf.data(), yf.data());
    fast::axpy(n, 0.1, xd.data(), yd.data());
    EXPECT_EQ(yf, wantf) << "n = " << n;  // exact: every product and sum is representable
    for (int64_t i = 0; i < n; ++i)
      EXPECT_NEAR(yd[i], wantd[i], 1e-15) << "n = " << n << ", i = " << i;
  }
}

}  // namespace
}  // namespace minitorch

namespace minitorch::fast {
namespace {

// sum_in_double against a plain double loop over the same floats, at every
// length through several rounds and every tail: within 1e-7 of the sum of
// magnitudes (float partials of at most 8 terms), whatever the length.
TEST(FastMath, SumInDoubleIsADoubleSumToFloatPrecision) {
  std::vector<float> x(20000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(0.37 * i) + 0.1);
  for (const int64_t n : {0, 1, 15, 16, 17, 63, 64, 65, 511, 512, 513, 1000, 20000}) {
    double exact = 0, magnitude = 0;
    for (int64_t i = 0; i < n; ++i) {
      exact += x[static_cast<size_t>(i)];
      magnitude += std::fabs(x[static_cast<size_t>(i)]);
    }
    EXPECT_NEAR(sum_in_double(x.data(), n), exact, 1e-7 * magnitude) << n;
  }
  const std::vector<float> tenths(10000000, 0.1F);
  const double sum = sum_in_double(tenths.data(), static_cast<int64_t>(tenths.size()));
  EXPECT_NEAR(sum, 1e7 * static_cast<double>(0.1F), 1e-7 * sum);
}

}  // namespace
}  // namespace minitorch::fast
