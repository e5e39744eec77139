// Strided iteration over N operands that share one (broadcast) shape.
//
// Kernels never do per-element index arithmetic: StridedLoop first drops
// size-1 dims and merges adjacent dims that are contiguous in every operand,
// so a contiguous (or contiguous-after-broadcast) tensor becomes one long row,
// then calls the kernel's row function once per innermost row with the
// operands' element offsets, the row length and the operands' strides along
// the row. Row functions special-case unit and zero strides so the compiler
// vectorises them.
//
// A reduction is an elementwise loop whose output operand has stride 0 on the
// reduced dims; StridedLoop can order dims by one operand's strides so the
// input is read in memory order.
#ifndef MINITORCH_SRC_KERNELS_LOOPS_H_
#define MINITORCH_SRC_KERNELS_LOOPS_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "minitorch/shape.h"
#include "parallel.h"

namespace minitorch {

template <size_t N>
class StridedLoop {
 public:
  using Offsets = std::array<int64_t, N>;

  // `strides[k]` has one stride per dim of `shape` for operand k (0 where it
  // broadcasts). With `order_by` >= 0, dims are reordered so that operand's
  // strides decrease inwards (its memory order).
  StridedLoop(absl::Span<const int64_t> shape, const std::array<const Shape*, N>& strides,
              int order_by = -1) {
    const size_t rank = shape.size();
    absl::InlinedVector<size_t, kInlineRank> order(rank);
    std::iota(order.begin(), order.end(), 0);
    if (order_by >= 0) {
      const Shape& key = *strides[order_by];
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t x, size_t y) { return key[x] > key[y]; });
    }
    numel_ = minitorch::numel(shape);
    if (numel_ == 0) return;  // nothing to visit (and huge dims beside a 0 would overflow)
    for (size_t i : order) {
      if (shape[i] == 1) continue;
      if (!sizes_.empty() && mergeable(sizes_.size() - 1, shape[i], strides, i)) {
        sizes_.back() *= shape[i];
        for (size_t k = 0; k < N; ++k) strides_[k].back() = (*strides[k])[i];
        continue;
      }
      sizes_.push_back(shape[i]);
      for (size_t k = 0; k < N; ++k) strides_[k].push_back((*strides[k])[i]);
    }
  }

  int64_t numel() const { return numel_; }

  // Calls row(offsets, n, inner_strides) for every innermost row.
  template <class RowFn>
  void for_each_row(RowFn&& row) const {
    if (numel_ == 0) return;
    if (sizes_.empty()) {
      row(Offsets{}, int64_t{1}, Offsets{});
      return;
    }
    rows_in(row, 0, 0, sizes_[0]);
  }

  // As for_each_row, with the rows split over the calling thread's helpers
  // (parallel.h) along the largest merged dim in which operand 0 (the
  // output) moves, so no two threads write the same element. Serial when
  // operand 0 never moves (a reduction to one value) or the loop is small.
  template <class RowFn>
  void for_each_row_parallel(RowFn&& row) const {
    // The innermost dim only when it is the only one: threads that each
    // take a part of every row read memory in short runs and run slower
    // together than one thread alone (measured on sum over dim 0).
    if (numel_ < 2 * get_parallel_grain()) {
      for_each_row(row);
      return;
    }
    const size_t rank = sizes_.size();
    const size_t candidates = rank <= 1 ? rank : rank - 1;
    int split = -1;
    for (size_t d = 0; d < candidates; ++d) {
      if (strides_[0][d] != 0 && (split < 0 || sizes_[d] > sizes_[split]))
        split = static_cast<int>(d);
    }
    if (split < 0) {
      for_each_row(row);
      return;
    }
    const int64_t per_index = numel_ / sizes_[split];
    const int64_t grain = (get_parallel_grain() + per_index - 1) / per_index;
    parallel_for(sizes_[split], grain,
                 [&](int64_t begin, int64_t end) { rows_in(row, split, begin, end); });
  }

 private:
  // The rows with merged dim `split` restricted to [begin, end).
  template <class RowFn>
  void rows_in(RowFn& row, size_t split, int64_t begin, int64_t end) const {
    const size_t rank = sizes_.size();
    absl::InlinedVector<int64_t, kInlineRank> sizes(sizes_.begin(), sizes_.end());
    sizes[split] = end - begin;
    Offsets offsets{};
    for (size_t k = 0; k < N; ++k) offsets[k] = begin * strides_[k][split];
    Offsets inner;
    for (size_t k = 0; k < N; ++k) inner[k] = strides_[k][rank - 1];
    const int64_t n = sizes[rank - 1];
    absl::InlinedVector<int64_t, kInlineRank> counter(rank, 0);
    while (true) {
      row(offsets, n, inner);
      // Advance the outer dims like an odometer.
      size_t d = rank - 1;
      while (true) {
        if (d == 0) return;
        --d;
        ++counter[d];
        for (size_t k = 0; k < N; ++k) offsets[k] += strides_[k][d];
        if (counter[d] < sizes[d]) break;
        for (size_t k = 0; k < N; ++k) offsets[k] -= strides_[k][d] * sizes[d];
        counter[d] = 0;
      }
    }
  }

  // Whether the current innermost merged dim `last` can absorb a new inner
  // dim of size `size` at position i: every operand must step through it
  // as one run.
  bool mergeable(size_t last, int64_t size, const std::array<const Shape*, N>& strides,
                 size_t i) const {
    for (size_t k = 0; k < N; ++k) {
      if (strides_[k][last] != (*strides[k])[i] * size) return false;
    }
    return true;
  }

  int64_t numel_ = 1;
  absl::InlinedVector<int64_t, kInlineRank> sizes_;
  std::array<absl::InlinedVector<int64_t, kInlineRank>, N> strides_;
};

}  // namespace minitorch

#endif  // MINITORCH_SRC_KERNELS_LOOPS_H_
