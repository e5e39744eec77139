// The op table: every op that records an autograd node, one entry each.
//
// MINITORCH_FOR_EACH_OP(X) calls X once per op with these columns:
//
//   id         the Op enumerator
//   name       what graph nodes, errors and test names call it
//   function   the free function that runs it, spelled as in LibTorch, so
//              the same token names minitorch::f and torch::f (the test
//              interpreters call it through the op's form)
//   operands   tensor operands taken from a program (constants excluded)
//   form       OpForm: the non-tensor arguments and how they are passed
//   family     OpFamily: what kind of op it is
//   kinks      OpKinks: where it is not differentiable
//   fuzz_code  the op's number in fuzz inputs: explicit and append-only, so
//              corpus files keep their meaning when ops are added (pinned by
//              OpTable.FuzzCodesArePinned; below kFuzzCodeSpace)
//
// The first kNumPublicOps entries are the differentiable ops of the public
// API; the rest are helpers that the public ops and backward formulas record.
// docs/design.md ("Adding an op") lists what else a new op needs: its public
// declaration, its forward and backward, and its registry reference.
//
// Example:
//   for (int i = 0; i < minitorch::kNumOps; ++i) {
//     auto op = static_cast<minitorch::Op>(i);
//     std::cout << minitorch::op_name(op) << "/" << minitorch::op_operands(op) << "\n";
//   }
#ifndef MINITORCH_OP_TABLE_H_
#define MINITORCH_OP_TABLE_H_

#include <cstdint>
#include <optional>

