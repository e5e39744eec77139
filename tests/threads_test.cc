// Thread safety: independent graphs built and backpropagated on 4 threads at
// once give exactly the serial results; gradients accumulating into one
// shared leaf from 4 threads are all counted; grad mode is per thread. Runs
// under ThreadSanitizer in the tsan preset.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "minitorch/minitorch.h"
#include "parallel.h"

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
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(recorded[t], t % 2 == 0 ? 0 : kSteps) << "thread " << t;
}

// Every op that splits its work over set_num_threads threads, on inputs big
// enough to be split (with broadcast, transposed and expanded operands), and
// its gradients: the same bits at 1, 2 and 3 threads.
std::vector<std::vector<double>> split_ops_and_gradients(DType dtype, int64_t rows = 600,
                                                         int64_t cols = 300) {
  const Tensor a = randn({rows, cols}, /*seed=*/1, dtype).requires_grad_();
  const Tensor b = randn({cols}, /*seed=*/2, dtype).requires_grad_();
  const Tensor c = randn({cols, rows}, /*seed=*/3, dtype);
  std::vector<double> classes;
  for (int64_t r = 0; r < rows; ++r) classes.push_back(static_cast<double>(r * 7 % cols));
  const Tensor targets = tensor(classes, {rows}, kInt64);
  std::vector<Tensor> outputs = {a + b,
                                 a * b,
                                 a - transpose(c, 0, 1),
                                 maximum(a, transpose(c, 0, 1)),
                                 exp(a),
                                 tanh(a),
                                 sigmoid(a),
                                 relu(a),
                                 softmax(a, 1),
                                 softmax(a, 0),
                                 log_softmax(a, -1),
                                 sum(a, {0}),
                                 sum(a, {1}, true),
                                 mean(a, {0}),
                                 amax(a, {1}),
                                 logsumexp(a, {1}),
                                 cross_entropy(a, targets),
                                 transpose(a, 0, 1).contiguous(),
                                 expand(b, {rows, cols}).contiguous(),
                                 matmul(a, c),
                                 matmul(transpose(c, 0, 1), transpose(a, 0, 1))};
  std::vector<std::vector<double>> results;
  Tensor loss = zeros({}, dtype);
  for (const Tensor& out : outputs) {
    results.push_back(out.to_vector());
    loss = loss + sum(out * randn(out.shape(), /*seed=*/4, dtype));
  }
  loss.backward();
  results.push_back(a.grad().to_vector());
  results.push_back(b.grad().to_vector());
  Tensor accumulated = zeros({rows, cols}, dtype);
  accumulated.add_(a.detach(), 0.5);
  results.push_back(accumulated.to_vector());
  return results;
}

TEST(Threads, SplitOpsGiveTheSameBitsAtEveryThreadCount) {
  for (const DType dtype : {kFloat32, kFloat64}) {
    set_num_threads(1);
    const auto serial = split_ops_and_gradients(dtype);
    for (const int threads : {2, 3}) {
      set_num_threads(threads);
      EXPECT_EQ(get_num_threads(), threads);
      const auto parallel = split_ops_and_gradients(dtype);
      ASSERT_EQ(parallel.size(), serial.size());
      for (size_t i = 0; i < serial.size(); ++i) {
        EXPECT_EQ(parallel[i], serial[i])
            << "result " << i << " at " << threads << " threads, " << dtype_name(dtype);
      }
    }
  }
  set_num_threads(1);
}

// A grain of a few elements splits small tensors of odd lengths too, so
// every chunk boundary (a vector kernel's tail included) meets the split.
TEST(Threads, SmallGrainsGiveTheSameBitsAtEveryThreadCount) {
  for (const DType dtype : {kFloat32, kFloat64}) {
    set_num_threads(1);
    const auto serial = split_ops_and_gradients(dtype, 13, 11);
    for (const int64_t grain : {1, 3, 7, 17}) {
      for (const int threads : {2, 3}) {
        set_num_threads(threads);
        set_parallel_grain(grain);
        const auto parallel = split_ops_and_gradients(dtype, 13, 11);
        set_parallel_grain(kDefaultParallelGrain);
        ASSERT_EQ(parallel.size(), serial.size());
        for (size_t i = 0; i < serial.size(); ++i) {
          EXPECT_EQ(parallel[i], serial[i])
              << "result " << i << " at " << threads << " threads, grain " << grain << ", "
              << dtype_name(dtype);
        }
      }
    }
  }
  set_num_threads(1);
}

// A job is cut into several chunks per thread, and a pool made for more
// threads than the setting now asks for (3, then 2) keeps its helpers: no
// more than the setting's threads may still run chunks at once, and every
// index is visited exactly once.
TEST(Threads, AJobRunsOnAtMostTheSettingsThreads) {
  set_num_threads(3);
  parallel_for(3, 1, [](int64_t, int64_t) {});  // the pool gets two helpers
  for (const int threads : {2, 1, 3}) {
    set_num_threads(threads);
    std::atomic<int> running{0}, most{0};
    std::vector<std::atomic<int>> visits(64);
    parallel_for(64, 1, [&](int64_t begin, int64_t end) {
      const int now = running.fetch_add(1) + 1;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      // Long enough that every helper allowed in reaches a chunk meanwhile.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      for (int64_t i = begin; i < end; ++i) visits[static_cast<size_t>(i)].fetch_add(1);
      running.fetch_sub(1);
    });
    EXPECT_LE(most.load(), threads);
    EXPECT_EQ(most.load(), threads) << "the helpers never ran at " << threads << " threads";
    for (const std::atomic<int>& v : visits) EXPECT_EQ(v.load(), 1);
  }
  set_num_threads(1);
}

TEST(Threads, GrainIsPerThreadAndChecked) {
  EXPECT_EQ(get_parallel_grain(), kDefaultParallelGrain);
  set_parallel_grain(5);
  int64_t seen_elsewhere = 0;
  std::thread([&] { seen_elsewhere = get_parallel_grain(); }).join();
  EXPECT_EQ(seen_elsewhere, kDefaultParallelGrain);
  EXPECT_THROW(set_parallel_grain(0), Error);
  EXPECT_EQ(get_parallel_grain(), 5);
  set_parallel_grain(kDefaultParallelGrain);
}

TEST(Threads, ThreadCountIsPerThreadAndChecked) {
  set_num_threads(2);
  int seen_elsewhere = 0;
  std::thread([&] { seen_elsewhere = get_num_threads(); }).join();
  EXPECT_EQ(seen_elsewhere, 1);
  EXPECT_THROW(set_num_threads(0), Error);
  EXPECT_EQ(get_num_threads(), 2);
  set_num_threads(1);
}

}  // namespace
}  // namespace minitorch
