// The verdict: minitorch's forward values and reverse-mode gradients of a
// Program against the reference AD (testing/reference.h), with a stated
// rounding model and finite differences as the third opinion.
//
// Three opinions:
//   1. minitorch: y = program(x) and g = J^T v by backward, for every row of
//      the Jacobian when the output is small (unit cotangents), else for a
//      random cotangent v;
//   2. the reference: the same program in forward mode over
//      Dual<long double, K>, which gives the exact columns of J (no step
//      size; 64-bit mantissa, exponent range to 1e4932);
//   3. error-bounded finite differences (gradcheck), asked only where the
//      first two disagree; the report says what it found. The reference
//      decides: finite differences are far less precise, so their pass
//      cannot clear a gradient the exact reference rejects.
//
// Rounding model (docs/design.md, "The verdict"): an entry g of J^T v passes
// when |g - G| <= 4 s + (4 (L + 1) + N) u A + 2 u |G|, where G is the exact
// reference value, u the working precision's unit roundoff, L the program's
// steps, N its largest tensor, A the entry recomputed with the absolute value
// of every partial and term (Dual's magnitudes), and s the spread of G over
// two rounded reference runs: one in the working precision itself, one with
// every step's result perturbed by up to an ulp. Non-finite expectations are
// compared by pattern (NaN, +inf, -inf): when every value of the forward
// pass is finite, a NaN where the reference is finite fails. (Once the
// forward holds NaN or inf, where a NaN reaches a gradient depends on how
// each backward masks - LibTorch selects where minitorch multiplies by 0 -
// so a differing pattern there is inconclusive.) At exact ties and bounds the reference takes
// LibTorch's subgradient, so a wrong choice fails.
//
// Where rounding moves minitorch's forward off the exact point (the spread
// leaves an entry no digit, or its rounded values take another branch),
// the entry is judged at minitorch's forward point instead: the reference
// with every step's result replaced by minitorch's value of it, bounded by
// the backward's rounding alone.
#ifndef MINITORCH_TESTING_VERDICT_H_
#define MINITORCH_TESTING_VERDICT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "minitorch/minitorch.h"
#include "testing/op_call.h"
#include "testing/reference.h"

namespace minitorch::testing {

// Why an entry could not be judged.
enum class Unjudged {
  kOverflow,            // overflow: minitorch non-finite where a rounded run is too, or NaN for inf
  kNoDigits,            // the rounding model allows an error of half the value or more
  kSpreadNotFinite,     // a rounded reference run is non-finite where the exact one is not
  kNonFiniteForward,    // NaN or inf in the forward pass, and the patterns differ
  kInfinitePartial,     // a path through a NaN or infinite partial, and the patterns differ
  kOtherBranch,         // minitorch's rounded values take another branch at a kink (amax, relu,
                        // clamp, ...) than the exact ones, an entry differs, and minitorch's
                        // forward point holds a NaN or inf
  kGradientOutOfRange,  // the gradient of some value the program computes overflows or
                        // underflows the working range, and an entry differs
  kSecondOrderNotFinite,  // the double backward's check: a term is NaN or infinite (an
                          // infinite second derivative, pow's conventions at 0)
  kOverflowOrder,         // a step's exact value overflows, minitorch's (a sum in another order)
                          // to another infinity or none, and an entry differs
  kExponentArgument,      // rounding moves an exponential's argument by 1 or more, or a
                          // softmax's weights by a quarter (first-order bounds stop holding),
                          // and an entry differs
};
const char* unjudged_name(Unjudged reason);

struct Judgement {
  GradcheckVerdict verdict = GradcheckVerdict::kPass;
  // Entries of J^T v judged (one per judged input element and cotangent),
  // plus the random-direction check, plus (create_graph executions) the
  // double backward's check; forward values are checked, not counted.
  int64_t pass = 0, fail = 0, inconclusive = 0;
  std::map<Unjudged, int64_t> reasons;  // inconclusive entries by reason
  // On a failure: what differs, what each opinion says, the program, the
  // inputs as hex floats and a GoogleTest body that reproduces it. On an
  // inconclusive judgement, with JudgeOptions::report_inconclusive: the
  // reasons, the program and the reproducer.
  std::string report;
};

// How minitorch runs the program. The default is the plain way: one thread,
// the library's grain, gradients by grad() from a cotangent of its own. The
// run judged against the reference is one thread and grad() with the
// cotangent, create_graph and inputs' layout as the execution says; a run
// with other threads, grain or
// backward calls must then give its results bit for bit: the same forward
// values, and in each leaf's .grad() after n backward() calls the judged
// gradient added n times. The caller's cotangent tensors must be unchanged
// afterwards (a leaf that kept the caller's storage as its .grad() would
// add into it).
struct Execution {
  int threads = 1;    // set_num_threads
  int64_t grain = 0;  // set_parallel_grain; 0 for the library's default
  // 0: gradients by grad(); n >= 1: backward() n times, accumulating into
  // the leaves' .grad().
  int backward_calls = 0;
  enum class Cotangent {
    kOwn,          // a tensor of its own
    kReshapeView,  // a reshape view of a flat tensor the caller keeps
    kExpandView,   // an expand view of one the caller keeps, leading dim 1
  };
  Cotangent cotangent = Cotangent::kOwn;
  // The backward recorded (create_graph): every op's backward composed from
  // differentiable tensor ops instead of its fused kernel.
  bool create_graph = false;
  // Every input of rank 2 or more handed in as a transposed view of a
  // tensor stored with its last two dims swapped: a non-contiguous leaf,
  // so every kernel's strided path is taken.
  bool transposed_inputs = false;
  // Every input handed in as every other element of a buffer twice its size,
  // from the second (x[..., 1::2] of a wider tensor): a leaf with strides of
  // 2 and an offset, whose gaps hold NaN, so a kernel that ignores either
  // reads NaN. With transposed_inputs, the stored tensor is the sliced one.
  bool sliced_inputs = false;
  // Between the forward and the backward, input `in_place_input` (modulo the
  // input count) changed by an in-place op under NoGradGuard, as an
  // optimizer step would change a parameter. The backward must then throw
  // minitorch's error for a saved tensor modified in place (the version
  // counter saw the change), or not read that input at all: gradients of
  // the same bits as without the change.
  enum class InPlace { kNone, kAdd, kMul, kCopy, kFill };
  InPlace in_place = InPlace::kNone;
  int in_place_input = 0;

