// Helpers shared by the op definitions: operand checks, dtype promotion,
// the one reverse-broadcasting helper and the scaffolding that applies it
// (record_binary), the fused-or-composed backward fork, reduction shapes,
// and non-differentiable masks that backward formulas multiply by.
#ifndef MINITORCH_SRC_OPS_OP_UTIL_H_
#define MINITORCH_SRC_OPS_OP_UTIL_H_

#include <utility>

#include "autograd/node.h"
#include "check.h"
#include "kernels/elementwise.h"
#include "minitorch/autograd.h"
#include "minitorch/ops.h"
#include "tensor_impl.h"

namespace minitorch {

// Throws unless `t` is defined ("op: input is an undefined tensor").
void check_defined(const Tensor& t, const char* op, const char* role = "input");
// Throws unless `t` is defined and has at least one dim (slicing, splitting).
void check_has_dims(const Tensor& t, const char* op);

// Throws unless `t` is defined and of a float dtype. `role` says which
// operand, for the message ("add: operand b is undefined").
void check_float(const Tensor& t, const char* op, const char* role);

// The operands of a binary op converted to their result_type (below), as
// LibTorch's type promotion does (the conversion is differentiable). Equal dtypes, the common case,
// copy no handle: each copy is an atomic increment and decrement on the per-op path.
class Promoted {
 public:
  Promoted(const Tensor& a, const Tensor& b, const char* op);
  Promoted(const Promoted&) = delete;
  Promoted& operator=(const Promoted&) = delete;
  const Tensor& a() const { return a_ ? *a_ : converted_a_; }
  const Tensor& b() const { return b_ ? *b_ : converted_b_; }

 private:
  const Tensor* a_ = nullptr;  // the original when no conversion was needed
  const Tensor* b_ = nullptr;
  Tensor converted_a_, converted_b_;
};

// LibTorch's promotion among minitorch's dtypes: the later of bool, int64,
// float32, float64 (cat, stack).
DType promote_types(DType a, DType b);

// LibTorch's result_type of two tensors (binary ops, comparisons): the
// promotion of their dtypes, except that a 0-dim tensor does not raise the
// dtype of a tensor with dims unless its category (bool, integer, float)
// is higher: float32 [3] with float64 [] is float32, int64 [3] with
// float64 [] is float64.
DType result_type(const Tensor& a, const Tensor& b);

// Reverse broadcasting: sums `grad` over the dims along which a tensor of
// `shape` was broadcast to grad's shape, and returns it with `shape`. Every
// broadcasting backward calls this and nothing else does the job.
Tensor sum_to(const Tensor& grad, const Shape& shape);

// out = f(a, b) broadcast, for float a and b of one dtype; `op` names the op
// in errors.
template <class F>
Tensor binary_forward(const char* op, const Tensor& a, const Tensor& b, F f) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  return dispatch_float(a.dtype(), op, [&]<class T>() { return map_binary<T>(a, b, shape, f); });
}

// `t` saved for backward only when `needed`: save only what backward reads.
inline SavedTensor save_if(bool needed, const Tensor& t, bool is_output = false) {
  return needed ? SavedTensor(t, is_output) : SavedTensor();
}

// Records the backward of a broadcasting binary op `out` = op(a, b) from one
// formula per input. Each formula maps (grad, ctx) to that input's gradient
// at the output's shape; it runs only when the input needs a gradient, and
// its result is un-broadcast to the input's shape with sum_to here, so no
// formula can forget it. As record(), call only when should_record() is true
// (so nothing is saved on the no-grad path).
template <class GradA, class GradB>
void record_binary(Op op, Tensor& out, const Tensor& a, const Tensor& b, GradA grad_a,
                   GradB grad_b) {
  record(op, out, {&a, &b},
         [grad_a = std::move(grad_a), grad_b = std::move(grad_b), shape_a = a.shape(),
          shape_b = b.shape()](const Tensor& grad, const BackwardContext& ctx) {
           return GradList{ctx.needs[0] ? sum_to(grad_a(grad, ctx), shape_a) : Tensor(),
                           ctx.needs[1] ? sum_to(grad_b(grad, ctx), shape_b) : Tensor()};
         });
}

