// Assertions shared by the test suites.
#include "test_util.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <sstream>

namespace minitorch::testing {

namespace {

std::string shape_string(const std::vector<int64_t>& shape) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

bool same_value(double a, double e, double rtol, double atol) {
  if (std::isnan(e)) return std::isnan(a);
  if (std::isinf(e)) return a == e;
  return std::abs(a - e) <= atol + rtol * std::abs(e);
}

}  // namespace

::testing::AssertionResult all_close(const std::vector<int64_t>& shape,
                                     const std::vector<double>& actual,
                                     const std::vector<int64_t>& expected_shape,
                                     const std::vector<double>& expected, double rtol,
                                     double atol) {
  if (shape != expected_shape || actual.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "shape " << shape_string(shape) << " != expected " << shape_string(expected_shape);
  }
  std::ostringstream mismatches;
  int bad = 0;
  double max_diff = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (!std::isnan(actual[i] - expected[i]))
      max_diff = std::max(max_diff, std::abs(actual[i] - expected[i]));
    if (!same_value(actual[i], expected[i], rtol, atol)) {
      if (bad < 5)
        mismatches << "\n  at " << i << ": " << actual[i] << " vs expected " << expected[i];
      ++bad;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << actual.size() << " values differ (rtol " << rtol << ", atol " << atol
         << ", max |diff| " << max_diff << "):" << mismatches.str();
}

::testing::AssertionResult all_close(const Tensor& actual, const RefArray& expected, double rtol,
                                     double atol) {
  const RefArray a = to_ref(actual);
  return all_close(a.shape, a.values, expected.shape, expected.values, rtol, atol);
}

::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, double rtol,
                                     double atol) {
  return all_close(actual, to_ref(expected), rtol, atol);
}

std::string test_name(std::string name) {
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

std::vector<KinkCase> kink_cases() {
  const Tensor grid = tensor({-1, -0.5, 0, 0, 0.5, 1, 1, 0}, {2, 4});
  const Tensor tied = tensor({0, 0, 0.5, 1, 1, -1, 0, 0}, {2, 4});
  const Tensor nans = tensor({NAN, 0, 1, NAN, -1, 0, 2, 1}, {2, 4});
  return {
      {{.op = Op::kRelu}, {grid}},
      {{.op = Op::kAbs}, {grid}},
      {{.op = Op::kMaximum}, {grid, tied}},
      {{.op = Op::kMinimum}, {grid, tied}},
      {{.op = Op::kMaximum}, {grid, nans}},
      {{.op = Op::kAmax}, {grid}},
      {{.op = Op::kAmax, .dims = {1}}, {grid}},
      {{.op = Op::kAmax, .dims = {0}, .keepdim = true}, {tied}},
      {{.op = Op::kClamp, .min = -0.5, .max = 0.5}, {grid}},
      {{.op = Op::kClamp, .min = 0.0}, {grid}},
      {{.op = Op::kClamp, .max = 1.0}, {grid}},
      {{.op = Op::kPow}, {grid, tied}},
      {{.op = Op::kPowScalar, .exponent = 0}, {grid}},
      {{.op = Op::kSqrt}, {grid.abs()}},
  };
}

std::string safetensors_bytes(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t length = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string float64_bytes(std::initializer_list<double> values) {
  std::string out(values.size() * sizeof(double), '\0');
  std::memcpy(out.data(), std::data(values), out.size());
  return out;
}

}  // namespace minitorch::testing
