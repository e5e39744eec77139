// A mini-batch classifier written as a LibTorch user writes one: a 3-class
// spiral of 300 points, a two-layer MLP, Adam on shuffled batches of 32
// (randperm + index_select), accuracy by argmax + eq + mean under no-grad.
// Exits with 1 unless the training accuracy reaches 97%.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "minitorch/minitorch.h"

using namespace minitorch;

int main() {
  manual_seed(0);
  constexpr int64_t kPerClass = 100, kClasses = 3, kBatch = 32, kEpochs = 150;
  constexpr int64_t kPoints = kPerClass * kClasses;
  // Class k's arm: point i at radius i / 100, turned by 4 k + 4 i / 100
  // radians plus noise.
  const std::vector<double> noise = (randn({kPoints}) * 0.2).to_vector();
  std::vector<double> xy, labels;
  for (int64_t k = 0; k < kClasses; ++k) {
    for (int64_t i = 0; i < kPerClass; ++i) {
      const double radius = static_cast<double>(i) / kPerClass;
      const double angle = 4.0 * static_cast<double>(k) + 4.0 * radius +
                           noise[static_cast<size_t>(k * kPerClass + i)];
      xy.push_back(radius * std::sin(angle));
      xy.push_back(radius * std::cos(angle));
      labels.push_back(static_cast<double>(k));
    }
  }
  const Tensor inputs = tensor(xy, {kPoints, 2}, kFloat32);
  const Tensor targets = tensor(labels, {kPoints}, kInt64);

  nn::Linear hidden(2, 64), output(64, kClasses);
  const auto model = [&](const Tensor& x) { return output(relu(hidden(x))); };
  std::vector<Tensor> parameters = hidden->parameters();
  for (const Tensor& p : output->parameters()) parameters.push_back(p);
  optim::Adam adam(parameters, optim::AdamOptions(0.01));

  for (int64_t epoch = 0; epoch < kEpochs; ++epoch) {
    const Tensor order = randperm(kPoints);
    for (int64_t start = 0; start < kPoints; start += kBatch) {
      const Tensor batch = order.narrow(0, start, std::min(kBatch, kPoints - start));
      const Tensor loss =
          cross_entropy(model(inputs.index_select(0, batch)), targets.index_select(0, batch));
      adam.zero_grad();
      loss.backward();
      adam.step();
    }
  }
  NoGradGuard no_grad;
  const double accuracy = model(inputs).argmax(1).eq(targets).to(kFloat32).mean().item();
  std::printf("spiral: training accuracy %.1f%% after %lld epochs\n", 100 * accuracy,
              static_cast<long long>(kEpochs));
  return accuracy >= 0.97 ? 0 : 1;
}
