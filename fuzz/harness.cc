// The shared fuzz harness (see harness.h).
#include "fuzz/harness.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace minitorch::fuzz {

namespace {

// Process-wide counts: a fuzz target is its own process.
struct Counts {
  const char* target = nullptr;
  int64_t pass = 0, fail = 0, inconclusive = 0;
};
Counts g_counts;

void print_counts() {
  std::fprintf(stderr, "%s verdicts: %lld pass, %lld fail, %lld inconclusive\n", g_counts.target,
               static_cast<long long>(g_counts.pass), static_cast<long long>(g_counts.fail),
               static_cast<long long>(g_counts.inconclusive));
}

}  // namespace

void count(const char* target, GradcheckVerdict verdict) {
  if (g_counts.target == nullptr) {
    g_counts.target = target;
    std::atexit(print_counts);
  }
  switch (verdict) {
    case GradcheckVerdict::kPass:
      ++g_counts.pass;
      break;
    case GradcheckVerdict::kFail:
      ++g_counts.fail;
      break;
    case GradcheckVerdict::kInconclusive:
      ++g_counts.inconclusive;
      break;
  }
}

std::string describe_inputs(const std::vector<Tensor>& inputs) {
  std::string out;
  for (size_t i = 0; i < inputs.size(); ++i) {
    absl::StrAppend(&out, "v", i, " = tensor({");
    const std::vector<double> values = inputs[i].to_vector();
    for (size_t k = 0; k < values.size(); ++k)
      absl::StrAppend(&out, k ? ", " : "", absl::StrFormat("%.17g", values[k]));
    absl::StrAppend(&out, "}, ", inputs[i].shape().to_string(), ")\n");
  }
  return out;
}

void fail(const char* target, const std::string& what, absl::Span<const uint8_t> bytes) {
  std::string hex;
  for (uint8_t b : bytes) absl::StrAppend(&hex, absl::StrFormat("%02x", b));
  std::fprintf(stderr, "\n==== %s: FAILURE ====\n%s\ninput bytes (%zu): %s\n", target, what.c_str(),
               bytes.size(), hex.c_str());
  std::abort();
}

void check_gradients(const char* target, const testing::Program& program,
                     const std::vector<Tensor>& inputs, absl::Span<const uint8_t> bytes) {
  GradcheckOptions options;
  // MINITORCH_FUZZ_BASIC_VERDICT=1 judges with the basic check instead, to
  // compare the two verdicts over a corpus (the basic one cries wolf).
  options.error_bounded = std::getenv("MINITORCH_FUZZ_BASIC_VERDICT") == nullptr;
  options.branches = [&](const std::vector<Tensor>& x) {
    return testing::kink_signature(program, x);
  };
  // A full Jacobian costs one backward per output element. Past
  // kMaxCheckedOutputs, check a random projection sum(w * f(x)) instead: a
  // wrong entry changes it unless w happens to cancel it, which a random w
  // does not.
  constexpr int64_t kMaxCheckedOutputs = 64;
  Shape out_shape;
  {
    NoGradGuard no_grad;
    out_shape = testing::run_program(program, inputs).shape();
  }
  const bool project = numel(out_shape) > kMaxCheckedOutputs;
  const Tensor weights = project ? randn(out_shape, 0xF0221) : Tensor();
  const GradcheckResult r = gradcheck(
      [&](const std::vector<Tensor>& x) {
        const Tensor y = testing::run_program(program, x);
        return project ? sum(y * weights) : y;
      },
      inputs, options);
  count(target, r.verdict);
  if (r.verdict == GradcheckVerdict::kFail && options.error_bounded) {
    fail(target,
         absl::StrCat("program:\n", testing::describe(program, inputs.size()), "inputs:\n",
                      describe_inputs(inputs),
                      project ? "checked: sum(w * result), w = randn(seed 0xF0221)\n" : "",
                      r.message),
         bytes);
  }
}

}  // namespace minitorch::fuzz