// The one fork between a fused backward kernel and its composed formula:
// `composed()` (tensor ops, differentiable, and the reference the oracle and
// gradgradcheck tests hold both to) when this backward is itself recorded
// (create_graph) or `fusable` is false; `fused()` (one pass, not
// differentiable) otherwise.
template <class Fused, class Composed>
Tensor fused_unless_recorded(bool fusable, const Fused& fused, const Composed& composed) {
  return fusable && !is_grad_enabled() ? fused() : composed();
}
template <class Fused, class Composed>
Tensor fused_unless_recorded(const Fused& fused, const Composed& composed) {
  return fused_unless_recorded(true, fused, composed);
}

// The backward of an elementwise op whose gradient is f(grad, saved), with
// f written once for scalars and for tensors: fused into one pass over
// (grad, saved), or composed from tensor ops under create_graph.
template <class F>
Tensor elementwise_backward(const Tensor& grad, const Tensor& saved, F f) {
  return fused_unless_recorded(
      [&] {
        return dispatch_float(grad.dtype(), "backward", [&]<class T>() {
          return map_binary<T>(grad, saved, grad.shape(), f);
        });
      },
      [&] { return f(grad, saved); });
}

// Masks with values 1 where the comparison holds and 0 elsewhere, in the
// operands' dtype, broadcast. Not differentiable (constant in backward).
Tensor gt_mask(const Tensor& a, const Tensor& b);
Tensor ge_mask(const Tensor& a, const Tensor& b);
Tensor le_mask(const Tensor& a, const Tensor& b);
Tensor eq_mask(const Tensor& a, const Tensor& b);

// A 0-dim tensor of `like`'s dtype holding `value`.
Tensor scalar_like(double value, const Tensor& like);

// grad * weight for a backward whose weight is 0 where the input has no
// influence (the loser of maximum, clamp outside its bounds): exactly 0
// there, so an infinite or NaN gradient stops, as LibTorch's backward
// formulas select there instead of multiplying. Recorded (create_graph).
Tensor weighted_grad(const Tensor& grad, const Tensor& weight);

// Dims `dims` (wrapped, deduplicated) of a tensor of rank `rank` as a bitmask
// vector; an empty list selects every dim. Throws naming `op` on a bad or
// repeated dim.
absl::InlinedVector<bool, kInlineRank> reduction_mask(absl::Span<const int64_t> dims, int64_t rank,
                                                      const char* op);

// The shape of a reduction's result.
Shape reduced_shape(const Shape& shape, absl::Span<const bool> mask, bool keepdim);

// Inverse of reducing without keepdim: `grad` reshaped so reduced dims are 1
// again, then expanded to `shape`. Used by every reduction's backward.
Tensor expand_reduced(const Tensor& grad, const Shape& shape, absl::Span<const bool> mask);

// The indexed copies that index_select, gather, scatter_add and embedding
// share, over flat positions in row-major order (of a contiguous tensor).
//
// Positions along `dim` of a tensor of `shape`: for every entry of the shape
// with `dim` resized to picked.size(), in row-major order, the flat position
// of the same entry with its `dim` coordinate replaced by picked[k].
std::vector<int64_t> positions_along(const Shape& shape, int64_t dim,
                                     const std::vector<int64_t>& picked);
// A fresh tensor of `shape` holding x's entries at `positions` in order; any
// dtype. Unrecorded: the caller records.
Tensor take(const Tensor& x, const std::vector<int64_t>& positions, const Shape& shape);
// into[positions[k]] += values[k] for every k, repeated positions
// accumulating; `into` contiguous and of values' dtype, any dtype.
void add_at(Tensor& into, const std::vector<int64_t>& positions, const Tensor& values);

}  // namespace minitorch

#endif  // MINITORCH_SRC_OPS_OP_UTIL_H_
