// fuzz_broadcast: a broadcastable shape pair, every broadcasting binary op
// of the op table, optionally followed by a reduction or softmax over a dim;
// gradcheck (error bounded) on both inputs.
//
// Fields after the version byte (see decoder.h):
//   op          op(7): an elementwise binary op of the op table by its fuzz
//               code; any other code rejects the input
//   base shape  rank in_range(1, 4), then each dim in_range(1, 5)
//   drop        in_range(0, rank): leading dims the partner drops
//   partner     one flag per kept dim: 1 if set, else the base's dim
//   swap        flag: the partner is the first operand
//   follow-up   in_range(0, 6): none sum mean amax logsumexp softmax log_softmax
//   dim         in_range(0, 255), wrapped to the result's rank; keepdim flag
//   mode        mode(); then the values of the first operand, then the second
//   execution   the fields every gradient target reads last (harness.h)
#include <cstdint>
#include <optional>

#include "fuzz/call_reader.h"
#include "fuzz/decoder.h"
#include "fuzz/harness.h"

namespace {

using minitorch::Op;
using minitorch::Shape;
using minitorch::Tensor;
using minitorch::testing::OpCall;
using minitorch::testing::Program;

// Elementwise binary ops in the table when fuzz codes were introduced:
// version-1 inputs read their op byte modulo this.
constexpr int kVersion1BinaryOps = 7;

bool is_broadcasting_binary(std::optional<Op> op) {
  return op && minitorch::op_family(*op) == minitorch::OpFamily::kElementwise &&
         minitorch::op_operands(*op) == 2;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = minitorch::fuzz::ByteReader::Open({data, size});
  if (!reader.ok()) return -1;
  minitorch::fuzz::ByteReader& in = *reader;

  const std::optional<Op> code_op = in.op(kVersion1BinaryOps);
  if (!is_broadcasting_binary(code_op)) return -1;
  const Op op = *code_op;
  const Shape base = in.shape(1, 4, 5);
  const int64_t drop = in.in_range(0, static_cast<int64_t>(base.size()));
  Shape partner;
  for (size_t i = static_cast<size_t>(drop); i < base.size(); ++i)
    partner.push_back(in.flag() ? 1 : base[i]);
  const bool swap = in.flag();
  const auto follow_up = minitorch::fuzz::FollowUp::Read(in);
  const auto mode = in.mode();

  std::vector<Tensor> inputs = {in.values(swap ? partner : base, mode),
                                in.values(swap ? base : partner, mode)};
  Program program = {{OpCall{.op = op}, {0, 1}}};
  if (auto next = follow_up.step(2, static_cast<int64_t>(base.size()))) program.push_back(*next);
  minitorch::fuzz::check_gradients("fuzz_broadcast", program, inputs,
                                   minitorch::fuzz::read_execution(in), {data, size});
  return 0;
}
