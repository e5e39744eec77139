// tense_mlp: learns which of five tenses an English verb form is in
// ("to work", "works", "worked", "has worked", "will work"), from hashed
// character n-grams, with an MLP trained by minitorch.
//
// Prints one line per epoch, reports accuracy on regular verbs it never saw,
// writes the loss curve to tense_mlp_loss.csv and, when gnuplot is
// installed, to tense_mlp_loss.png.
//
// Usage: tense_mlp [--epochs=N] [--seed=S] [--out=DIR]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "tense_data.h"

ABSL_FLAG(int, epochs, 60, "training epochs");
ABSL_FLAG(uint64_t, seed, 7, "initialisation seed");
ABSL_FLAG(std::string, out, ".", "directory for the CSV and PNG loss curves");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  tense::TrainConfig config;
  config.epochs = absl::GetFlag(FLAGS_epochs);
  config.seed = absl::GetFlag(FLAGS_seed);
  const std::string out = absl::GetFlag(FLAGS_out);

  std::printf(
      "tense_mlp: %zu training forms (20 verbs), %zu held-out forms (unseen regular verbs)\n",
      tense::training_set().size(), tense::held_out_set().size());
  std::printf("%5s %9s %9s %9s %9s\n", "epoch", "loss", "train", "held-out", "ms");
  int epochs_to_90 = -1;
  double total_seconds = 0;
  const tense::TrainResult result = tense::train(config, [&](const tense::EpochStats& s) {
    std::printf("%5d %9.4f %8.1f%% %8.1f%% %9.2f\n", s.epoch, s.loss, 100 * s.train_accuracy,
                100 * s.held_out_accuracy, 1e3 * s.seconds);
    if (epochs_to_90 < 0 && s.train_accuracy > 0.9) epochs_to_90 = s.epoch;
    total_seconds += s.seconds;
  });
  const auto& history = result.history;
  for (const auto& [example, predicted] : result.held_out_mistakes) {
    std::printf("held-out mistake: \"%s\" is %s, predicted %s\n", example.text.c_str(),
                tense::kClassNames[example.label], tense::kClassNames[predicted]);
  }

  const std::string csv = out + "/tense_mlp_loss.csv";
  std::ofstream file(csv);
  file << "epoch,loss,train_accuracy,held_out_accuracy\n";
  for (const auto& s : history) {
    file << s.epoch << "," << s.loss << "," << s.train_accuracy << "," << s.held_out_accuracy
         << "\n";
  }
  file.close();
  std::printf(
      "training accuracy passed 90%% at epoch %d; final %.1f%% train, %.1f%% held-out; %.3f s "
      "training\n",
      epochs_to_90, 100 * history.back().train_accuracy, 100 * history.back().held_out_accuracy,
      total_seconds);
  std::printf("wrote %s\n", csv.c_str());

  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
    const std::string png = out + "/tense_mlp_loss.png";
    const std::string script =
        "set terminal png noenhanced size 800,480; set output '" + png +
        "'; set datafile separator ',';"
        "set title 'tense_mlp: cross-entropy loss and accuracy per epoch'; set xlabel 'epoch';"
        "set ylabel 'loss'; set y2label 'accuracy'; set y2range [0:1]; set ytics nomirror; set "
        "y2tics;"
        "set key center right;"
        "plot '" +
        csv +
        "' using 1:2 with lines lw 2 title 'loss',"
        " '' using 1:3 axes x1y2 with lines lw 2 title 'train accuracy',"
        " '' using 1:4 axes x1y2 with lines lw 2 dt 2 title 'held-out accuracy'";
    if (std::system(("gnuplot -e \"" + script + "\"").c_str()) == 0)
      std::printf("wrote %s\n", png.c_str());
  }
  return history.back().train_accuracy > 0.9 ? 0 : 1;
}
