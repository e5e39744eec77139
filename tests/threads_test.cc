// Thread safety: independent graphs built and backpropagated on 4 threads at
// once give exactly the serial results; gradients accumulating into one
// shared leaf from 4 threads are all counted; grad mode is per thread. Runs
// under ThreadSanitizer in the tsan preset.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "minitorch/minitorch.h"

namespace minitorch {
namespace {

constexpr int kThreads = 4;
constexpr int kSteps = 1000;

// Trains a small model from `seed` for kSteps SGD steps; returns its weights.
std::vector<double> train(uint64_t seed) {
  nn::Linear layer(nn::LinearOptions(8, 4).seed(seed).dtype(kFloat64));
  optim::SGD sgd(layer->parameters(), optim::SGDOptions(0.05).momentum(0.9));
  const Tensor x = randn({16, 8}, seed + 1);
  std::vector<double> labels;
  for (int i = 0; i < 16; ++i) labels.push_back((i + static_cast<int>(seed)) % 4);
  const Tensor y = tensor(labels, {16}, kInt64);
  for (int step = 0; step < kSteps; ++step) {
    sgd.zero_grad();
    cross_entropy(tanh(layer(x)), y).backward();
    sgd.step();
  }
  std::vector<double> out = layer->weight.to_vector();
  for (double b : layer->bias.to_vector()) out.push_back(b);
  return out;
}

TEST(Threads, IndependentGraphsMatchTheSerialRun) {
  std::vector<std::vector<double>> serial(kThreads), parallel(kThreads);
  for (int t = 0; t < kThreads; ++t) serial[t] = train(100 + t);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back([&, t] { parallel[t] = train(100 + t); });
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(parallel[t], serial[t]) << "thread " << t;
}

TEST(Threads, BackwardIntoASharedLeafCountsEveryContribution) {
  Tensor w = zeros({3}).requires_grad_();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const Tensor x = full({3}, t + 1.0);
      for (int step = 0; step < kSteps; ++step) (w * x).sum().backward();
    });
  }
  for (std::thread& th : threads) th.join();
  // Each thread adds (t + 1) per step: kSteps * (1 + 2 + 3 + 4).
  for (double g : w.grad().to_vector()) EXPECT_EQ(g, kSteps * 10.0);
}

TEST(Threads, GradModeIsPerThread) {
  std::vector<int> recorded(kThreads);
  std::vector<std::thread> threads;
  Tensor w = ones({2}).requires_grad_();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      int count = 0;
      for (int step = 0; step < kSteps; ++step) {
        if (t % 2 == 0) {
          NoGradGuard no_grad;
          count += (w * 2.0).requires_grad();
        } else {
          count += (w * 2.0).requires_grad();
        }
      }
      recorded[t] = count;
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(recorded[t], t % 2 == 0 ? 0 : kSteps) << "thread " << t;
}

}  // namespace
}  // namespace minitorch
