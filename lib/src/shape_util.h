// Shape arithmetic used inside the library: strides, dim wrapping and
// broadcasting of shapes (no tensors; tensor_impl.h builds on these).
#ifndef MINITORCH_SRC_SHAPE_UTIL_H_
#define MINITORCH_SRC_SHAPE_UTIL_H_

#include <cstdint>

#include "absl/types/span.h"
#include "minitorch/shape.h"

namespace minitorch {

// Row-major strides for `shape`.
Shape contiguous_strides(absl::Span<const int64_t> shape);

// Wraps a dim in [-rank, rank) to [0, rank), throwing Error naming `op`.
int64_t wrap_dim(int64_t dim, int64_t rank, const char* op);

// The broadcast of two shapes, or Error "op: shapes [..] and [..] are not broadcastable".
Shape broadcast_shapes(absl::Span<const int64_t> a, absl::Span<const int64_t> b, const char* op);

}  // namespace minitorch

#endif  // MINITORCH_SRC_SHAPE_UTIL_H_
