// The reduction kernel: folds a tensor over a set of dims with a combine
// function. The output is read as broadcast over the input (stride 0 on the
// reduced dims) and the loop visits the input in memory order: a row along
// a reduced dim folds into a register accumulator (8 lanes, so it
// vectorises); a row along a kept dim accumulates elementwise into the
// output. Folds accumulate in their own type: a float32 sum accumulates in
// double (contiguous rows through fast::sum_in_double), so a sum of 10^7
// values is within float32 precision, where 8 float lanes were 1% off.
//
// Threads never change a result's bits. Work splits along kept dims (every
// output folded in one fixed order), and where the reduced dims are the
// large ones, into blocks whose bounds depend on the shape alone, each
// folded into its own partial result, the partials combined in block
// order: a contiguous reduction to one value (blocks of kReduceBlock
// elements) and a contiguous reduction over outer dims, (B, R, C) with the
// R rows reduced (blocks of kRowBlock rows by kColumnBlock columns).
#ifndef MINITORCH_SRC_KERNELS_REDUCE_H_
#define MINITORCH_SRC_KERNELS_REDUCE_H_

#include <algorithm>
#include <cstddef>
#include <optional>
#include <type_traits>

#include "absl/types/span.h"
#include "kernels/loops.h"
#include "minitorch/tensor.h"
#include "tensor_impl.h"

namespace minitorch {

// The fixed blocks of the deterministic splits (above).
inline constexpr int64_t kReduceBlock = int64_t{1} << 16;
inline constexpr int64_t kRowBlock = 256;
inline constexpr int64_t kColumnBlock = 4096;

// A contiguous input whose reduced dims form one run with kept dims after
// it, read as (outer, rows, columns): `rows` reduced, `columns` kept inner
// elements per row, `outer` kept dims before the run. Dims of size 1 are
// either. Empty when the input is not of that form.
struct OuterReduction {
  int64_t outer = 1, rows = 1, columns = 1;
};

inline std::optional<OuterReduction> outer_reduction(const TensorImpl& x,
                                                     absl::Span<const bool> mask) {
  // An empty tensor may have dims whose product overflows (0 x 2^32 x 2^32).
  if (!x.is_contiguous() || x.numel() == 0) return std::nullopt;
  OuterReduction r;
  int part = 0;  // 0: kept dims before the run, 1: the run, 2: kept dims after it
  for (size_t d = 0; d < mask.size(); ++d) {
    const int64_t n = x.shape[d];
    if (n == 1) continue;
    if (mask[d]) {
      if (part == 2) return std::nullopt;  // a second reduced run
      part = 1;
      r.rows *= n;
    } else if (part == 0) {
      r.outer *= n;
    } else {
      part = 2;
      r.columns *= n;
    }
  }
  if (part != 2) return std::nullopt;
  return r;
}

// The folds of one reduction (reduce_kernel's arguments, below) over rows,
// blocks and tiles of its input, into accumulators of type Acc.
template <class T, class Acc, class Combine, class ContiguousRow, class ContiguousAccumulate>
class Folds {
 public:
  Folds(Acc init, Combine combine, ContiguousRow contiguous_row,
        ContiguousAccumulate contiguous_accumulate)
      : init_(init),
        combine_(combine),
        contiguous_row_(contiguous_row),
        contiguous_accumulate_(contiguous_accumulate) {}

  // A row along reduced dims into *o: in 8 register lanes (so it
  // vectorises), or by `contiguous_row` where there is one and the row is
  // contiguous.
  void row(Acc* o, const T* a, int64_t n, int64_t stride) const {
    if constexpr (!std::is_same_v<ContiguousRow, std::nullptr_t>) {
      if (stride == 1) {
        *o = combine_(*o, contiguous_row_(a, n));
        return;
      }
    }
    constexpr int kLanes = 8;
    Acc lanes[kLanes];
    for (Acc& lane : lanes) lane = init_;
    int64_t i = 0;
    if (stride == 1) {
      for (; i + kLanes <= n; i += kLanes) {
        for (int l = 0; l < kLanes; ++l) lanes[l] = combine_(lanes[l], a[i + l]);
      }
    }
    for (; i < n; ++i) lanes[0] = combine_(lanes[0], a[i * stride]);
    Acc acc = *o;
    for (const Acc lane : lanes) acc = combine_(acc, lane);
    *o = acc;
  }

