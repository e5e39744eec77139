// fuzz_broadcast: a broadcastable shape pair, every broadcasting binary op,
// optionally followed by a reduction or softmax over a dim; gradcheck (error
// bounded) on both inputs.
//
// Fields after the version byte (see decoder.h):
//   op          in_range(0, 6): add sub mul div pow maximum minimum
//   base shape  rank in_range(1, 4), then each dim in_range(1, 5)
//   drop        in_range(0, rank): leading dims the partner drops
//   partner     one flag per kept dim: 1 if set, else the base's dim
//   swap        flag: the partner is the first operand
//   follow-up   in_range(0, 6): none sum mean amax logsumexp softmax log_softmax
//   dim         in_range(0, 255), wrapped to the result's rank; keepdim flag
//   mode        mode(); then the values of the first operand, then the second
#include <cstdint>

#include "fuzz/decoder.h"
#include "fuzz/harness.h"

namespace {

using minitorch::Op;
using minitorch::Shape;
using minitorch::Tensor;
using minitorch::testing::OpCall;
using minitorch::testing::Program;

constexpr Op kBinaryOps[] = {Op::kAdd, Op::kSub, Op::kMul, Op::kDiv,
                             Op::kPow, Op::kMaximum, Op::kMinimum};
constexpr Op kFollowUps[] = {Op::kSum, Op::kMean, Op::kAmax, Op::kLogsumexp, Op::kSoftmax,
                             Op::kLogSoftmax};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = minitorch::fuzz::ByteReader::Open({data, size});
  if (!reader.ok()) return -1;
  minitorch::fuzz::ByteReader& in = *reader;

  const Op op = kBinaryOps[in.in_range(0, 6)];
  const Shape base = in.shape(1, 4, 5);
  const int64_t drop = in.in_range(0, static_cast<int64_t>(base.size()));
  Shape partner;
  for (size_t i = static_cast<size_t>(drop); i < base.size(); ++i) partner.push_back(in.flag() ? 1 : base[i]);
  const bool swap = in.flag();
  const int64_t follow = in.in_range(0, 6);
  const int64_t dim_byte = in.in_range(0, 255);
  const bool keepdim = in.flag();
  const auto mode = in.mode();

  std::vector<Tensor> inputs = {in.values(swap ? partner : base, mode),
                                in.values(swap ? base : partner, mode)};
  Program program = {{OpCall{.op = op}, {0, 1}}};
  if (follow > 0) {
    const int64_t rank = static_cast<int64_t>(base.size());
    const int64_t dim = dim_byte % (2 * rank) - rank;  // in [-rank, rank)
    OpCall next{.op = kFollowUps[follow - 1], .dims = {dim}, .keepdim = keepdim};
    program.push_back({next, {2}});
  }
  minitorch::fuzz::check_gradients("fuzz_broadcast", program, inputs, {data, size});
  return 0;
}
