// Elementwise kernels: apply a scalar functor across tensors of any strides,
// broadcasting, into a new contiguous output.
//
// The functor is a template over the scalar type, so each op writes its math
// once (see ops/*.cc) and gets a float and a double kernel. The contiguous
// and scalar-broadcast rows are separate loops the compiler vectorises, each
// compiled for AVX-512, AVX2 and the baseline (kernels/target_clones.h): the
// baseline's 16-byte stores made a copy or an add of dense rows run at half
// the speed of 32-byte ones. Large outputs are split over the caller's
// threads (parallel.h).
#ifndef MINITORCH_SRC_KERNELS_ELEMENTWISE_H_
#define MINITORCH_SRC_KERNELS_ELEMENTWISE_H_

#include <cstdint>
#include <optional>

#include "check.h"
#include "kernels/loops.h"
#include "kernels/target_clones.h"
#include "minitorch/tensor.h"
#include "tensor_impl.h"

namespace minitorch {

// Calls fn.template operator()<T>() with T the C++ type of `dtype`, which
// must be a float dtype (else Error "op: expected a float tensor, got int64").
template <class Fn>
decltype(auto) dispatch_float(DType dtype, const char* op, Fn&& fn) {
  switch (dtype) {
    case kFloat32:
      return fn.template operator()<float>();
    case kFloat64:
      return fn.template operator()<double>();
    case kInt64:
    case kBool:
      break;
  }
  throw Error(absl::StrCat(op, ": expected a float32 or float64 tensor, got ", dtype_name(dtype)));
}

// As dispatch_float, for every dtype.
template <class Fn>
decltype(auto) dispatch_all(DType dtype, Fn&& fn) {
  switch (dtype) {
    case kFloat32:
      return fn.template operator()<float>();
    case kFloat64:
      return fn.template operator()<double>();
    case kInt64:
      return fn.template operator()<int64_t>();
    case kBool:
      return fn.template operator()<bool>();
  }
  MT_INTERNAL_ASSERT(false, "unknown dtype");
}

// The vectorised rows: o[i] = f(a[i]), o[i] = v, o[i] = f(a[i], b[i]) and
// the same with one operand a single value (a broadcast row).
namespace rows {

template <class Out, class T, class F>
MINITORCH_TEMPLATE_CLONES void map(Out* o, const T* a, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
}

template <class Out>
MINITORCH_TEMPLATE_CLONES void fill(Out* o, Out v, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = v;
}

template <class Out, class T, class F>
MINITORCH_TEMPLATE_CLONES void map(Out* o, const T* a, const T* b, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
}

template <class Out, class T, class F>
MINITORCH_TEMPLATE_CLONES void map(Out* o, const T* a, T b, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b);
}

template <class Out, class T, class F>
MINITORCH_TEMPLATE_CLONES void map(Out* o, T a, const T* b, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(a, b[i]);
}

}  // namespace rows

// out[i] = f(x[i]) for T-typed x; out has x's shape and dtype `out_dtype`.
template <class T, class Out = T, class F>
Tensor map_unary(const Tensor& x, DType out_dtype, F f) {
  const TensorImpl& xi = *x.impl();
  Tensor out = empty(xi.shape, out_dtype);
  Out* o = out.impl()->data<Out>();
  const T* a = xi.data<T>();
  if (xi.is_contiguous()) {
    parallel_for(xi.numel(), get_parallel_grain(), [&](int64_t begin, int64_t end) {
      rows::map(o + begin, a + begin, end - begin, f);
    });
    return out;
  }
  const Shape& out_strides = out.impl()->strides;
  StridedLoop<2> loop(xi.shape, {&out_strides, &xi.strides});
  loop.for_each_row_parallel([&](const auto& off, int64_t n, const auto& st) {
    Out* po = o + off[0];
    const T* pa = a + off[1];
    if (st[0] == 1 && st[1] == 0) {  // an expanded input: one value per row
      rows::fill(po, static_cast<Out>(f(*pa)), n);
    } else if (st[0] == 1 && st[1] == 1) {
      rows::map(po, pa, n, f);
    } else {
      for (int64_t i = 0; i < n; ++i) po[i * st[0]] = f(pa[i * st[1]]);
    }
  });
  return out;
}

// out[i] = f(a[i], b[i]) with a and b broadcast to `shape`; out has a's
// dtype, or `out_dtype` (of C++ type Out) when given.
template <class T, class Out = T, class F>
Tensor map_binary(const Tensor& a, const Tensor& b, const Shape& shape, F f,
                  std::optional<DType> out_dtype = std::nullopt) {
  const TensorImpl& ai = *a.impl();
  const TensorImpl& bi = *b.impl();
  Tensor out = empty(shape, out_dtype.value_or(ai.dtype));
  Out* o = out.impl()->data<Out>();
  const T* pa = ai.data<T>();
  const T* pb = bi.data<T>();
  if (ai.shape == shape && bi.shape == shape && ai.is_contiguous() && bi.is_contiguous()) {
    parallel_for(out.numel(), get_parallel_grain(), [&](int64_t begin, int64_t end) {
      rows::map(o + begin, pa + begin, pb + begin, end - begin, f);
    });
    return out;
  }
  const Shape sa = broadcast_strides(ai, shape);
  const Shape sb = broadcast_strides(bi, shape);
  StridedLoop<3> loop(shape, {&out.impl()->strides, &sa, &sb});
  loop.for_each_row_parallel([&](const auto& off, int64_t n, const auto& st) {
    Out* ro = o + off[0];
    const T* ra = pa + off[1];
    const T* rb = pb + off[2];
    if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
      rows::map(ro, ra, rb, n, f);
    } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {
      rows::map(ro, ra, *rb, n, f);
    } else if (st[0] == 1 && st[1] == 0 && st[2] == 1) {
      rows::map(ro, *ra, rb, n, f);
    } else {
      for (int64_t i = 0; i < n; ++i) ro[i * st[0]] = f(ra[i * st[1]], rb[i * st[2]]);
    }
  });
  return out;
}

// out[i] = f(a[i], b[i], c[i]) with a, b, c broadcast to `shape`; out has c's dtype.
template <class T, class F>
Tensor map_ternary(const Tensor& a, const Tensor& b, const Tensor& c, const Shape& shape, F f) {
  Tensor out = empty(shape, c.dtype());
  const Shape sa = broadcast_strides(*a.impl(), shape);
  const Shape sb = broadcast_strides(*b.impl(), shape);
  const Shape sc = broadcast_strides(*c.impl(), shape);
  T* o = out.impl()->data<T>();
  const T* pa = a.impl()->data<T>();
  const T* pb = b.impl()->data<T>();
  const T* pc = c.impl()->data<T>();
  StridedLoop<4> loop(shape, {&out.impl()->strides, &sa, &sb, &sc});
  loop.for_each_row_parallel([&](const auto& off, int64_t n, const auto& st) {
    for (int64_t i = 0; i < n; ++i) {
      o[off[0] + i * st[0]] =
          f(pa[off[1] + i * st[1]], pb[off[2] + i * st[2]], pc[off[3] + i * st[3]]);
    }
  });
  return out;
}

}  // namespace minitorch

#endif  // MINITORCH_SRC_KERNELS_ELEMENTWISE_H_
