// Helpers shared by the op definitions: operand checks, dtype promotion,
// the one reverse-broadcasting helper, and non-differentiable masks that
// backward formulas multiply by.
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

// Throws unless `t` is defined and of a float dtype. `role` says which
// operand, for the message ("add: operand b is undefined").
void check_float(const Tensor& t, const char* op, const char* role);

// The operands of a binary op converted to a common float dtype (float64 if
// either is), as LibTorch's type promotion does (the conversion is
// differentiable). Equal dtypes, the common case, copy no handle: each copy
// is an atomic increment and decrement on the per-op path.
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

// Reverse broadcasting: sums `grad` over the dims along which a tensor of
// `shape` was broadcast to grad's shape, and returns it with `shape`. Every
// broadcasting backward calls this and nothing else does the job.
Tensor sum_to(const Tensor& grad, const Shape& shape);

// Masks with values 1 where the comparison holds and 0 elsewhere, in the
// operands' dtype, broadcast. Not differentiable (constant in backward).
Tensor gt_mask(const Tensor& a, const Tensor& b);
Tensor ge_mask(const Tensor& a, const Tensor& b);
Tensor le_mask(const Tensor& a, const Tensor& b);
Tensor eq_mask(const Tensor& a, const Tensor& b);

// A 0-dim tensor of `like`'s dtype holding `value`.
Tensor scalar_like(double value, const Tensor& like);

// Dims `dims` (wrapped, deduplicated) of a tensor of rank `rank` as a bitmask
// vector; an empty list selects every dim. Throws naming `op` on a bad or
// repeated dim.
absl::InlinedVector<bool, kInlineRank> reduction_mask(absl::Span<const int64_t> dims,
                                                      int64_t rank, const char* op);

// The shape of a reduction's result.
Shape reduced_shape(const Shape& shape, absl::Span<const bool> mask, bool keepdim);

// Inverse of reducing without keepdim: `grad` reshaped so reduced dims are 1
// again, then expanded to `shape`. Used by every reduction's backward.
Tensor expand_reduced(const Tensor& grad, const Shape& shape, absl::Span<const bool> mask);

}  // namespace minitorch

#endif  // MINITORCH_SRC_OPS_OP_UTIL_H_
