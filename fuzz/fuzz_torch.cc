// fuzz_torch: minitorch against LibTorch at float64 on the programs
// fuzz_graph decodes (fuzz/graph_decoder.h), with every value mode (NaN,
// inf, subnormals, -0) and to_dtype kept. Both libraries must agree on
//   - whether each step is an error at all (a call LibTorch rejects must
//     raise minitorch::Error, and the reverse);
//   - the forward value's shape, and each element's class (NaN, +inf, -inf,
//     finite) and value;
//   - every input gradient for one cotangent, the same way;
//   - where the execution changes an input in place between the forward
//     and the backward, whether the backward refuses (the version counter
//     saw a saved tensor change) and, where neither does, the gradients.
// Finite values agree within a relative 1e-7 of the element or of the
// tensor's largest element (1e-4 once the program computes in float32).
// Where only finite values differ beyond that, the verdict decides
// (testing/verdict.h): the two libraries round in different orders, so
// minitorch is cleared unless it fails against the exact reference. A
// disagreement that a row of docs/design.md's table of deliberate
// differences covers is counted under that row's key (testing/differences.h)
// instead of failing. minitorch runs with the execution's thread count and
// grain (harness.h); LibTorch on one thread.
//
// LibTorch runs behind testing/torch_bridge.h, compiled by g++.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fuzz/decoder.h"
#include "fuzz/graph_decoder.h"
#include "fuzz/harness.h"
#include "testing/differences.h"
#include "testing/torch_bridge.h"
#include "testing/verdict.h"

