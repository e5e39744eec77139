// The op table: every op that records an autograd node, in one place.
//
// MINITORCH_FOR_EACH_OP(X) calls X(Id, "name", arity) once per op, where
// arity counts tensor operands. It yields the Op enum, op_name() and
// op_arity(); tests, fuzzers and benchmarks enumerate ops from it, and every
// graph node carries its Op so errors and grad_fn_name() can name it.
//
// The first kNumPublicOps entries are the differentiable ops of the public
// API; the rest are helpers that the public ops and backward formulas record.
//
// Example:
//   for (int i = 0; i < minitorch::kNumOps; ++i) {
//     auto op = static_cast<minitorch::Op>(i);
//     std::cout << minitorch::op_name(op) << "/" << minitorch::op_arity(op) << "\n";
//   }
#ifndef MINITORCH_OP_TABLE_H_
#define MINITORCH_OP_TABLE_H_

#include <cstdint>

namespace minitorch {

#define MINITORCH_FOR_EACH_OP(X)   \
  X(kAdd, "add", 2)                \
  X(kSub, "sub", 2)                \
  X(kMul, "mul", 2)                \
  X(kDiv, "div", 2)                \
  X(kPow, "pow", 2)                \
  X(kMaximum, "maximum", 2)        \
  X(kMinimum, "minimum", 2)        \
  X(kNeg, "neg", 1)                \
  X(kExp, "exp", 1)                \
  X(kLog, "log", 1)                \
  X(kSqrt, "sqrt", 1)              \
  X(kAbs, "abs", 1)                \
  X(kTanh, "tanh", 1)              \
  X(kSigmoid, "sigmoid", 1)        \
  X(kRelu, "relu", 1)              \
  X(kClamp, "clamp", 1)            \
  X(kSum, "sum", 1)                \
  X(kMean, "mean", 1)              \
  X(kAmax, "amax", 1)              \
  X(kLogsumexp, "logsumexp", 1)    \
  X(kMatmul, "matmul", 2)          \
  X(kReshape, "reshape", 1)        \
  X(kTranspose, "transpose", 1)    \
  X(kPermute, "permute", 1)        \
  X(kExpand, "expand", 1)          \
  X(kSqueeze, "squeeze", 1)        \
  X(kUnsqueeze, "unsqueeze", 1)    \
  X(kSoftmax, "softmax", 1)        \
  X(kLogSoftmax, "log_softmax", 1) \
  X(kCrossEntropy, "cross_entropy", 2) \
  /* helpers, not counted in kNumPublicOps */ \
  X(kPowScalar, "pow_scalar", 1)   \
  X(kWhere, "where", 3)            \
  X(kToDtype, "to", 1)             \
  X(kClone, "clone", 1)            \
  X(kEmbedding, "embedding", 1)    \
  X(kEmbeddingBackward, "embedding_backward", 1)

enum class Op : uint8_t {
#define MINITORCH_OP_ENUM(id, name, arity) id,
  MINITORCH_FOR_EACH_OP(MINITORCH_OP_ENUM)
#undef MINITORCH_OP_ENUM
};

inline constexpr int kNumOps = 0
#define MINITORCH_OP_COUNT(id, name, arity) +1  // NOLINT(bugprone-macro-parentheses): a token
    MINITORCH_FOR_EACH_OP(MINITORCH_OP_COUNT)
#undef MINITORCH_OP_COUNT
    ;
inline constexpr int kNumPublicOps = 30;
static_assert(kNumOps == 36, "op table changed: update kNumPublicOps and the docs' op list");
static_assert(static_cast<int>(Op::kPowScalar) == kNumPublicOps,
              "public ops must come first in MINITORCH_FOR_EACH_OP");

const char* op_name(Op op);
int op_arity(Op op);

}  // namespace minitorch

#endif  // MINITORCH_OP_TABLE_H_
