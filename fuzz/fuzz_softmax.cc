// fuzz_softmax: softmax, log_softmax, logsumexp and cross_entropy on
// extreme inputs (magnitudes to 1e300, mixed signs, ties, NaN and inf).
// Always checked: no crash, and for finite inputs with a representable
// result (log_softmax and cross_entropy can exceed the largest double when
// logits span it) finite outputs, softmax
// rows in [0, 1] summing to 1 within n * eps, invariance to adding a
// constant, and a zero gradient of the sum of a softmax. Then the
// error-bounded gradcheck, whose verdict is counted.
//
// Fields after the version byte (see decoder.h):
//   op      in_range(0, 4): softmax log_softmax logsumexp cross_entropy(class)
//           cross_entropy(probabilities)
//   shape   rank in_range(1, 3) (cross_entropy: at most 2), dims in_range(1, 5)
//   dim     in_range(0, 255), wrapped to the rank (cross_entropy: the last)
//   mode    mode(); then the values
//   shift   value(kSmall) * 10^in_range(0, 4): the constant added
//   target  class indices in_range(0, C - 1) per row, or probabilities
//           |value(kSmall)|
//   execution the fields every gradient target reads last (harness.h)
#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "fuzz/decoder.h"
#include "fuzz/harness.h"

namespace {

using minitorch::Op;
using minitorch::Shape;
using minitorch::Tensor;
using minitorch::testing::OpCall;

constexpr double kEps = std::numeric_limits<double>::epsilon();

bool all_finite(const std::vector<double>& values) {
  for (double v : values) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

double max_abs(const std::vector<double>& values) {
  double m = 0;
  for (double v : values) m = std::max(m, std::abs(v));
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = minitorch::fuzz::ByteReader::Open({data, size});
  if (!reader.ok()) return -1;
  minitorch::fuzz::ByteReader& in = *reader;
  const char* kTarget = "fuzz_softmax";
  const absl::Span<const uint8_t> bytes(data, size);

  const int64_t kind = in.in_range(0, 4);
  const bool cross_entropy = kind >= 3;
  const Shape shape = in.shape(1, cross_entropy ? 2 : 3, 5);
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int64_t dim = cross_entropy ? -1 : in.in_range(0, 255) % (2 * rank) - rank;
  const auto mode = in.mode();
  const Tensor x = in.values(shape, mode);
  const double shift =
      in.value(minitorch::fuzz::ValueMode::kSmall) * std::pow(10.0, in.in_range(0, 4));

  OpCall call;
  std::vector<Tensor> inputs = {x};
  switch (kind) {
    case 0:
      call = {.op = Op::kSoftmax, .dims = {dim}};
      break;
    case 1:
      call = {.op = Op::kLogSoftmax, .dims = {dim}};
      break;
    case 2:
      call = {.op = Op::kLogsumexp, .dims = {dim}};
      break;
    case 3: {
      const int64_t classes = shape.back();
      std::vector<double> targets(rank == 2 ? static_cast<size_t>(shape[0]) : 1);
      for (double& t : targets) t = static_cast<double>(in.in_range(0, classes - 1));
      call = {.op = Op::kCrossEntropy,
              .constant = minitorch::tensor(targets, rank == 2 ? Shape{shape[0]} : Shape{},
                                            minitorch::kInt64)};
      break;
    }
    default:
      inputs.push_back(minitorch::abs(in.values(shape, minitorch::fuzz::ValueMode::kSmall)));
      call = {.op = Op::kCrossEntropy};
      break;
  }
  const minitorch::testing::Program program = {
      {call, kind == 4 ? std::vector<int>{0, 1} : std::vector<int>{0}}};
  auto describe_case = [&] {
    return absl::StrCat("program:\n", minitorch::testing::describe(program, inputs.size()),
                        "inputs:\n", minitorch::fuzz::describe_inputs(inputs), "shift ", shift,
                        "\n");
  };

  const std::vector<double> xs = x.to_vector();
  // log_softmax and cross_entropy terms reach the spread of the logits plus
  // log n, times the target weights (cross_entropy sums them over rows and
  // classes): past the largest double the true result is not representable
  // and inf is the right answer, so the properties below do not apply.
  const double classes = static_cast<double>(shape.back());
  const double rows = rank == 2 ? static_cast<double>(shape[0]) : 1.0;
  const double largest_term = 2 * max_abs(xs) + std::log(classes) + 1;
  const double weight = kind == 3   ? rows
                        : kind == 4 ? rows * classes * max_abs(inputs[1].to_vector())
                                    : 1.0;
  const bool representable =
      kind == 0 || kind == 2 || largest_term * weight < std::numeric_limits<double>::max();
  if (all_finite(xs) && representable) {
    const Tensor y = minitorch::testing::run_program(program, inputs);
    const std::vector<double> ys = y.to_vector();
    if (!all_finite(ys))
      minitorch::fuzz::fail(kTarget, describe_case() + "non-finite output", bytes);
    // Rounding in x + shift moves each logit by up to eps * |x + shift|.
    const double n = static_cast<double>(shape[(dim + rank) % rank]);
    const double wobble = 8 * n * kEps * (max_abs(xs) + std::abs(shift)) + 8 * n * kEps;
    if (kind == 0) {
      for (double v : ys) {
        if (!(v >= 0 && v <= 1))
          minitorch::fuzz::fail(kTarget, describe_case() + "softmax value outside [0, 1]", bytes);
      }
      for (double s : minitorch::sum(y, {dim}).to_vector()) {
        if (!(std::abs(s - 1) <= 4 * n * kEps)) {
          minitorch::fuzz::fail(kTarget, describe_case() + absl::StrCat("softmax row sums to ", s),
                                bytes);
        }
      }
      Tensor leaf = x.detach().requires_grad_();
      minitorch::sum(minitorch::softmax(leaf, dim)).backward();
      if (!(max_abs(leaf.grad().to_vector()) <= 8 * n * kEps)) {
        minitorch::fuzz::fail(kTarget, describe_case() + "the gradient of sum(softmax) is not zero",
                              bytes);
      }
    }
    if (kind <= 2 && std::isfinite(shift)) {
      // softmax and log_softmax ignore a constant added along the dim;
      // logsumexp moves by it.
      std::vector<Tensor> shifted = inputs;
      shifted[0] = x + shift;
      const Tensor y_shifted = minitorch::testing::run_program(program, shifted);
      const Tensor expected = kind == 2 ? y + shift : y;
      const double scale = kind == 0 ? 1.0 : 1.0 + max_abs(ys) + std::abs(shift);
      const double diff = max_abs((y_shifted - expected).to_vector());
      if (!(diff <= wobble * scale)) {
        minitorch::fuzz::fail(
            kTarget,
            describe_case() + absl::StrCat("adding a constant changed the result by ", diff),
            bytes);
      }
    }
  } else {
    // NaN and inf in, or a result past the largest double: anything but a
    // crash or an exception out.
    (void)minitorch::testing::run_program(program, inputs);
  }
  minitorch::fuzz::check_gradients(kTarget, program, inputs, minitorch::fuzz::read_execution(in),
                                   bytes);
  return 0;
}
