// Shapes, strides and the index rules shared by every op: numel with
// overflow checks, dim wrapping, NumPy broadcasting.
#include "minitorch/shape.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_join.h"
#include "check.h"
#include "shape_util.h"

namespace minitorch {

std::string Shape::to_string() const { return absl::StrCat("[", absl::StrJoin(*this, ", "), "]"); }

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << shape.to_string(); }

int64_t checked_numel(absl::Span<const int64_t> shape, const char* op) {
  int64_t n = 1;
  for (int64_t d : shape) {
    MT_CHECK(d >= 0, op, ": negative dim ", d, " in shape ", Shape(shape).to_string());
  }
  for (int64_t d : shape) {
    if (d == 0) return 0;
  }
  for (int64_t d : shape) {
    MT_CHECK(n <= std::numeric_limits<int64_t>::max() / d, op, ": shape ", Shape(shape).to_string(),
             " has more elements than int64 can count");
    n *= d;
  }
  return n;
}

int64_t numel(absl::Span<const int64_t> shape) {
  // A zero dim makes the count 0 however large the others are (their product
  // alone may not fit in int64: zeros({0, 1 << 40, 1 << 40}) is valid).
  for (int64_t d : shape) {
    if (d == 0) return 0;
  }
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Shape contiguous_strides(absl::Span<const int64_t> shape) {
  Shape strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    // Only a tensor with a zero dim (never indexed) can overflow here.
    if (__builtin_mul_overflow(stride, std::max<int64_t>(shape[i], 1), &stride)) {
      stride = std::numeric_limits<int64_t>::max();
    }
  }
  return strides;
}

std::optional<Shape> view_strides(absl::Span<const int64_t> old_shape,
                                  absl::Span<const int64_t> old_strides,
                                  absl::Span<const int64_t> shape) {
  // Nothing to address: any strides do, the row-major ones are LibTorch's.
  // (An empty tensor's other dims may multiply past int64: not multiplied.)
  const bool empty =
      std::any_of(old_shape.begin(), old_shape.end(), [](int64_t d) { return d == 0; });
  if (old_shape.empty() || empty) return contiguous_strides(shape);
  Shape strides(shape.size());
  // Walk both shapes from the last dim, one run of mutually contiguous old
  // dims (a chunk) at a time. The new dims that cover exactly that chunk's
  // elements are laid over it, their strides multiples of the chunk's
  // innermost stride.
  auto new_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_stride = old_strides.back();
  int64_t chunk_numel = 1, covered = 1;
  for (auto old_d = static_cast<int64_t>(old_shape.size()) - 1; old_d >= 0; --old_d) {
    chunk_numel *= old_shape[old_d];
    const bool chunk_ends = old_d == 0 || (old_shape[old_d - 1] != 1 &&
                                           old_strides[old_d - 1] != chunk_numel * chunk_stride);
    if (!chunk_ends) continue;
    while (new_d >= 0 && (covered < chunk_numel || shape[new_d] == 1)) {
      strides[new_d] = covered * chunk_stride;
      covered *= shape[new_d];
      --new_d;
    }
    if (covered != chunk_numel) return std::nullopt;
    if (old_d > 0) {
      chunk_stride = old_strides[old_d - 1];
      chunk_numel = covered = 1;
    }
  }
  if (new_d != -1) return std::nullopt;
  return strides;
}

AroundDim around_dim(absl::Span<const int64_t> shape, int64_t dim) {
  // An empty shape has nothing to read, and the product of its other dims
  // need not fit in int64 ({0, 1 << 40, 1 << 40} is valid).
  if (numel(shape) == 0) return AroundDim{0, 0, 0};
  AroundDim around;
  const auto rank = static_cast<int64_t>(shape.size());
  for (int64_t d = 0; d < rank; ++d) {
    if (d < dim) around.outer *= shape[d];
    if (d == dim) around.size = shape[d];
    if (d > dim) around.inner *= shape[d];
  }
  return around;
}

int64_t wrap_dim(int64_t dim, int64_t rank, const char* op) {
  // A scalar accepts dim 0 and -1, as in LibTorch.
  const int64_t r = std::max<int64_t>(rank, 1);
  MT_CHECK(dim >= -r && dim < r, op, ": dim ", dim, " is out of range for a tensor of rank ", rank,
           " (expected a dim in [", -r, ", ", r - 1, "])");
  return dim < 0 ? dim + r : dim;
}

Shape broadcast_shapes(absl::Span<const int64_t> a, absl::Span<const int64_t> b, const char* op) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the right; a missing leading dim acts as 1.
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    MT_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", Shape(a).to_string(), " and ",
             Shape(b).to_string(), " are not broadcastable");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace minitorch
