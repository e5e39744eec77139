// Reading an op call from fuzz bytes: the parameters each OpForm takes,
// shared by the targets that draw ops from the op table (fuzz_graph,
// fuzz_api), so a new op of an existing form is fuzzed without new code;
// and the follow-up step fuzz_broadcast and fuzz_matmul read.
//
// Fields, by the op's form (see decoder.h for the encodings):
//   reduce dims     count in_range(0, 2) (in_range(1, 2) if required), dims
//                   in_range(-4, 3) each, keepdim flag
//   shape           flag: [-1], else [in_range(1, 4), -1]
//   dim pair        two dims
//   permutation     a Fisher-Yates shuffle of x's dims: in_range(0, i) each
//   expand shape    flag: a new leading dim in_range(1, 3); then per dim of x,
//                   in_range(1, 3) where x has 1
//   optional dim    flag, then a dim if set
//   dim             a dim
//   clamp bounds    flag, min value(kGrid); flag, max value(kGrid) (max is
//                   read when min is unset)
//   exponent        value(kGrid)
//   class target    for 2-D x: flag, then a class in_range(0, C - 1) per row
//                   (unset: the target is the second operand)
//   indices         for 2-D x: count in_range(1, 4), rows in_range(0, N - 1)
//   condition       one flag per element of x
#ifndef MINITORCH_FUZZ_CALL_READER_H_
#define MINITORCH_FUZZ_CALL_READER_H_

#include <optional>
#include <vector>

#include "fuzz/decoder.h"
#include "testing/op_call.h"

namespace minitorch::fuzz {

// The call of `op` on `operands` (the first decides shapes; it may be
// undefined), reading the parameters its form takes.
testing::OpCall read_call(ByteReader& in, Op op, const std::vector<Tensor>& operands);

// Tensor operands the call reads from a program's values (a class target
// given as a constant replaces the second).
int tensor_operands(const testing::OpCall& call);

// What fuzz_broadcast and fuzz_matmul may put after their op: nothing, or a
// reduction or softmax over one dim. Fields: kind in_range(0, 6) (none sum
// mean amax logsumexp softmax log_softmax), dim in_range(0, 255) wrapped to
// the result's rank, keepdim flag.
struct FollowUp {
  int64_t kind = 0;
  int64_t dim_byte = 0;
  bool keepdim = false;

  static FollowUp Read(ByteReader& in);
  // The step on value `of`, of rank `rank`; none for kind 0 or rank 0.
  std::optional<testing::Step> step(int of, int64_t rank) const;
};

}  // namespace minitorch::fuzz

#endif  // MINITORCH_FUZZ_CALL_READER_H_
