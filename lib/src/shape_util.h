// Shape arithmetic used inside the library: strides, dim wrapping and
// broadcasting of shapes (no tensors; tensor_impl.h builds on these).
#ifndef MINITORCH_SRC_SHAPE_UTIL_H_
#define MINITORCH_SRC_SHAPE_UTIL_H_

#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "minitorch/shape.h"

namespace minitorch {

// Row-major strides for `shape`.
Shape contiguous_strides(absl::Span<const int64_t> shape);

// Strides that lay `shape` over the elements of a tensor of `old_shape` and
// `old_strides` in the same row-major order, or none where no strides do
// (LibTorch's rule for view: dims split or merge only within a run of dims
// that are contiguous with each other; a transposed pair is no such run).
std::optional<Shape> view_strides(absl::Span<const int64_t> old_shape,
                                  absl::Span<const int64_t> old_strides,
                                  absl::Span<const int64_t> shape);

// A shape read around one of its dims: `outer` blocks of `size` entries
// along the dim, each entry `inner` contiguous elements apart (a 0-dim
// shape, dim 0, reads as one entry; an empty shape as none: all three 0).
struct AroundDim {
  int64_t outer = 1, size = 1, inner = 1;
};
AroundDim around_dim(absl::Span<const int64_t> shape, int64_t dim);

// Wraps a dim in [-rank, rank) to [0, rank), throwing Error naming `op`.
int64_t wrap_dim(int64_t dim, int64_t rank, const char* op);

// The broadcast of two shapes, or Error "op: shapes [..] and [..] are not broadcastable".
Shape broadcast_shapes(absl::Span<const int64_t> a, absl::Span<const int64_t> b, const char* op);

}  // namespace minitorch

#endif  // MINITORCH_SRC_SHAPE_UTIL_H_