  bool is_plain() const {
    return runs_as_judged() && cotangent == Cotangent::kOwn && !create_graph &&
           !transposed_inputs && !sliced_inputs;
  }
  // The judged run (one thread, grad()) takes the cotangent, create_graph and
  // layouts as given; only threads, grain, backward() calls and an in-place
  // change ask for a run of their own.
  bool runs_as_judged() const {
    return threads == 1 && grain == 0 && backward_calls == 0 && in_place == InPlace::kNone;
  }
};

// Whether `program` mixes float32 and float64: a to_dtype step, or inputs
// of both dtypes.
bool mixes_dtypes(const Program& program, const std::vector<Tensor>& inputs);

// The execution's in-place change of `leaf`, under NoGradGuard as an
// optimizer step between forward and backward. Each op changes every value
// it can (fill_ all of them; add_ all but those it is absorbed by).
// testing/torch_bridge.cc makes the same change in LibTorch.
void change_in_place(Tensor& leaf, Execution::InPlace kind);

// "3 threads, grain 5, backward() x2, cotangent as an expand view".
std::string describe(const Execution& execution);

struct JudgeOptions {
  uint64_t seed = 0x5eed;
  // Input elements whose column of J is computed exactly; beyond it a seeded
  // sample, plus a random direction over all inputs.
  int max_columns = 30;
  // Outputs up to this many: every row of J (one backward each).
  int64_t max_full_rows = 4;
  bool third_opinion = true;
  // An inconclusive judgement gets a report too: its reasons, the program and
  // a reproducer, to see what the verdict cannot judge and why.
  bool report_inconclusive = false;
  Execution execution;
};

// How minitorch computes the program (run_program; tests pass a wrong one to
// check the verdict sees it).
using ProgramRunner = std::function<Tensor(const Program&, const std::vector<Tensor>&)>;

// Judges `program` on `inputs` (float32 or float64; every input is
// differentiated). An Error minitorch raises on the way (a backward that
// builds a gradient of the wrong shape) is a failure, with the report.
Judgement judge(const Program& program, const std::vector<Tensor>& inputs,
                const JudgeOptions& options = {}, const ProgramRunner& run = run_program);

// The reference AD's own answer: the forward value and the gradient of
// sum(cotangent * program(x)) for every input, exact then rounded to double.
struct ReferenceResult {
  RefArray forward;
  std::vector<RefArray> grads;
};
ReferenceResult reference_vjp(const Program& program, const std::vector<Tensor>& inputs,
                              const Tensor& cotangent);

// The program and inputs as C++ (values as hex floats), for reproducers; a
// GoogleTest body that judges them under `execution`.
std::string program_as_code(const Program& program, const std::vector<Tensor>& inputs,
                            const Execution& execution = {});

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTING_VERDICT_H_