namespace {

using minitorch::Shape;
using minitorch::Tensor;
using minitorch::testing::Difference;
using minitorch::testing::Disagreement;
using minitorch::testing::OpCall;
using minitorch::testing::Program;
using minitorch::testing::RefArray;

// Process-wide counts, printed at exit.
struct Counts {
  int64_t programs = 0, agreed = 0, both_raised = 0;
  // Finite values that differed beyond the tolerance, minitorch's passing
  // the verdict against the exact reference.
  int64_t cleared_by_verdict = 0;
  int64_t steps = 0, steps_both_rejected = 0;
  std::map<std::string, int64_t> excused;  // by difference key
};
Counts g_counts;

void print_counts() {
  std::fprintf(
      stderr,
      "fuzz_torch: %lld programs: %lld agreed with LibTorch, %lld differed in finite values "
      "only with minitorch's passing the verdict, %lld raised in both; %lld steps, %lld "
      "rejected by both\n",
      static_cast<long long>(g_counts.programs), static_cast<long long>(g_counts.agreed),
      static_cast<long long>(g_counts.cleared_by_verdict),
      static_cast<long long>(g_counts.both_raised), static_cast<long long>(g_counts.steps),
      static_cast<long long>(g_counts.steps_both_rejected));
  for (const auto& [key, n] : g_counts.excused) {
    std::fprintf(stderr, "fuzz_torch: %lld excused by the deliberate difference %s\n",
                 static_cast<long long>(n), key.c_str());
  }
}

// A cotangent of varied magnitudes and signs, exact in float32.
Tensor cotangent_for(const Shape& shape) {
  std::vector<double> v(static_cast<size_t>(minitorch::numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = (i % 2 == 0 ? 1.0 : -1.0) * (1.0 + 0.25 * static_cast<double>(i % 5));
  }
  return minitorch::tensor(v, shape);
}

struct Run {
  std::optional<std::string> error;
  Tensor cotangent;  // of the forward's shape
  RefArray forward;
  std::vector<RefArray> grads;  // zeros where no gradient reached the input
};

Run run_minitorch(const Program& program, const std::vector<Tensor>& inputs,
                  const minitorch::testing::Execution& execution) {
  Run run;
  try {
    std::vector<Tensor> leaves;
    for (const Tensor& x : inputs) leaves.push_back(x.detach().clone().requires_grad_());
    const Tensor out = minitorch::testing::run_program(program, leaves);
    run.forward = minitorch::testing::to_ref(out);
    run.cotangent = cotangent_for(out.shape());
    if (execution.in_place != minitorch::testing::Execution::InPlace::kNone && !leaves.empty()) {
      minitorch::testing::change_in_place(
          leaves[static_cast<size_t>(execution.in_place_input) % leaves.size()],
          execution.in_place);
    }
    if (out.requires_grad()) out.backward(run.cotangent.to(out.dtype()));
    for (const Tensor& leaf : leaves) {
      run.grads.push_back(leaf.grad().defined()
                              ? minitorch::testing::to_ref(leaf.grad())
                              : minitorch::testing::to_ref(minitorch::zeros(leaf.shape())));
    }
  } catch (const minitorch::Error& e) {
    run.error = e.what();
  }
  return run;
}

// Whether two runs gave the same error, or the same bits in every value.
bool same_bits(const Run& a, const Run& b) {
  const auto same = [](const RefArray& x, const RefArray& y) {
    return x.shape == y.shape &&
           std::equal(x.values.begin(), x.values.end(), y.values.begin(), y.values.end(),
                      [](double u, double v) { return std::memcmp(&u, &v, sizeof u) == 0; });
  };
  if (a.error || b.error) return a.error == b.error;
  return same(a.forward, b.forward) && a.grads.size() == b.grads.size() &&
         std::equal(a.grads.begin(), a.grads.end(), b.grads.begin(), same);
}

bool computes_in_float32(const Program& program, const std::vector<Tensor>& inputs) {
  for (const Tensor& x : inputs) {
    if (x.dtype() == minitorch::kFloat32) return true;
  }
  for (const auto& step : program) {
    if (step.call.op == minitorch::Op::kToDtype) return true;
  }
  return false;
}

[[noreturn]] void fail(const std::string& what, const minitorch::fuzz::GraphCase& c,
                       absl::Span<const uint8_t> bytes) {
  const std::string report = absl::StrCat(
      what, "\nprogram:\n", minitorch::testing::describe(c.program, c.inputs.size()), "inputs:\n",
      minitorch::fuzz::describe_inputs(c.inputs),
      "execution: ", minitorch::testing::describe(c.execution), "\n",
      "reproducer (the program and inputs as hex floats, judged against the reference):\n",
      minitorch::testing::program_as_code(c.program, c.inputs));
  minitorch::fuzz::fail("fuzz_torch", report, bytes);
}

// LibTorch's messages carry a backtrace after their first line.
std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

std::string describe(const Disagreement& d) {
  return absl::StrFormat("%s differs at element %zu: minitorch %.17g, LibTorch %.17g", d.what,
                         d.index, d.mine, d.theirs);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = minitorch::fuzz::ByteReader::Open({data, size});
  if (!reader.ok()) return -1;
  static const bool registered = [] {
    minitorch::testing::check_differences_table();
    return std::atexit(print_counts) == 0;
  }();
  (void)registered;

  // Each step the decoder tries: LibTorch must refuse exactly what minitorch
  // refuses.
  std::optional<std::string> step_failure;
  minitorch::fuzz::GraphOptions options{.every_value_mode = true, .keep_to_dtype = true};
  options.on_step = [&](const OpCall& call, const std::vector<Tensor>& operands,
                        const std::optional<std::string>& mine) {
    ++g_counts.steps;
    if (step_failure) return;
    const std::optional<std::string> theirs = minitorch::testing::torch_rejection(call, operands);
    if (mine && theirs) ++g_counts.steps_both_rejected;
    if (mine.has_value() == theirs.has_value()) return;
    const minitorch::testing::StepCase c{call, operands, mine, theirs};
    if (const Difference* d = minitorch::testing::excusing_difference(c)) {
      ++g_counts.excused[d->key];
      return;
    }
    std::string operand_shapes;
    for (const Tensor& x : operands) absl::StrAppend(&operand_shapes, x.shape().to_string(), " ");
    step_failure =
        absl::StrCat(minitorch::testing::describe(call), " on operands of shapes ", operand_shapes,
                     mine ? "raised in minitorch only: " + *mine
                          : "raised in LibTorch only: " + first_line(*theirs));
  };
  const minitorch::fuzz::GraphCase c = minitorch::fuzz::decode_graph(*reader, options);
  if (step_failure) fail(*step_failure, c, {data, size});

  ++g_counts.programs;
  const auto run_with = [&](const minitorch::testing::Execution& execution) {
    const int threads = minitorch::get_num_threads();
    const int64_t grain = minitorch::get_parallel_grain();
    minitorch::set_num_threads(execution.threads);
    if (execution.grain > 0) minitorch::set_parallel_grain(execution.grain);
    Run run = run_minitorch(c.program, c.inputs, execution);
    minitorch::set_num_threads(threads);
    minitorch::set_parallel_grain(grain);
    return run;
  };
  const Run mine = run_with(c.execution);
  // (Where minitorch raised before its backward, the cotangent is undefined
  // and LibTorch takes ones.)
  const minitorch::testing::TorchOutcome theirs = minitorch::testing::torch_outcome(
      c.program, c.inputs, mine.cotangent, c.execution.in_place, c.execution.in_place_input);

  if (mine.error || theirs.error) {
    if (mine.error && theirs.error) {
      ++g_counts.both_raised;
      return 0;
    }
    minitorch::testing::ProgramCase pc{c.program, c.inputs, mine.error, theirs.error, {}};
    if (!mine.error && c.execution.in_place != minitorch::testing::Execution::InPlace::kNone) {
      minitorch::testing::Execution unchanged = c.execution;
      unchanged.in_place = minitorch::testing::Execution::InPlace::kNone;
      pc.in_place_change_unread = same_bits(mine, run_with(unchanged));
    }
    if (const Difference* d = minitorch::testing::excusing_difference(pc)) {
      ++g_counts.excused[d->key];
      return 0;
    }
    fail(mine.error ? "minitorch raised, LibTorch did not: " + *mine.error
                    : "LibTorch raised, minitorch did not: " + first_line(*theirs.error),
         c, {data, size});
  }

  const double rtol = computes_in_float32(c.program, c.inputs) ? 1e-4 : 1e-7;
  std::vector<Disagreement> disagreements =
      minitorch::testing::disagreements_between("forward", mine.forward, theirs.forward, rtol);
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const RefArray zeros{mine.grads[i].shape, std::vector<double>(mine.grads[i].values.size())};
    const std::vector<Disagreement> d =
        minitorch::testing::disagreements_between(absl::StrCat("gradient of v", i), mine.grads[i],
                                                  theirs.grads[i] ? *theirs.grads[i] : zeros, rtol);
    disagreements.insert(disagreements.end(), d.begin(), d.end());
  }
  if (disagreements.empty()) {
    ++g_counts.agreed;
    return 0;
  }
  // Finite values that differ (rounding in one order or the other, amplified
  // by cancellation) are asked of the verdict: minitorch against the exact
  // reference under its rounding model, which clears them unless it fails.
  // Differing classes (NaN, inf, shapes) must be a deliberate difference.
  std::vector<Disagreement> classes;
  for (const Disagreement& d : disagreements) {
    if (d.classes_differ) classes.push_back(d);
  }
  std::string verdict_report;
  bool values_cleared = classes.size() == disagreements.size();
  if (!values_cleared) {
    const minitorch::testing::Judgement j = minitorch::testing::judge(c.program, c.inputs);
    values_cleared = j.verdict != minitorch::GradcheckVerdict::kFail;
    if (!values_cleared) {
      verdict_report = "\nthe verdict against the exact reference fails too:\n" + j.report;
    }
  }
  const Difference* excuse =
      classes.empty() ? nullptr
                      : minitorch::testing::excusing_difference(minitorch::testing::ProgramCase{
                            c.program, c.inputs, mine.error, theirs.error, classes});
  if (values_cleared && (classes.empty() || excuse != nullptr)) {
    ++(classes.empty() ? g_counts.cleared_by_verdict : g_counts.excused[excuse->key]);
    return 0;
  }
  std::string what;
  for (size_t k = 0; k < disagreements.size() && k < 8; ++k) {
    absl::StrAppend(&what, describe(disagreements[k]), "\n");
  }
  fail(what + verdict_report, c, {data, size});
}
