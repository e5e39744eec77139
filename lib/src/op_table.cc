// Names and arities of the ops, generated from the op table.
#include "minitorch/op_table.h"

namespace minitorch {

namespace {

constexpr const char* kNames[] = {
#define MINITORCH_OP_NAME(id, name, arity) name,
    MINITORCH_FOR_EACH_OP(MINITORCH_OP_NAME)
#undef MINITORCH_OP_NAME
};
constexpr int kArities[] = {
#define MINITORCH_OP_ARITY(id, name, arity) arity,
    MINITORCH_FOR_EACH_OP(MINITORCH_OP_ARITY)
#undef MINITORCH_OP_ARITY
};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == kNumOps);

}  // namespace

const char* op_name(Op op) { return kNames[static_cast<int>(op)]; }
int op_arity(Op op) { return kArities[static_cast<int>(op)]; }

}  // namespace minitorch