namespace minitorch {

// The non-tensor arguments of an op, and how a call passes them.
enum class OpForm : uint8_t {
  kTensors,       // f(a) or f(a, b): tensors only
  kReduceDims,    // f(x, dims, keepdim); f(x) for every dim without keepdim
  kDimsRequired,  // f(x, dims, keepdim), at least one dim
  kDim,           // f(x, dim)
  kOptionalDim,   // f(x) or f(x, dim)
  kDimPair,       // f(x, dim0, dim1)
  kShape,         // f(x, shape), one entry may be -1
  kExpandShape,   // f(x, shape), a broadcast of x's shape
  kPermutation,   // f(x, dims), a permutation of x's dims
  kClampBounds,   // f(x, min, max), either optional
  kExponent,      // f(x, double)
  kClassTarget,   // f(x, target): an int64 class-index constant or operand b
  kCondition,     // f(condition, a, b), the condition a constant
  kIndices,       // f(weight, indices), the indices an int64 constant
  kSlice,         // f(x, dim, start, end, step)
  kNarrow,        // f(x, dim, start, length)
  kDimIndex,      // f(x, dim, index)
  kDimIndices,    // f(x, dim, index), the index an int64 constant
  kJoin,          // f({a, b}, dim): a list of tensors (two in programs)
  kGatherIndex,   // f(x, dim, index), the index an int64 constant of x's rank
  kScatterIndex,  // f(x, dim, index, src), the index an int64 constant of x's rank
  kDtype,         // converts to the other float dtype
  kBackwardOnly,  // recorded by a backward formula; not callable
};

// What kind of op it is (suites pick their ops by family).
enum class OpFamily : uint8_t {
  kElementwise,  // unary, or binary with NumPy broadcasting
  kReduction,
  kMatmul,
  kView,        // moves metadata only: any dtype, shares storage
  kSoftmax,     // softmax, log_softmax and the loss built on them
  kSelection,   // where, embedding
  kConversion,  // dtype conversion, copies
  kJoining,     // cat, stack: several tensors into one
};

// Where an op is not differentiable. Finite differences must not straddle
// these points; the fuzzers' kink signature watches them.
enum class OpKinks : uint8_t {
  kNone,
  kAtZero,         // relu, abs: at x == 0
  kTies,           // maximum, minimum: at a == b
  kClampBounds,    // clamp: at x == min and x == max
  kTiesAlongDims,  // amax: equal maxima along the reduced dims
};

// clang-format off
#define MINITORCH_FOR_EACH_OP(X)                                                                \
  /* id            name                  function       operands form          family       kinks           fuzz_code */ \
  X(kAdd,          "add",                add,           2, kTensors,      kElementwise, kNone,          0)  \
  X(kSub,          "sub",                sub,           2, kTensors,      kElementwise, kNone,          1)  \
  X(kMul,          "mul",                mul,           2, kTensors,      kElementwise, kNone,          2)  \
  X(kDiv,          "div",                div,           2, kTensors,      kElementwise, kNone,          3)  \
  X(kPow,          "pow",                pow,           2, kTensors,      kElementwise, kNone,          4)  \
  X(kMaximum,      "maximum",            maximum,       2, kTensors,      kElementwise, kTies,          5)  \
  X(kMinimum,      "minimum",            minimum,       2, kTensors,      kElementwise, kTies,          6)  \
  X(kNeg,          "neg",                neg,           1, kTensors,      kElementwise, kNone,          7)  \
  X(kExp,          "exp",                exp,           1, kTensors,      kElementwise, kNone,          8)  \
  X(kLog,          "log",                log,           1, kTensors,      kElementwise, kNone,          9)  \
  X(kSqrt,         "sqrt",               sqrt,          1, kTensors,      kElementwise, kNone,          10) \
  X(kAbs,          "abs",                abs,           1, kTensors,      kElementwise, kAtZero,        11) \
  X(kTanh,         "tanh",               tanh,          1, kTensors,      kElementwise, kNone,          12) \
  X(kSigmoid,      "sigmoid",            sigmoid,       1, kTensors,      kElementwise, kNone,          13) \
  X(kRelu,         "relu",               relu,          1, kTensors,      kElementwise, kAtZero,        14) \
  X(kClamp,        "clamp",              clamp,         1, kClampBounds,  kElementwise, kClampBounds,   15) \
  X(kSum,          "sum",                sum,           1, kReduceDims,   kReduction,   kNone,          16) \
  X(kMean,         "mean",               mean,          1, kReduceDims,   kReduction,   kNone,          17) \
  X(kAmax,         "amax",               amax,          1, kReduceDims,   kReduction,   kTiesAlongDims, 18) \
  X(kLogsumexp,    "logsumexp",          logsumexp,     1, kDimsRequired, kReduction,   kNone,          19) \
  X(kMatmul,       "matmul",             matmul,        2, kTensors,      kMatmul,      kNone,          20) \
  X(kReshape,      "reshape",            reshape,       1, kShape,        kView,        kNone,          21) \
  X(kTranspose,    "transpose",          transpose,     1, kDimPair,      kView,        kNone,          22) \
  X(kPermute,      "permute",            permute,       1, kPermutation,  kView,        kNone,          23) \
  X(kExpand,       "expand",             expand,        1, kExpandShape,  kView,        kNone,          24) \
  X(kSqueeze,      "squeeze",            squeeze,       1, kOptionalDim,  kView,        kNone,          25) \
  X(kUnsqueeze,    "unsqueeze",          unsqueeze,     1, kDim,          kView,        kNone,          26) \
  X(kSoftmax,      "softmax",            softmax,       1, kDim,          kSoftmax,     kNone,          27) \
  X(kLogSoftmax,   "log_softmax",        log_softmax,   1, kDim,          kSoftmax,     kNone,          28) \
  X(kCrossEntropy, "cross_entropy",      cross_entropy, 2, kClassTarget,  kSoftmax,     kNone,          29) \
  X(kSlice,        "slice",              slice,         1, kSlice,        kView,        kNone,          36) \
  X(kNarrow,       "narrow",             narrow,        1, kNarrow,       kView,        kNone,          37) \
  X(kSelect,       "select",             select,        1, kDimIndex,     kView,        kNone,          38) \
  X(kIndexSelect,  "index_select",       index_select,  1, kDimIndices,   kSelection,   kNone,          39) \
  X(kCat,          "cat",                cat,           2, kJoin,         kJoining,     kNone,          42) \
  X(kStack,        "stack",              stack,         2, kJoin,         kJoining,     kNone,          43) \
  X(kGather,       "gather",             gather,        1, kGatherIndex,  kSelection,   kNone,          44) \
  X(kScatterAdd,   "scatter_add",        scatter_add,   2, kScatterIndex, kSelection,   kNone,          46) \
  /* helpers, not counted in kNumPublicOps */                                                    \
  X(kPowScalar,    "pow_scalar",         pow,           1, kExponent,     kElementwise, kNone,          30) \
  X(kWhere,        "where",              where,         2, kCondition,    kSelection,   kNone,          31) \
  X(kToDtype,      "to",                 to,            1, kDtype,        kConversion,  kNone,          32) \
  X(kClone,        "clone",              clone,         1, kTensors,      kConversion,  kNone,          33) \
  X(kEmbedding,    "embedding",          embedding,     1, kIndices,      kSelection,   kNone,          34) \
  X(kEmbeddingBackward, "embedding_backward", embedding, 1, kBackwardOnly, kSelection,  kNone,          35) \
  X(kSliceBackward, "slice_backward",    slice,         1, kBackwardOnly, kView,        kNone,          40) \
  X(kIndexSelectBackward, "index_select_backward", index_select, 1, kBackwardOnly, kSelection, kNone, 41) \
  X(kGatherBackward, "gather_backward",  gather,        1, kBackwardOnly, kSelection,   kNone,          45)
// clang-format on

// An int, not a byte: clang assumes a caller widens an argument narrower
// than int to 32 bits and g++ does not, so an Op passed from g++-compiled
// code (the LibTorch bridge, testing/torch_bridge.cc) into clang-compiled
// code would arrive with garbage in its upper bits.
enum class Op : int {
#define MINITORCH_OP_ENUM(id, ...) id,
  MINITORCH_FOR_EACH_OP(MINITORCH_OP_ENUM)
#undef MINITORCH_OP_ENUM
};

inline constexpr int kNumOps = 0
#define MINITORCH_OP_COUNT(...) +1  // NOLINT(bugprone-macro-parentheses): a token
    MINITORCH_FOR_EACH_OP(MINITORCH_OP_COUNT)
#undef MINITORCH_OP_COUNT
    ;
inline constexpr int kNumPublicOps = 38;
static_assert(kNumOps == 47, "op table changed: update kNumPublicOps");
static_assert(static_cast<int>(Op::kPowScalar) == kNumPublicOps,
              "public ops must come first in MINITORCH_FOR_EACH_OP");

// Fuzz codes live in [0, kFuzzCodeSpace): a fuzz input's op byte is read
// modulo this (fuzz/decoder.h), so it is part of the byte format.
inline constexpr int kFuzzCodeSpace = 64;

const char* op_name(Op op);
// The public function's name: what the op's error messages start with.
const char* op_function_name(Op op);
int op_operands(Op op);
OpForm op_form(Op op);
OpFamily op_family(Op op);
OpKinks op_kinks(Op op);
int op_fuzz_code(Op op);
// The op with fuzz code `code`, if any.
std::optional<Op> op_with_fuzz_code(int code);

}  // namespace minitorch

#endif  // MINITORCH_OP_TABLE_H_
