// The op table: fuzz codes are pinned (corpus files name ops by them), and
// every column is consistent with the rest.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "minitorch/minitorch.h"

namespace minitorch {
namespace {

// Append-only: an existing op's code never changes, and a new op takes a
// code no op has had. Changing a line here changes what corpus files mean.
TEST(OpTable, FuzzCodesArePinned) {
  const std::map<std::string, int> pinned = {
      {"add", 0},
      {"sub", 1},
      {"mul", 2},
      {"div", 3},
      {"pow", 4},
      {"maximum", 5},
      {"minimum", 6},
      {"neg", 7},
      {"exp", 8},
      {"log", 9},
      {"sqrt", 10},
      {"abs", 11},
      {"tanh", 12},
      {"sigmoid", 13},
      {"relu", 14},
      {"clamp", 15},
      {"sum", 16},
      {"mean", 17},
      {"amax", 18},
      {"logsumexp", 19},
      {"matmul", 20},
      {"reshape", 21},
      {"transpose", 22},
      {"permute", 23},
      {"expand", 24},
      {"squeeze", 25},
      {"unsqueeze", 26},
      {"softmax", 27},
      {"log_softmax", 28},
      {"cross_entropy", 29},
      {"pow_scalar", 30},
      {"where", 31},
      {"to", 32},
      {"clone", 33},
      {"embedding", 34},
      {"embedding_backward", 35},
      {"slice", 36},
      {"narrow", 37},
      {"select", 38},
      {"index_select", 39},
      {"slice_backward", 40},
      {"index_select_backward", 41},
      {"cat", 42},
      {"stack", 43},
      {"gather", 44},
      {"gather_backward", 45},
      {"scatter_add", 46},
  };
  for (const auto& [name, code] : pinned) {
    const std::optional<Op> op = op_with_fuzz_code(code);
    ASSERT_TRUE(op.has_value()) << "no op has pinned code " << code << " (" << name << ")";
    EXPECT_EQ(op_name(*op), name) << "fuzz code " << code;
  }
  EXPECT_EQ(kFuzzCodeSpace, 64) << "the op byte is read modulo this: part of the byte format";
}

TEST(OpTable, CodesAreUniqueAndEveryOpHasOne) {
  std::set<int> codes;
  for (int i = 0; i < kNumOps; ++i) {
    const Op op = static_cast<Op>(i);
    const int code = op_fuzz_code(op);
    EXPECT_TRUE(codes.insert(code).second) << op_name(op) << " reuses code " << code;
    EXPECT_EQ(op_with_fuzz_code(code), op) << op_name(op);
  }
}

TEST(OpTable, NamesAreUniqueAndOperandCountsFitTheForm) {
  std::set<std::string> names;
  for (int i = 0; i < kNumOps; ++i) {
    const Op op = static_cast<Op>(i);
    EXPECT_TRUE(names.insert(op_name(op)).second) << op_name(op);
    const int operands = op_operands(op);
    if (op_form(op) == OpForm::kTensors) {
      EXPECT_TRUE(operands == 1 || operands == 2) << op_name(op);
    } else if (op_form(op) == OpForm::kClassTarget || op_form(op) == OpForm::kCondition ||
               op_form(op) == OpForm::kJoin || op_form(op) == OpForm::kScatterIndex) {
      EXPECT_EQ(operands, 2) << op_name(op);
    } else {
      EXPECT_EQ(operands, 1) << op_name(op);
    }
  }
}

}  // namespace
}  // namespace minitorch
