// Assertions shared by the test suites.
#ifndef MINITORCH_TESTS_TEST_UTIL_H_
#define MINITORCH_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "minitorch/minitorch.h"
#include "testing/op_call.h"
#include "testing/reference.h"

namespace minitorch::testing {

// Shape equal and every value within atol + rtol * |expected| (NaN matches
// NaN, inf matches inf of the same sign). On failure, lists the first
// mismatches and the largest difference.
::testing::AssertionResult all_close(const std::vector<int64_t>& shape,
                                     const std::vector<double>& actual,
                                     const std::vector<int64_t>& expected_shape,
                                     const std::vector<double>& expected, double rtol, double atol);
::testing::AssertionResult all_close(const Tensor& actual, const RefArray& expected, double rtol,
                                     double atol);
::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, double rtol,
                                     double atol);

// Calls exactly at the points where ops are not differentiable (relu and
// abs at 0, maximum / minimum / amax ties and NaN, clamp at its bounds, pow
// at zero and negative bases, sqrt at 0), where LibTorch's subgradient
// conventions decide the gradient.
struct KinkCase {
  OpCall call;
  std::vector<Tensor> inputs;
};
std::vector<KinkCase> kink_cases();

// A gtest-safe version of `name` (letters, digits and underscores only).
std::string test_name(std::string name);

// A safetensors file as the format lays it out: the header's length (8
// bytes, little endian), the header, then `data`.
std::string safetensors_bytes(const std::string& header, const std::string& data = "");

// The bytes of `values` as float64, little endian (a file's data section).
std::string float64_bytes(std::initializer_list<double> values);

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTS_TEST_UTIL_H_
