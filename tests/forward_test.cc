// Forward values of every registry op against the plain reference loops, at
// float64 and float32, on contiguous and non-contiguous inputs.
#include <gtest/gtest.h>

#include <cmath>

#include "minitorch/minitorch.h"
#include "test_util.h"
#include "testing/op_registry.h"

namespace minitorch::testing {
namespace {

class OpForward : public ::testing::TestWithParam<const OpInfo*> {};

void check_forward(const OpInfo& info, DType dtype, bool strided, double rtol, double atol) {
  for (size_t s = 0; s < info.shapes.size(); ++s) {
    Inputs inputs = make_sample(info, s, dtype, /*seed=*/200 + s);
    Refs refs;
    for (Tensor& x : inputs) {
      refs.push_back(to_ref(x));
      if (strided) {
        x = non_contiguous(x);
        if (x.dim() >= 1 && x.numel() > 1) {
          ASSERT_FALSE(x.is_contiguous());
        }
      }
    }
    const Tensor out = info.fn(inputs);
    EXPECT_EQ(out.dtype(), dtype) << info.name;
    EXPECT_TRUE(all_close(out, info.reference(refs), rtol, atol))
        << info.name << " sample " << s << (strided ? " (non-contiguous)" : "") << " "
        << dtype_name(dtype);
  }
}

TEST_P(OpForward, MatchesReferenceFloat64) {
  check_forward(*GetParam(), kFloat64, false, 1e-12, 1e-12);
}
TEST_P(OpForward, MatchesReferenceFloat64NonContiguous) {
  check_forward(*GetParam(), kFloat64, true, 1e-12, 1e-12);
}
TEST_P(OpForward, MatchesReferenceFloat32) {
  check_forward(*GetParam(), kFloat32, false, 1e-5, 1e-6);
}
TEST_P(OpForward, MatchesReferenceFloat32NonContiguous) {
  check_forward(*GetParam(), kFloat32, true, 1e-5, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Ops, OpForward, ::testing::ValuesIn(registry_entries()),
                         [](const auto& p) { return test_name(p.param->name); });

// Hand-computed values, independent of both the library and the reference.
TEST(ForwardByHand, SmallCases) {
  EXPECT_EQ((tensor({1, 2, 3}, {3}) + tensor({10}, {1})).to_vector(),
            (std::vector<double>{11, 12, 13}));
  EXPECT_EQ(matmul(tensor({1, 2, 3, 4}, {2, 2}), tensor({5, 6}, {2})).to_vector(),
            (std::vector<double>{17, 39}));
  EXPECT_EQ(sum(tensor({1, 2, 3, 4, 5, 6}, {2, 3}), {0}).to_vector(),
            (std::vector<double>{5, 7, 9}));
  EXPECT_EQ(amax(tensor({1, 7, 3, 4, 5, 6}, {2, 3}), {1}).to_vector(), (std::vector<double>{7, 6}));
  EXPECT_DOUBLE_EQ(mean(tensor({1, 2, 3, 6}, {4})).item(), 3.0);
  EXPECT_NEAR(logsumexp(tensor({0, 0}, {2}), {0}).item(), std::log(2.0), 1e-15);
  const std::vector<double> p = softmax(tensor({0, std::log(3.0)}, {2}), 0).to_vector();
  EXPECT_NEAR(p[0], 0.25, 1e-15);
  EXPECT_NEAR(p[1], 0.75, 1e-15);
  EXPECT_NEAR(cross_entropy(tensor({0, 0}, {1, 2}), tensor({1}, {1}, kInt64)).item(), std::log(2.0),
              1e-15);
  EXPECT_EQ(clamp(tensor({-2, 0.5, 2}, {3}), -1.0, 1.0).to_vector(),
            (std::vector<double>{-1, 0.5, 1}));
  EXPECT_EQ(relu(tensor({-1, 0, 2}, {3})).to_vector(), (std::vector<double>{0, 0, 2}));
}

// Sums over expanded (stride-0) dims multiply instead of reading every copy:
// they must equal the sum of the materialised tensor.
TEST(ForwardFastPaths, SumOverExpandedDimsEqualsSumOfTheCopy) {
  struct Case {
    std::vector<int64_t> dims;
    bool keepdim;
  };
  const std::vector<Case> cases = {{{1}, false}, {{1}, true},     {{0, 1}, false},
                                   {{}, false},  {{-1, 1}, true}, {{0}, false}};
  for (const DType dtype : {kFloat64, kFloat32}) {
    const Tensor source = randn({3, 1, 4}, /*seed=*/5, dtype);
    const Tensor expanded = expand(source, {3, 5, 4});
    ASSERT_EQ(expanded.strides()[1], 0);
    const Tensor copy = expanded.contiguous();
    for (const Case& c : cases) {
      const double tol = dtype == kFloat64 ? 1e-12 : 1e-5;
      EXPECT_TRUE(
          all_close(sum(expanded, c.dims, c.keepdim), sum(copy, c.dims, c.keepdim), tol, tol))
          << "dims " << Shape(c.dims).to_string() << " keepdim " << c.keepdim << " "
          << dtype_name(dtype);
      EXPECT_TRUE(
          all_close(mean(expanded, c.dims, c.keepdim), mean(copy, c.dims, c.keepdim), tol, tol))
          << "mean, dims " << Shape(c.dims).to_string() << " " << dtype_name(dtype);
    }
  }
  // A scalar expanded a million times, as the gradient of a sum is.
  const Tensor g = expand(tensor({0.1}, {}), {1000, 1000});
  EXPECT_NEAR(sum(g).item(), 1e5, 1e-9);
  EXPECT_EQ(sum(g, {0}).shape(), Shape({1000}));
  EXPECT_NEAR(sum(g, {0}).to_vector()[999], 100.0, 1e-12);
}

}  // namespace
}  // namespace minitorch::testing