  // `rows` contiguous rows of n inputs, `stride` apart, into n accumulators.
  void rows(Acc* o, const T* a, int64_t rows, int64_t stride, int64_t n) const {
    if constexpr (!std::is_same_v<ContiguousAccumulate, std::nullptr_t>) {
      contiguous_accumulate_(o, a, rows, stride, n);
    } else {
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t i = 0; i < n; ++i) o[i] = combine_(o[i], a[r * stride + i]);
      }
    }
  }

  // A contiguous input of n elements into *o, by blocks of kReduceBlock.
  void to_one_value(Acc* o, const T* a, int64_t n) const {
    const int64_t blocks = (n + kReduceBlock - 1) / kReduceBlock;
    if (blocks <= 1) {
      row(o, a, n, 1);
      return;
    }
    const Tensor partials = scratch(blocks);
    Acc* p = partials.impl()->data<Acc>();
    parallel_for(blocks, std::max<int64_t>(get_parallel_grain() / kReduceBlock, 1),
                 [&](int64_t begin, int64_t end) {
                   for (int64_t b = begin; b < end; ++b) {
                     const int64_t first = b * kReduceBlock;
                     p[b] = init_;
                     row(p + b, a + first, std::min(kReduceBlock, n - first), 1);
                   }
                 });
    combine_partials(o, p, blocks, 1);
  }

  // A contiguous input read as r (outer_reduction) into its n_out outputs
  // at o, by tiles of kRowBlock rows by kColumnBlock columns. The tiles of
  // one row block write a partial row of their own, or the output when
  // there is one row block.
  void over_outer_dims(Acc* o, const T* a, const OuterReduction& r, int64_t n_out) const {
    const int64_t row_blocks = (r.rows + kRowBlock - 1) / kRowBlock;
    const int64_t column_blocks = (r.columns + kColumnBlock - 1) / kColumnBlock;
    const Tensor partials = row_blocks > 1 ? scratch(row_blocks * n_out) : Tensor();
    Acc* to = row_blocks > 1 ? partials.impl()->data<Acc>() : o;
    const int64_t tile_elements = std::min(r.rows, kRowBlock) * std::min(r.columns, kColumnBlock);
    const int64_t tiles = r.outer * row_blocks * column_blocks;
    parallel_for(tiles, (get_parallel_grain() + tile_elements - 1) / tile_elements,
                 [&](int64_t begin, int64_t end) {
                   for (int64_t t = begin; t < end; ++t) {
                     const int64_t row_block = t / column_blocks % row_blocks;
                     const int64_t outer = t / column_blocks / row_blocks;
                     const int64_t row = row_block * kRowBlock;
                     const int64_t column = t % column_blocks * kColumnBlock;
                     const int64_t columns = std::min(kColumnBlock, r.columns - column);
                     Acc* acc = to + (row_block * r.outer + outer) * r.columns + column;
                     if (row_blocks > 1) std::fill_n(acc, columns, init_);
                     rows(acc, a + (outer * r.rows + row) * r.columns + column,
                          std::min(kRowBlock, r.rows - row), r.columns, columns);
                   }
                 });
    if (row_blocks > 1) combine_partials(o, to, row_blocks, n_out);
  }

  // Any layout, the output read as broadcast over the input (stride 0 on
  // the reduced dims), visited in the input's memory order and split over
  // the kept dims only.
  void strided(Acc* o, const TensorImpl& x, absl::Span<const bool> mask) const {
    Shape kept_shape = x.shape;
    for (size_t d = 0; d < mask.size(); ++d) {
      if (mask[d]) kept_shape[d] = 1;
    }
    Shape out_strides = contiguous_strides(kept_shape);
    for (size_t d = 0; d < mask.size(); ++d) {
      if (mask[d]) out_strides[d] = 0;
    }
    const T* px = x.data<T>();
    StridedLoop<2> loop(x.shape, {&out_strides, &x.strides}, /*order_by=*/1);
    loop.for_each_row_parallel([&](const auto& off, int64_t n, const auto& st) {
      Acc* po = o + off[0];
      const T* a = px + off[1];
      if (st[0] == 0) {
        row(po, a, n, st[1]);
      } else if (st[0] == 1 && st[1] == 1) {
        rows(po, a, 1, n, n);
      } else {
        for (int64_t i = 0; i < n; ++i) po[i * st[0]] = combine_(po[i * st[0]], a[i * st[1]]);
      }
    });
  }

  // Accumulators and partial results are tensors: large ones come from
  // Storage's per-thread cache, where a heap block of that size went back
  // to the system at every free and was faulted in again at every call.
  static Tensor scratch(int64_t n) { return empty(Shape{n}, dtype_of<Acc>()); }

 private:
  // Partial results of `blocks` blocks of n, combined in block order into o.
  void combine_partials(Acc* o, const Acc* partials, int64_t blocks, int64_t n) const {
    parallel_for(n, get_parallel_grain(), [&](int64_t begin, int64_t end) {
      for (int64_t b = 0; b < blocks; ++b) {
        const Acc* p = partials + b * n;
        for (int64_t i = begin; i < end; ++i) o[i] = combine_(o[i], p[i]);
      }
    });
  }

  Acc init_;
  Combine combine_;
  ContiguousRow contiguous_row_;
  ContiguousAccumulate contiguous_accumulate_;
};

