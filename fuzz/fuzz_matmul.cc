// fuzz_matmul: matmul in every form it has - the 1-D dot product,
// matrix-vector, vector-matrix, 2-D, batched, and batched with broadcast
// batch dims (size 1 or missing on one side) - on operands that may be
// transposed views, optionally followed by a reduction or softmax; the
// verdict judges both inputs' gradients.
//
// Fields after the version byte (see decoder.h):
//   sizes       n, k, m: in_range(1, 5) each ([n, k] @ [k, m])
//   batch       rank in_range(0, 2), then each dim in_range(1, 4)
//   a, then b   form in_range(0, 2): a vector ([k] for a, [k] for b), a
//               matrix, or batched; if batched, one flag per batch dim (set:
//               that dim is 1, so it broadcasts) and a count in_range(0,
//               rank) of leading batch dims it drops; then a flag: the
//               operand is stored transposed and a transpose view of it
//               goes into matmul (matrices and batches only)
//   follow-up   in_range(0, 6): none sum mean amax logsumexp softmax
//               log_softmax over a dim
//   dim         in_range(0, 255), wrapped to the result's rank; keepdim flag
//   mode        mode(); then the values of a, then of b
//   execution   the fields every gradient target reads last (harness.h)
#include <cstdint>

#include "fuzz/call_reader.h"
#include "fuzz/decoder.h"
#include "fuzz/harness.h"

namespace {

using minitorch::Op;
using minitorch::Shape;
using minitorch::Tensor;
using minitorch::testing::OpCall;
using minitorch::testing::Program;

// One operand: its shape as matmul sees it, and whether it is stored
// transposed (its last two dims swapped).
struct Operand {
  Shape shape;
  bool transposed = false;

  Shape stored() const {
    Shape s = shape;
    if (transposed) std::swap(s[s.size() - 2], s[s.size() - 1]);
    return s;
  }
};

// rows x cols as a vector ([vector_size]), a matrix or a batch of them.
Operand read_operand(minitorch::fuzz::ByteReader& in, const Shape& batch, int64_t rows,
                     int64_t cols, int64_t vector_size) {
  Operand o;
  const int64_t form = in.in_range(0, 2);
  if (form == 0) {
    o.shape = {vector_size};
    return o;
  }
  if (form == 2) {
    Shape own;
    for (int64_t d : batch) own.push_back(in.flag() ? 1 : d);
    const int64_t drop = in.in_range(0, static_cast<int64_t>(own.size()));
    o.shape.assign(own.begin() + drop, own.end());
  }
  o.shape.push_back(rows);
  o.shape.push_back(cols);
  o.transposed = in.flag();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = minitorch::fuzz::ByteReader::Open({data, size});
  if (!reader.ok()) return -1;
  minitorch::fuzz::ByteReader& in = *reader;

  const int64_t n = in.in_range(1, 5), k = in.in_range(1, 5), m = in.in_range(1, 5);
  const Shape batch = in.shape(0, 2, 4);
  const Operand a = read_operand(in, batch, n, k, k);
  const Operand b = read_operand(in, batch, k, m, k);
  const auto follow_up = minitorch::fuzz::FollowUp::Read(in);
  const auto mode = in.mode();
  const std::vector<Tensor> inputs = {in.values(a.stored(), mode), in.values(b.stored(), mode)};

  // Values 0 and 1 are the inputs; a transposed operand is a view step.
  Program program;
  int operand[2] = {0, 1};
  const Operand* operands[2] = {&a, &b};
  for (int i = 0; i < 2; ++i) {
    if (!operands[i]->transposed) continue;
    program.push_back({OpCall{.op = Op::kTranspose, .dims = {-2, -1}}, {i}});
    operand[i] = static_cast<int>(inputs.size() + program.size()) - 1;
  }
  program.push_back({OpCall{.op = Op::kMatmul}, {operand[0], operand[1]}});
  const Shape result = minitorch::testing::run_program(program, inputs).shape();
  const int last = static_cast<int>(inputs.size() + program.size()) - 1;
  if (auto next = follow_up.step(last, static_cast<int64_t>(result.size()))) {
    program.push_back(*next);
  }
  minitorch::fuzz::check_gradients("fuzz_matmul", program, inputs,
                                   minitorch::fuzz::read_execution(in), {data, size});
  return 0;
}
