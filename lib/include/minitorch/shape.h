// minitorch::Shape: the sizes of a tensor's dimensions, outermost first.
//
// A Shape is a sequence of int64_t that stores up to kInlineRank dims without
// touching the heap (most tensors have rank <= 4, and per-op overhead matters).
// It is iterable, indexable, comparable and constructible from a braced list,
// a std::vector<int64_t>, an absl::Span or an iterator range. A 0-dim
// (scalar) tensor has an empty Shape.
//
// Example:
//   minitorch::Shape s = {2, 3};
//   std::vector<int64_t> v = {4, 5};
//   minitorch::Shape t = v;           // implicit, so zeros(v) works
//   assert(minitorch::numel(s) == 6);
//   std::cout << s;                   // prints [2, 3]
#ifndef MINITORCH_SHAPE_H_
#define MINITORCH_SHAPE_H_

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"

namespace minitorch {

inline constexpr size_t kInlineRank = 6;

class Shape : public absl::InlinedVector<int64_t, kInlineRank> {
 public:
  using Base = absl::InlinedVector<int64_t, kInlineRank>;
  using Base::Base;
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : Base(dims) {}
  Shape(absl::Span<const int64_t> dims) : Base(dims.begin(), dims.end()) {}
  Shape(const std::vector<int64_t>& dims) : Base(dims.begin(), dims.end()) {}

  // "[2, 3]"; "[]" for a scalar.
  std::string to_string() const;
};

// Product of the dims (1 for a scalar shape). Throws Error, naming `op`,
// if a dim is negative or the product overflows int64.
int64_t checked_numel(absl::Span<const int64_t> shape, const char* op);

// Product of the dims of a shape already known to be valid.
int64_t numel(absl::Span<const int64_t> shape);

std::ostream& operator<<(std::ostream& os, const Shape& shape);

}  // namespace minitorch

#endif  // MINITORCH_SHAPE_H_
