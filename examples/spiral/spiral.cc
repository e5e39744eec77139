// A mini-batch classifier written as a LibTorch user writes one: a 3-class
// spiral of 300 points and an MLP in nn::Sequential with Dropout, Adam on
// shuffled batches of 32 with gradient clipping, a linear warm-up then
// cosine decay of the learning rate, a checkpoint every 50 epochs, and
// accuracy under no-grad in eval() mode.
//
// It then proves the checkpoints: a fresh model and optimizer load the
// epoch-100 checkpoint and train the last 50 epochs again, and their
// parameters must equal the uninterrupted run's bit for bit.
//
// Usage: spiral [CHECKPOINT_DIR]   (default: the system's temporary directory)
// Exits with 1 unless the training accuracy reaches 97% and the resumed run
// is bitwise the uninterrupted one.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "minitorch/minitorch.h"

using namespace minitorch;

namespace {

constexpr int64_t kPerClass = 100, kClasses = 3, kBatch = 32, kEpochs = 150;
constexpr int64_t kPoints = kPerClass * kClasses, kCheckpointEvery = 50, kWarmup = 10;

struct Spiral {
  Tensor inputs, targets;
};

// Class k's arm: point i at radius i / 100, turned by 4 k + 4 i / 100
// radians plus noise.
Spiral make_spiral() {
  manual_seed(0);
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
  return {tensor(xy, {kPoints, 2}, kFloat32), tensor(labels, {kPoints}, kInt64)};
}

// The model, its optimizer and its schedule, built as a fresh program
// would build them.
struct Trainer {
  nn::Sequential model{nn::Linear(2, 64), nn::ReLU(), nn::Dropout(0.1), nn::Linear(64, kClasses)};
  optim::Adam adam{model->parameters(), optim::AdamOptions(0.02)};
  optim::SequentialLR schedule{
      adam,
      {std::make_shared<optim::LinearLR>(adam, 0.1, 1.0, kWarmup),
       std::make_shared<optim::CosineAnnealingLR>(adam, kEpochs - kWarmup, 1e-4)},
      {kWarmup}};

  void save_to(const std::string& dir) const {
    save(model, dir + "/model.safetensors");
    save(adam, dir + "/adam.safetensors");
    save(schedule, dir + "/schedule.safetensors");
  }
  void load_from(const std::string& dir) {
    load(model, dir + "/model.safetensors");
    load(adam, dir + "/adam.safetensors");
    load(schedule, dir + "/schedule.safetensors");
  }

  // Trains epochs [first, last), saving a checkpoint into dir/epoch-N
  // after every kCheckpointEvery-th epoch.
  void train(const Spiral& data, int64_t first, int64_t last, const std::string& dir) {
    model->train();
    for (int64_t epoch = first; epoch < last; ++epoch) {
      // Each epoch's shuffle and dropout masks come from its own seed, so a
      // run resumed at any epoch draws what the uninterrupted run drew.
      manual_seed(1000 + static_cast<uint64_t>(epoch));
      const Tensor order = randperm(kPoints);
      for (int64_t start = 0; start < kPoints; start += kBatch) {
        const Tensor batch = order.narrow(0, start, std::min(kBatch, kPoints - start));
        const Tensor loss = cross_entropy(model(data.inputs.index_select(0, batch)),
                                          data.targets.index_select(0, batch));
        adam.zero_grad();
        loss.backward();
        nn::utils::clip_grad_norm_(model->parameters(), 1.0);
        adam.step();
      }
      schedule.step();
      if ((epoch + 1) % kCheckpointEvery == 0) {
        const std::string to = dir + "/epoch-" + std::to_string(epoch + 1);
        std::filesystem::create_directories(to);
        save_to(to);
      }
    }
  }

  double accuracy(const Spiral& data) {
    model->eval();  // Dropout off
    NoGradGuard no_grad;
    return model(data.inputs).argmax(1).eq(data.targets).to(kFloat32).mean().item();
  }
};

bool same_bits(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    const std::vector<double> x = a[i].to_vector(), y = b[i].to_vector();
    if (x.size() != y.size() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) != 0) {
      return false;
    }
  }
  return a.size() == b.size();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir =
      (argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::temp_directory_path()) /
      "minitorch_spiral";
  const Spiral data = make_spiral();

  Trainer run;
  run.train(data, 0, kEpochs, dir);
  const double accuracy = run.accuracy(data);
  std::printf("spiral: training accuracy %.1f%% after %lld epochs (lr now %.2e)\n", 100 * accuracy,
              static_cast<long long>(kEpochs), run.adam.param_groups()[0].options().get_lr());

  manual_seed(7);  // the fresh objects start from other weights
  Trainer resumed;
  resumed.load_from(dir + "/epoch-100");
  resumed.train(data, 100, kEpochs, dir + "/resumed");
  const bool bitwise = same_bits(resumed.model->parameters(), run.model->parameters());
  std::printf(
      "spiral: resumed from %s/epoch-100: final parameters %s\n", dir.c_str(),
      bitwise ? "bitwise equal to the uninterrupted run" : "DIFFER from the uninterrupted run");
  return accuracy >= 0.97 && bitwise ? 0 : 1;
}
