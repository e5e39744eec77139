// minitorch::indexing: the index expressions of Tensor::index and
// index_put_, spelled as LibTorch's torch::indexing.
//
// Example:
//   using namespace minitorch::indexing;
//   Tensor rows = x.index({Slice(1, None), 0});    // x[1:, 0]
//   Tensor last = x.index({Ellipsis, -1});        // x[..., -1]
//   Tensor lifted = x.index({None, Slice()});     // x[None, :]
//   x.index_put_({Slice(None, None, 2)}, 0.0);    // x[::2] = 0
#ifndef MINITORCH_INDEXING_H_
#define MINITORCH_INDEXING_H_

#include <cstdint>
#include <optional>

namespace minitorch::indexing {

// `None` as a Slice bound means "from the start" / "to the end"; as an index
// it inserts a dim of size 1.
inline constexpr std::nullopt_t None = std::nullopt;

// start:stop:step, each optional, as Python's slice.
struct Slice {
  Slice(std::optional<int64_t> start = std::nullopt, std::optional<int64_t> stop = std::nullopt,
        std::optional<int64_t> step = std::nullopt)
      : start(start), stop(stop), step(step) {}
  std::optional<int64_t> start, stop, step;
};

// `...`: as many full slices as the other indices leave dims.
struct EllipsisIndexType {};
inline constexpr EllipsisIndexType Ellipsis{};

// One entry of an index expression: an integer (the dim is dropped), a
// Slice, None or Ellipsis.
class TensorIndex {
 public:
  enum class Kind { kInteger, kSlice, kNone, kEllipsis };
  TensorIndex(int64_t integer) : kind_(Kind::kInteger), integer_(integer) {}  // NOLINT
  TensorIndex(int integer) : TensorIndex(static_cast<int64_t>(integer)) {}    // NOLINT
  TensorIndex(Slice slice) : kind_(Kind::kSlice), slice_(slice) {}            // NOLINT
  TensorIndex(std::nullopt_t) : kind_(Kind::kNone) {}                         // NOLINT
  TensorIndex(EllipsisIndexType) : kind_(Kind::kEllipsis) {}                  // NOLINT

  Kind kind() const { return kind_; }
  int64_t integer() const { return integer_; }
  const Slice& slice() const { return slice_; }

 private:
  Kind kind_;
  int64_t integer_ = 0;
  Slice slice_;
};

}  // namespace minitorch::indexing

#endif  // MINITORCH_INDEXING_H_