// Folds x (of type T) over the dims in `mask` into a new tensor of
// `out_shape`, x's shape with the reduced dims kept as 1 or dropped (the
// memory is the same), starting every output at `init`: combine(Acc, T) and
// combine(Acc, Acc) give an Acc, rounded to T at the end. `contiguous_row`,
// if given, folds a contiguous row of n elements (const T*, n) to an Acc;
// `contiguous_accumulate`, if given, combines `rows` contiguous input rows of
// n elements, `stride` apart, into a contiguous row of accumulators
// (Acc*, const T*, rows, stride, n) as combine would.
template <class T, class Acc, class Combine, class ContiguousRow = std::nullptr_t,
          class ContiguousAccumulate = std::nullptr_t>
Tensor reduce_kernel(const Tensor& x, absl::Span<const bool> mask, const Shape& out_shape, Acc init,
                     Combine combine, ContiguousRow contiguous_row = nullptr,
                     ContiguousAccumulate contiguous_accumulate = nullptr) {
  using Fold = Folds<T, Acc, Combine, ContiguousRow, ContiguousAccumulate>;
  const Fold fold(init, combine, contiguous_row, contiguous_accumulate);
  const TensorImpl& xi = *x.impl();
  Tensor out = empty(out_shape, xi.dtype);
  const int64_t n_out = out.numel();
  Tensor wide;  // the accumulators, when Acc is wider than T
  Acc* po = nullptr;
  if constexpr (std::is_same_v<Acc, T>) {
    po = out.impl()->data<T>();
  } else {
    wide = Fold::scratch(n_out);
    po = wide.impl()->data<Acc>();
  }
  std::fill_n(po, n_out, init);
  const std::optional<OuterReduction> outer = outer_reduction(xi, mask);
  if (n_out == 1 && xi.is_contiguous()) {
    fold.to_one_value(po, xi.data<T>(), xi.numel());
  } else if (outer) {
    fold.over_outer_dims(po, xi.data<T>(), *outer, n_out);
  } else {
    fold.strided(po, xi, mask);
  }
  if constexpr (!std::is_same_v<Acc, T>) {
    T* to = out.impl()->data<T>();
    for (int64_t i = 0; i < n_out; ++i) to[i] = static_cast<T>(po[i]);
  }
  return out;
}

}  // namespace minitorch

#endif  // MINITORCH_SRC_KERNELS_REDUCE_H_
