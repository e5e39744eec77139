// The deliberate differences from LibTorch that fuzz_torch and the oracle
// tests may meet. Their one list is the table "Deliberate differences from
// LibTorch" in docs/design.md: the build reads that table's keys (first
// column, testing/difference_keys.sh), and a difference excuses a
// disagreement only while its key is in the table. Each key the table names here has a predicate
// that recognises the case; a key without one is a build error caught at the first input
// (check_differences_table).
#ifndef MINITORCH_TESTING_DIFFERENCES_H_
#define MINITORCH_TESTING_DIFFERENCES_H_

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "minitorch/minitorch.h"
#include "testing/op_call.h"
#include "testing/reference.h"

namespace minitorch::testing {

// One step that one library refused and the other accepted.
struct StepCase {
  const OpCall& call;
  const std::vector<Tensor>& operands;
  const std::optional<std::string>& mine;    // minitorch's error
  const std::optional<std::string>& theirs;  // LibTorch's error
};

// NaN (0), -inf (1), +inf (2) or finite (3): the classes every comparison
// with LibTorch or the reference matches exactly.
template <class T>
int value_class(T v) {
  if (std::isnan(v)) return 0;
  if (std::isinf(v)) return v < 0 ? 1 : 2;
  return 3;
}

// An element where the two libraries' values of one tensor differ.
struct Disagreement {
  std::string what;  // "forward", "gradient of v0", with " shape" if the shapes differ
  size_t index = 0;
  double mine = 0, theirs = 0;
  bool classes_differ = false;  // shape, or NaN / +inf / -inf / finite
};

// Where `mine` and `theirs`, the values of one tensor named `what`, differ:
// the shapes, or every element of another class; where no class differs, the
// first finite value off by more than rtol of the element or of theirs'
// largest finite element (rtol = inf: classes only).
std::vector<Disagreement> disagreements_between(const std::string& what, const RefArray& mine,
                                                const RefArray& theirs, double rtol);

// A program that raised in one library only (its forward and backward run
// as a whole), or whose values or gradients differ.
struct ProgramCase {
  const Program& program;
  const std::vector<Tensor>& inputs;
  const std::optional<std::string>& mine;    // minitorch's error
  const std::optional<std::string>& theirs;  // LibTorch's error
  const std::vector<Disagreement>& disagreements;
  // An input was changed in place between the forward and the backward,
  // and minitorch's forward and gradients are bitwise those of the run
  // without the change (it read nothing the change touched).
  bool in_place_change_unread = false;
};

struct Difference {
  const char* key;
  bool (*excuses_step)(const StepCase&);        // nullptr: never
  bool (*excuses_program)(const ProgramCase&);  // nullptr: never
};

// The first difference in the table that covers the case, or nullptr.
const Difference* excusing_difference(const StepCase& c);
const Difference* excusing_difference(const ProgramCase& c);

// Aborts, naming the key, if a keyed row of the table has no predicate here.
void check_differences_table();

// The keys of docs/design.md's table, as the build read them.
std::vector<std::string> documented_difference_keys();

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTING_DIFFERENCES_H_
