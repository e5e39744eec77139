// The tense data set and classifier (see tense_data.h).
#include "tense_data.h"

#include <chrono>

namespace tense {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_vowel(char c) { return std::string("aeiou").find(c) != std::string::npos; }

std::string third_person(const std::string& v) {
  if (ends_with(v, "y") && v.size() > 1 && !is_vowel(v[v.size() - 2]))
    return v.substr(0, v.size() - 1) + "ies";
  for (const char* s : {"s", "sh", "ch", "x", "z", "o"}) {
    if (ends_with(v, s)) return v + "es";
  }
  return v + "s";
}

std::string past(const std::string& v) {
  if (ends_with(v, "e")) return v + "d";
  if (ends_with(v, "y") && v.size() > 1 && !is_vowel(v[v.size() - 2]))
    return v.substr(0, v.size() - 1) + "ied";
  return v + "ed";
}

std::vector<Example> forms(const std::string& verb, const std::string& present,
                           const std::string& past_simple, const std::string& participle) {
  return {{"to " + verb, 0, verb},
          {present, 1, verb},
          {past_simple, 2, verb},
          {"has " + participle, 3, verb},
          {"will " + verb, 4, verb}};
}

// 64-bit FNV-1a.
uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::vector<Example> regular_forms(const std::string& verb) {
  return forms(verb, third_person(verb), past(verb), past(verb));
}

std::vector<Example> training_set() {
  std::vector<Example> out;
  for (const char* verb : {"work", "play", "walk", "talk", "listen", "watch", "study", "finish",
                           "start", "look", "want", "like"}) {
    for (Example& e : regular_forms(verb)) out.push_back(e);
  }
  const std::vector<std::array<const char*, 4>> irregular = {
      {"be", "is", "was", "been"},       {"have", "has", "had", "had"},
      {"do", "does", "did", "done"},     {"go", "goes", "went", "gone"},
      {"come", "comes", "came", "come"}, {"see", "sees", "saw", "seen"},
      {"eat", "eats", "ate", "eaten"},   {"write", "writes", "wrote", "written"},
  };
  for (const auto& [verb, present, past_simple, participle] : irregular) {
    for (Example& e : forms(verb, present, past_simple, participle)) out.push_back(e);
  }
  return out;
}

std::vector<Example> held_out_set() {
  std::vector<Example> out;
  for (const char* verb : {"jump", "call", "open", "help", "clean", "cook", "paint", "climb",
                           "visit", "kick", "push", "carry", "wash", "smile", "dance", "travel"}) {
    for (Example& e : regular_forms(verb)) out.push_back(e);
  }
  return out;
}

minitorch::Tensor featurize(const std::vector<Example>& examples, int64_t width) {
  std::vector<double> counts(examples.size() * static_cast<size_t>(width), 0.0);
  for (size_t i = 0; i < examples.size(); ++i) {
    const std::string padded = " " + examples[i].text + " ";
    for (size_t n = 1; n <= 3; ++n) {
      for (size_t p = 0; p + n <= padded.size(); ++p) {
        const uint64_t bucket = fnv1a(padded.substr(p, n)) % static_cast<uint64_t>(width);
        counts[i * static_cast<size_t>(width) + bucket] += 1.0;
      }
    }
  }
  return minitorch::tensor(counts, {static_cast<int64_t>(examples.size()), width},
                           minitorch::kFloat32);
}

minitorch::Tensor labels(const std::vector<Example>& examples) {
  std::vector<double> y;
  for (const Example& e : examples) y.push_back(e.label);
  return minitorch::tensor(y, {static_cast<int64_t>(examples.size())}, minitorch::kInt64);
}

namespace {

std::vector<int> predictions(const minitorch::Tensor& logits) {
  const std::vector<double> l = logits.to_vector();
  std::vector<int> out;
  for (size_t i = 0; i < l.size() / kNumClasses; ++i) {
    int best = 0;
    for (int c = 1; c < kNumClasses; ++c) {
      if (l[i * kNumClasses + c] > l[i * kNumClasses + best]) best = c;
    }
    out.push_back(best);
  }
  return out;
}

double accuracy(const minitorch::Tensor& logits, const std::vector<Example>& examples) {
  const std::vector<int> predicted = predictions(logits);
  int correct = 0;
  for (size_t i = 0; i < examples.size(); ++i) correct += predicted[i] == examples[i].label;
  return static_cast<double>(correct) / static_cast<double>(examples.size());
}

}  // namespace

TrainResult train(const TrainConfig& config,
                  const std::function<void(const EpochStats&)>& on_epoch) {
  using namespace minitorch;
  const std::vector<Example> train_examples = training_set();
  const std::vector<Example> held_out = held_out_set();
  const Tensor x = featurize(train_examples, config.feature_width);
  const Tensor y = labels(train_examples);
  const Tensor x_held = featurize(held_out, config.feature_width);

  nn::Linear hidden(nn::LinearOptions(config.feature_width, config.hidden).seed(config.seed));
  nn::Linear output(nn::LinearOptions(config.hidden, kNumClasses).seed(config.seed + 100));
  std::vector<Tensor> params = hidden->parameters();
  for (const Tensor& p : output->parameters()) params.push_back(p);
  optim::Adam adam(params, optim::AdamOptions(config.learning_rate));
  const auto model = [&](const Tensor& input) { return output(relu(hidden(input))); };

  TrainResult result;
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    adam.zero_grad();
    const Tensor logits = model(x);
    const Tensor loss = cross_entropy(logits, y);
    loss.backward();
    adam.step();
    EpochStats stats{epoch, loss.item(), 0, 0, 0, 0};
    {
      NoGradGuard no_grad;
      stats.train_accuracy = accuracy(logits, train_examples);
      stats.held_out_accuracy = accuracy(model(x_held), held_out);
    }
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    stats.live_graph_nodes = live_graph_nodes();
    result.history.push_back(stats);
    if (on_epoch) on_epoch(stats);
  }
  NoGradGuard no_grad;
  const std::vector<int> predicted = predictions(model(x_held));
  for (size_t i = 0; i < held_out.size(); ++i) {
    if (predicted[i] != held_out[i].label)
      result.held_out_mistakes.emplace_back(held_out[i], predicted[i]);
  }
  return result;
}

}  // namespace tense
