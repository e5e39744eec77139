// The reduction kernel: folds a tensor over a set of dims with a combine
// function. The output is read as broadcast over the input (stride 0 on the
// reduced dims) and the loop visits the input in memory order: a row along
// a reduced dim folds into a register accumulator (8 lanes, so it
// vectorises); a row along a kept dim accumulates elementwise into the
// output. Rows split over threads only along kept dims, so every output is
// folded in one fixed order at every thread count.
#ifndef MINITORCH_SRC_KERNELS_REDUCE_H_
#define MINITORCH_SRC_KERNELS_REDUCE_H_

#include "absl/types/span.h"
#include "kernels/loops.h"
#include "minitorch/tensor.h"
#include "tensor_impl.h"

namespace minitorch {

// Folds x over the dims in `mask` into a new tensor of `out_shape`, x's
// shape with the reduced dims kept as 1 or dropped (the memory is the same),
// starting every output at `init`.
template <class T, class Combine>
Tensor reduce_kernel(const Tensor& x, absl::Span<const bool> mask, const Shape& out_shape, T init,
                     Combine combine) {
  const TensorImpl& xi = *x.impl();
  Tensor out = empty(out_shape, xi.dtype);
  T* po = out.impl()->data<T>();
  const int64_t n_out = out.numel();
  for (int64_t i = 0; i < n_out; ++i) po[i] = init;
  const T* px = xi.data<T>();
  // A row along reduced dims folds into 8 register lanes (so it vectorises).
  const auto fold_row = [&](T* o, const T* a, int64_t n, int64_t stride) {
    constexpr int kLanes = 8;
    T lanes[kLanes];
    for (T& lane : lanes) lane = init;
    int64_t i = 0;
    if (stride == 1) {
      for (; i + kLanes <= n; i += kLanes) {
        for (int l = 0; l < kLanes; ++l) lanes[l] = combine(lanes[l], a[i + l]);
      }
    }
    for (; i < n; ++i) lanes[0] = combine(lanes[0], a[i * stride]);
    T acc = *o;
    for (const T lane : lanes) acc = combine(acc, lane);
    *o = acc;
  };
  if (n_out == 1 && xi.is_contiguous()) {
    fold_row(po, px, xi.numel(), 1);
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
    T* o = po + off[0];
    const T* a = px + off[1];
    if (st[0] == 0) {
      fold_row(o, a, n, st[1]);
    } else if (st[0] == 1 && st[1] == 1) {
      for (int64_t i = 0; i < n; ++i) o[i] = combine(o[i], a[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) o[i * st[0]] = combine(o[i * st[0]], a[i * st[1]]);
    }
  });
  return out;
}

}  // namespace minitorch

#endif  // MINITORCH_SRC_KERNELS_REDUCE_H_
