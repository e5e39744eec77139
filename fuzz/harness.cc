// The shared fuzz harness (see harness.h).
#include "fuzz/harness.h"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace minitorch::fuzz {

namespace {

struct Tally {
  int64_t pass = 0, fail = 0, inconclusive = 0;
  int64_t total() const { return pass + fail + inconclusive; }
};

// Process-wide counts: a fuzz target is its own process.
struct Counts {
  const char* target = nullptr;
  Tally inputs, entries;
  std::map<testing::Unjudged, int64_t> reasons;
};
Counts g_counts;

double percent(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

void print_tally(const char* what, const Tally& t) {
  std::fprintf(stderr, "%s verdicts: %-8s %lld pass, %lld fail, %lld inconclusive (%.2f%%)\n",
               g_counts.target, what, static_cast<long long>(t.pass),
               static_cast<long long>(t.fail), static_cast<long long>(t.inconclusive),
               percent(t.inconclusive, t.total()));
}

void print_counts() {
  print_tally("inputs", g_counts.inputs);
  print_tally("entries", g_counts.entries);
  for (const auto& [reason, n] : g_counts.reasons) {
    std::fprintf(stderr, "%s inconclusive entries: %lld %s\n", g_counts.target,
                 static_cast<long long>(n), testing::unjudged_name(reason));
  }
}

void add(Tally* t, GradcheckVerdict verdict, int64_t n) {
  switch (verdict) {
    case GradcheckVerdict::kPass:
      t->pass += n;
      break;
    case GradcheckVerdict::kFail:
      t->fail += n;
      break;
    case GradcheckVerdict::kInconclusive:
      t->inconclusive += n;
      break;
  }
}

}  // namespace

void count(const char* target, const testing::Judgement& j) {
  if (g_counts.target == nullptr) {
    g_counts.target = target;
    std::atexit(print_counts);
  }
  add(&g_counts.inputs, j.verdict, 1);
  add(&g_counts.entries, GradcheckVerdict::kPass, j.pass);
  add(&g_counts.entries, GradcheckVerdict::kFail, j.fail);
  add(&g_counts.entries, GradcheckVerdict::kInconclusive, j.inconclusive);
  for (const auto& [reason, n] : j.reasons) g_counts.reasons[reason] += n;
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

testing::Execution read_execution(ByteReader& in) {
  testing::Execution e;
  if (in.version() < 3) return e;
  e.threads = static_cast<int>(in.in_range(1, 3));
  const uint8_t grain = in.byte();
  e.grain = grain == 0 ? 0 : 1 + grain % 16;
  e.backward_calls = in.byte() % 4;
  e.cotangent = static_cast<testing::Execution::Cotangent>(in.in_range(0, 2));
  e.create_graph = in.flag();
  e.transposed_inputs = in.flag();
  if (in.version() < 4) return e;
  e.sliced_inputs = in.flag();
  const uint8_t in_place = in.byte();
  e.in_place = static_cast<testing::Execution::InPlace>(in_place % 5);
  e.in_place_input = in_place / 5;
  return e;
}

void check_gradients_as(DType dtype, const char* target, const testing::Program& program,
                        const std::vector<Tensor>& inputs, const testing::Execution& execution,
                        absl::Span<const uint8_t> bytes) {
  std::vector<Tensor> converted;
  for (const Tensor& x : inputs) converted.push_back(x.to(dtype));
  // MINITORCH_FUZZ_REPORT_INCONCLUSIVE=1: each inconclusive input's reasons
  // and reproducer on stderr (harness.h).
  static const bool report_inconclusive = [] {
    const char* flag = std::getenv("MINITORCH_FUZZ_REPORT_INCONCLUSIVE");
    return flag != nullptr && std::string(flag) == "1";
  }();
  const testing::Judgement j = testing::judge(
      program, converted, {.report_inconclusive = report_inconclusive, .execution = execution});
  count(target, j);
  if (j.verdict == GradcheckVerdict::kFail) fail(target, j.report, bytes);
  if (j.verdict == GradcheckVerdict::kInconclusive && report_inconclusive) {
    std::fprintf(stderr, "\n==== %s: INCONCLUSIVE ====\n%s\n", target, j.report.c_str());
  }
}

}  // namespace minitorch::fuzz
