// demo: trains a tiny classifier with minitorch, then verifies the gradient
// of every op against finite differences and prints the table.
//
// Part 1 fits a 2-16-2 MLP (tanh, cross_entropy, plain SGD) to XOR-like
// data: four Gaussian blobs, opposite corners sharing a class.
// Part 2 runs gradcheck (FP64 central differences, full Jacobian, random
// cotangent) on every op variant of the test registry, every input, every
// sample shape, and exits non-zero if any fails.
#include <chrono>
#include <cstdio>
#include <vector>

#include "minitorch/minitorch.h"
#include "testing/op_registry.h"

namespace {

using namespace minitorch;

int train_xor() {
  const int64_t n = 256;
  std::vector<double> points, labels;
  const Tensor noise = randn({n, 2}, 11);
  const std::vector<double> jitter = noise.to_vector();
  for (int64_t i = 0; i < n; ++i) {
    const double cx = (i % 4 == 0 || i % 4 == 3) ? 1.0 : -1.0;
    const double cy = (i % 4 == 0 || i % 4 == 2) ? 1.0 : -1.0;
    points.push_back(cx + 0.3 * jitter[2 * i]);
    points.push_back(cy + 0.3 * jitter[2 * i + 1]);
    labels.push_back(cx * cy > 0 ? 1 : 0);
  }
  const Tensor x = tensor(points, {n, 2});
  const Tensor y = tensor(labels, {n}, kInt64);
  Tensor w1 = (randn({2, 16}, 1) * 0.5).requires_grad_();
  Tensor b1 = zeros({16}).requires_grad_();
  Tensor w2 = (randn({16, 2}, 2) * 0.5).requires_grad_();
  Tensor b2 = zeros({2}).requires_grad_();
  std::vector<Tensor> params = {w1, b1, w2, b2};

  std::printf("Training a 2-16-2 MLP on XOR blobs (%lld points)\n", static_cast<long long>(n));
  double accuracy = 0;
  for (int step = 0; step <= 200; ++step) {
    const Tensor logits = matmul(tanh(matmul(x, w1) + b1), w2) + b2;
    const Tensor loss = cross_entropy(logits, y);
    for (Tensor& p : params) p.set_grad(Tensor());
    loss.backward();
    {
      NoGradGuard no_grad;
      for (Tensor& p : params) p.sub_(p.grad(), 0.5);
      const std::vector<double> l = logits.to_vector();
      int correct = 0;
      for (int64_t i = 0; i < n; ++i) correct += ((l[2 * i + 1] > l[2 * i]) ? 1 : 0) == labels[i];
      accuracy = static_cast<double>(correct) / static_cast<double>(n);
    }
    if (step % 50 == 0)
      std::printf("  step %3d  loss %.4f  accuracy %.3f\n", step, loss.item(), accuracy);
  }
  return accuracy > 0.95 ? 0 : 1;
}

int check_every_op() {
  using minitorch::testing::op_registry;
  std::printf(
      "\nGradcheck of every op (FP64, central differences, eps 1e-6, atol 1e-5, rtol 1e-3)\n");
  std::printf("%-28s %-6s %-8s %-10s %-12s %s\n", "op", "input", "samples", "entries", "max |err|",
              "verdict");
  int failures = 0;
  for (const auto& info : op_registry()) {
    for (int input = 0; input < info.arity(); ++input) {
      size_t entries = 0;
      double max_error = 0;
      bool ok = true;
      for (size_t s = 0; s < info.shapes.size(); ++s) {
        const auto sample = minitorch::testing::make_sample(info, s, kFloat64, 100 + s);
        const GradcheckResult r = gradcheck(
            minitorch::testing::as_function_of_input(info, sample, input), {sample[input]});
        ok = ok && r.ok;
        max_error = std::max(max_error, r.max_abs_error);
        entries += static_cast<size_t>(info.fn(sample).numel() * sample[input].numel());
        if (!r.ok) std::printf("  %s\n", r.message.c_str());
      }
      failures += ok ? 0 : 1;
      std::printf("%-28s %-6d %-8zu %-10zu %-12.2e %s\n", info.name.c_str(), input,
                  info.shapes.size(), entries, max_error, ok ? "pass" : "FAIL");
    }
  }
  std::printf("%d failing op inputs\n", failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main() {
  const auto start = std::chrono::steady_clock::now();
  const int trained = train_xor();
  const int checked = check_every_op();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("demo finished in %.2f s: training %s, gradcheck %s\n", seconds,
              trained == 0 ? "reached 95% accuracy" : "FAILED to reach 95% accuracy",
              checked == 0 ? "passed" : "FAILED");
  return trained | checked;
}
