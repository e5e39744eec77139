// Reading an op call from fuzz bytes (see call_reader.h).
#include "fuzz/call_reader.h"

#include <algorithm>
#include <utility>

namespace minitorch::fuzz {

using testing::OpCall;

namespace {

std::vector<int64_t> read_dims(ByteReader& in, int64_t count) {
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < count; ++i) dims.push_back(in.in_range(-4, 3));
  return dims;
}

// An undefined tensor reads as a scalar.
Shape shape_of(const Tensor& x) { return x.defined() ? x.shape() : Shape{}; }

}  // namespace

OpCall read_call(ByteReader& in, Op op, const std::vector<Tensor>& operands) {
  const Tensor& x = operands[0];
  const int64_t rank = x.defined() ? x.dim() : 0;
  OpCall call{.op = op};
  const OpForm form = op_form(op);
  switch (form) {
    case OpForm::kTensors:
    case OpForm::kDtype:
    case OpForm::kBackwardOnly:
      break;
    case OpForm::kReduceDims:
    case OpForm::kDimsRequired:
      call.dims = read_dims(in, in.in_range(form == OpForm::kDimsRequired ? 1 : 0, 2));
      call.keepdim = in.flag();
      break;
    case OpForm::kShape:
      call.dims =
          in.flag() ? std::vector<int64_t>{-1} : std::vector<int64_t>{in.in_range(1, 4), -1};
      break;
    case OpForm::kDimPair:
      call.dims = read_dims(in, 2);
      break;
    case OpForm::kSlice:
      call.dims = read_dims(in, 1);
      call.dims.push_back(in.in_range(-5, 5));  // start
      call.dims.push_back(in.in_range(-5, 6));  // end
      call.dims.push_back(in.in_range(1, 3));   // step
      break;
    case OpForm::kNarrow:
      call.dims = read_dims(in, 1);
      call.dims.push_back(in.in_range(-3, 3));  // start
      call.dims.push_back(in.in_range(0, 3));   // length
      break;
    case OpForm::kJoin:
      call.dims = read_dims(in, 1);
      break;
    case OpForm::kDimIndex:
      call.dims = read_dims(in, 1);
      call.dims.push_back(in.in_range(-3, 3));
      break;
    case OpForm::kDimIndices: {
      call.dims = read_dims(in, 1);
      // Positions in the dim's range where it has one (else out of range,
      // an error to raise).
      const int64_t d = rank > 0 ? (call.dims[0] % rank + rank) % rank : 0;
      const int64_t size = rank > 0 ? x.size(d) : 0;
      std::vector<double> index(static_cast<size_t>(in.in_range(0, 4)));
      for (double& i : index) i = static_cast<double>(size > 0 ? in.in_range(0, size - 1) : 0);
      call.constant = tensor(index, {static_cast<int64_t>(index.size())}, kInt64);
      break;
    }
    case OpForm::kGatherIndex:
    case OpForm::kScatterIndex: {
      call.dims = read_dims(in, 1);
      // An index of x's rank, each dim up to x's (any size along dim; for
      // scatter_add also up to src's), with values in range where the dim
      // has any.
      const int64_t d = rank > 0 ? (call.dims[0] % rank + rank) % rank : 0;
      const Shape src = form == OpForm::kScatterIndex ? shape_of(operands.at(1)) : Shape{};
      Shape shape;
      for (int64_t i = 0; i < rank; ++i) {
        int64_t most = i == d ? 3 : std::max<int64_t>(x.size(i), 0);
        if (i < static_cast<int64_t>(src.size())) most = std::min(most, src[i]);
        shape.push_back(in.in_range(0, most));
      }
      const int64_t size = rank > 0 ? x.size(d) : 1;
      std::vector<double> index(static_cast<size_t>(numel(shape)));
      for (double& i : index) i = static_cast<double>(size > 0 ? in.in_range(0, size - 1) : 0);
      call.constant = tensor(index, shape, kInt64);
      break;
    }
    case OpForm::kPermutation: {
      std::vector<int64_t> perm(static_cast<size_t>(rank));
      for (int64_t i = 0; i < rank; ++i) perm[i] = i;
      for (int64_t i = rank - 1; i > 0; --i) std::swap(perm[i], perm[in.in_range(0, i)]);
      call.dims = perm;
      break;
    }
    case OpForm::kExpandShape:
      if (in.flag()) call.dims.push_back(in.in_range(1, 3));
      for (int64_t d : shape_of(x)) call.dims.push_back(d == 1 ? in.in_range(1, 3) : d);
      break;
    case OpForm::kOptionalDim:
      if (in.flag()) call.dims = read_dims(in, 1);
      break;
    case OpForm::kDim:
      call.dims = read_dims(in, 1);
      break;
    case OpForm::kClampBounds:
      if (in.flag()) call.min = in.value(ValueMode::kGrid);
      if (in.flag() || !call.min) call.max = in.value(ValueMode::kGrid);
      break;
    case OpForm::kExponent:
      call.exponent = in.value(ValueMode::kGrid);
      break;
    case OpForm::kClassTarget:
      if (rank == 2 && x.size(1) > 0 && in.flag()) {
        std::vector<double> targets(static_cast<size_t>(x.size(0)));
        for (double& t : targets) t = static_cast<double>(in.in_range(0, x.size(1) - 1));
        call.constant = tensor(targets, {x.size(0)}, kInt64);
      }
      break;
    case OpForm::kIndices:
      if (rank == 2 && x.size(0) > 0) {
        std::vector<double> rows(static_cast<size_t>(in.in_range(1, 4)));
        for (double& r : rows) r = static_cast<double>(in.in_range(0, x.size(0) - 1));
        call.constant = tensor(rows, {static_cast<int64_t>(rows.size())}, kInt64);
      }
      break;
    case OpForm::kCondition: {
      const Shape shape = shape_of(x);
      std::vector<double> condition(static_cast<size_t>(numel(shape)));
      for (double& c : condition) c = in.flag() ? 1 : 0;
      call.constant = tensor(condition, shape);
      break;
    }
  }
  return call;
}

int tensor_operands(const OpCall& call) {
  if (op_form(call.op) == OpForm::kClassTarget && call.constant.defined()) return 1;
  return op_operands(call.op);
}

FollowUp FollowUp::Read(ByteReader& in) {
  FollowUp f;
  f.kind = in.in_range(0, 6);
  f.dim_byte = in.in_range(0, 255);
  f.keepdim = in.flag();
  return f;
}

std::optional<testing::Step> FollowUp::step(int of, int64_t rank) const {
  static constexpr Op kOps[] = {Op::kSum,       Op::kMean,    Op::kAmax,
                                Op::kLogsumexp, Op::kSoftmax, Op::kLogSoftmax};
  if (kind == 0 || rank == 0) return std::nullopt;
  const int64_t dim = dim_byte % (2 * rank) - rank;  // in [-rank, rank)
  return testing::Step{testing::OpCall{.op = kOps[kind - 1], .dims = {dim}, .keepdim = keepdim},
                       {of}};
}

}  // namespace minitorch::fuzz
