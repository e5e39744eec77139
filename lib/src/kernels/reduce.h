// The reduction kernel: folds a tensor over a set of dims with a combine
// function. The output is read as broadcast over the input (stride 0 on the
// reduced dims) and the loop visits the input in memory order: a row along
// a reduced dim folds into a register accumulator (8 lanes, so it
// vectorises); a row along a kept dim accumulates elementwise into the
// output. Rows split over threads only along kept dims, so every output is
// folded in one fixed order at every thread count. Folds accumulate in their
// own type: a float32 sum accumulates in double (contiguous rows through
// fast::sum_in_double), so a sum of 10^7 values is within float32
// precision, where 8 float lanes were 1% off.
#ifndef MINITORCH_SRC_KERNELS_REDUCE_H_
#define MINITORCH_SRC_KERNELS_REDUCE_H_

#include <cstddef>
#include <type_traits>
#include <vector>

#include "absl/types/span.h"
#include "kernels/loops.h"
#include "minitorch/tensor.h"
#include "tensor_impl.h"

namespace minitorch {

// Folds x (of type T) over the dims in `mask` into a new tensor of
// `out_shape`, x's shape with the reduced dims kept as 1 or dropped (the
// memory is the same), starting every output at `init`: combine(Acc, T) and
// combine(Acc, Acc) give an Acc, rounded to T at the end. `contiguous_row`,
// if given, folds a contiguous row of n elements (const T*, n) to an Acc;
// `contiguous_accumulate`, if given, combines a contiguous input row into a
// contiguous row of accumulators (Acc*, const T*, n) as combine would.
template <class T, class Acc, class Combine, class ContiguousRow = std::nullptr_t,
          class ContiguousAccumulate = std::nullptr_t>
Tensor reduce_kernel(const Tensor& x, absl::Span<const bool> mask, const Shape& out_shape, Acc init,
                     Combine combine, ContiguousRow contiguous_row = nullptr,
                     ContiguousAccumulate contiguous_accumulate = nullptr) {
  const TensorImpl& xi = *x.impl();
  Tensor out = empty(out_shape, xi.dtype);
  const int64_t n_out = out.numel();
  std::vector<Acc> wide;  // the accumulators, when Acc is wider than T
  Acc* po = nullptr;
  if constexpr (std::is_same_v<Acc, T>) {
    po = out.impl()->data<T>();
  } else {
    wide.resize(static_cast<size_t>(n_out));
    po = wide.data();
  }
  for (int64_t i = 0; i < n_out; ++i) po[i] = init;
  const auto round_out = [&] {
    if constexpr (!std::is_same_v<Acc, T>) {
      T* to = out.impl()->data<T>();
      for (int64_t i = 0; i < n_out; ++i) to[i] = static_cast<T>(po[i]);
    }
  };
  const T* px = xi.data<T>();
  // A row along reduced dims folds into 8 register lanes (so it vectorises),
  // or by `contiguous_row` where there is one and the row is contiguous.
  const auto fold_row = [&](Acc* o, const T* a, int64_t n, int64_t stride) {
    if constexpr (!std::is_same_v<ContiguousRow, std::nullptr_t>) {
      if (stride == 1) {
        *o = combine(*o, contiguous_row(a, n));
        return;
      }
    }
    constexpr int kLanes = 8;
    Acc lanes[kLanes];
    for (Acc& lane : lanes) lane = init;
    int64_t i = 0;
    if (stride == 1) {
      for (; i + kLanes <= n; i += kLanes) {
        for (int l = 0; l < kLanes; ++l) lanes[l] = combine(lanes[l], a[i + l]);
      }
    }
    for (; i < n; ++i) lanes[0] = combine(lanes[0], a[i * stride]);
    Acc acc = *o;
    for (const Acc lane : lanes) acc = combine(acc, lane);
    *o = acc;
  };
  if (n_out == 1 && xi.is_contiguous()) {
    fold_row(po, px, xi.numel(), 1);
    round_out();
    return out;
  }
  // The output read as broadcast over the input: stride 0 on reduced dims.
  Shape kept_shape = xi.shape;
  for (size_t d = 0; d < mask.size(); ++d) {
    if (mask[d]) kept_shape[d] = 1;
  }
  Shape out_strides = contiguous_strides(kept_shape);
  for (size_t d = 0; d < mask.size(); ++d) {
    if (mask[d]) out_strides[d] = 0;
  }
  StridedLoop<2> loop(xi.shape, {&out_strides, &xi.strides}, /*order_by=*/1);
  loop.for_each_row_parallel([&](const auto& off, int64_t n, const auto& st) {
    Acc* o = po + off[0];
    const T* a = px + off[1];
    if (st[0] == 0) {
      fold_row(o, a, n, st[1]);
    } else if (st[0] == 1 && st[1] == 1) {
      if constexpr (!std::is_same_v<ContiguousAccumulate, std::nullptr_t>) {
        contiguous_accumulate(o, a, n);
      } else {
        for (int64_t i = 0; i < n; ++i) o[i] = combine(o[i], a[i]);
      }
    } else {
      for (int64_t i = 0; i < n; ++i) o[i * st[0]] = combine(o[i * st[0]], a[i * st[1]]);
    }
  });
  round_out();
  return out;
}

}  // namespace minitorch

#endif  // MINITORCH_SRC_KERNELS_REDUCE_H_
