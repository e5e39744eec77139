// The tense data set and classifier of the tense_mlp example, as a library
// so the example and its test train the same model.
//
// Every verb appears in five forms, one per class: infinitive ("to work"),
// present third person ("works"), past simple ("worked"), past participle
// ("has worked"), future ("will work"). Training uses 12 regular and 8
// irregular verbs; held-out regular verbs test whether the model learned the
// pattern rather than the table.
#ifndef MINITORCH_EXAMPLES_TENSE_MLP_TENSE_DATA_H_
#define MINITORCH_EXAMPLES_TENSE_MLP_TENSE_DATA_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/minitorch.h"

namespace tense {

inline constexpr int kNumClasses = 5;
inline constexpr std::array<const char*, kNumClasses> kClassNames = {
    "infinitive", "present", "past", "participle", "future"};

struct Example {
  std::string text;  // "has written"
  int label;         // index into kClassNames
  std::string verb;  // "write"
};

// The five forms of a regular verb, spelled by English rules ("study" ->
// "studies", "studied"; "watch" -> "watches"; "like" -> "liked").
std::vector<Example> regular_forms(const std::string& verb);
std::vector<Example> training_set();  // 20 verbs x 5 forms
std::vector<Example> held_out_set();  // unseen regular verbs x 5 forms

// Character 1- to 3-grams of " text " (spaces mark the ends), hashed (FNV-1a)
// into `width` buckets as counts; one row per example.
minitorch::Tensor featurize(const std::vector<Example>& examples, int64_t width);
minitorch::Tensor labels(const std::vector<Example>& examples);

struct TrainConfig {
  int64_t feature_width = 256;
  int64_t hidden = 64;
  int epochs = 60;
  double learning_rate = 0.01;
  uint64_t seed = 7;
};

struct EpochStats {
  int epoch;
  double loss;
  double train_accuracy;
  double held_out_accuracy;
  double seconds;
  int64_t live_graph_nodes;  // after the epoch's backward and update
};

struct TrainResult {
  std::vector<EpochStats> history;
  // Held-out forms the final model gets wrong, with the predicted class.
  std::vector<std::pair<Example, int>> held_out_mistakes;
};

// Trains feature -> Linear -> ReLU -> Linear -> cross_entropy with Adam,
// full batch, calling `on_epoch` after every epoch. Deterministic for a
// fixed config.
TrainResult train(const TrainConfig& config,
                  const std::function<void(const EpochStats&)>& on_epoch = {});

}  // namespace tense

#endif  // MINITORCH_EXAMPLES_TENSE_MLP_TENSE_DATA_H_
