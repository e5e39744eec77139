// Comparisons and logical ops (bool results), any/all, and argmax/argmin
// (int64 results). None is differentiable, so none is recorded, as in
// LibTorch.
#include <cmath>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "ops/op_util.h"

namespace minitorch {

namespace {

// x's values as `dtype`, outside autograd.
Tensor as_dtype(const Tensor& x, DType dtype) {
  NoGradGuard no_grad;
  return x.dtype() == dtype ? x : x.to(dtype);
}

// pred(a, b) elementwise, broadcast, in the operands' promoted dtype.
template <class Pred>
Tensor compare(const Tensor& a_in, const Tensor& b_in, const char* op, Pred pred) {
  check_defined(a_in, op, "operand a");
  check_defined(b_in, op, "operand b");
  const Shape shape = broadcast_shapes(a_in.shape(), b_in.shape(), op);
  const DType common = result_type(a_in, b_in);
  const Tensor a = as_dtype(a_in, common), b = as_dtype(b_in, common);
  return dispatch_all(common, [&]<class T>() {
    return map_binary<T, bool>(
        a, b, shape, [pred](T x, T y) { return pred(x, y); }, kBool);
  });
}

// A scalar to compare x with: in x's dtype when x is floating (as LibTorch
// compares a float32 tensor with a number in float32), else int64 for a
// whole number and float64 otherwise.
Tensor scalar_for(const Tensor& x, double value, const char* op) {
  check_defined(x, op, "operand a");
  if (is_floating(x.dtype())) return scalar_tensor(value, x.dtype());
  return scalar_tensor(
      value, value == static_cast<double>(static_cast<int64_t>(value)) ? kInt64 : kFloat64);
}

// f(line, n) for every line of x along `dim`, in x's dtype T: a tensor of
// x's shape without dim (kept as 1 with keepdim) of dtype `out_dtype`.
template <class Out, class F>
Tensor along_lines(const Tensor& x, int64_t dim, bool keepdim, DType out_dtype, const char* op,
                   F f) {
  // The dim moved last (the others keep their order), so each line is a
  // contiguous row and rows come in the result's order.
  absl::InlinedVector<int64_t, kInlineRank> order;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (d != dim) order.push_back(d);
  }
  order.push_back(dim);
  Tensor rows;
  {
    NoGradGuard no_grad;
    rows = permute(x, order).contiguous();
  }
  Shape shape = x.shape();
  if (keepdim) {
    shape[dim] = 1;
  } else {
    shape.erase(shape.begin() + dim);
  }
  Tensor out = empty(shape, out_dtype, op);
  const int64_t n = x.size(dim);
  dispatch_all(x.dtype(), [&]<class T>() {
    const T* p = rows.impl()->data<T>();
    Out* o = out.impl()->data<Out>();
    const int64_t count = out.numel();
    for (int64_t r = 0; r < count; ++r) o[r] = f(p + r * n, n);
    return 0;
  });
  return out;
}

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(v);
  } else {
    return false;
  }
}

// x as lines along one dim: x itself (a 0-dim x as one element) with dim
// wrapped, or every element as one line when no dim is given.
std::pair<Tensor, int64_t> lines_of(const Tensor& x, std::optional<int64_t> dim, const char* op) {
  if (!dim) return {reshape(x.detach(), {-1}), 0};
  const int64_t d = wrap_dim(*dim, std::max<int64_t>(x.dim(), 1), op);
  return {x.dim() == 0 ? reshape(x.detach(), {1}) : x, d};
}

// The reduced result in LibTorch's shape: 0-dim for a 0-dim input or no dim
// (all ones with keepdim and no dim).
Tensor in_reduced_shape(const Tensor& out, const Tensor& x, std::optional<int64_t> dim,
                        bool keepdim) {
  if (x.dim() == 0) return reshape(out, {});
  if (!dim)
    return keepdim ? reshape(out, Shape(static_cast<size_t>(x.dim()), 1)) : reshape(out, {});
  return out;
}

// The position of the first extreme of each line: `better(v, best)` says v
// beats the best so far, and a NaN beats everything (LibTorch's rule).
template <class Better>
Tensor arg_extreme(const Tensor& x, std::optional<int64_t> dim_in, bool keepdim, const char* op,
                   Better better) {
  check_defined(x, op, "input");
  MT_CHECK(x.dtype() != kBool, op, ": not defined for bool tensors");
  const auto [lines, dim] = lines_of(x, dim_in, op);
  MT_CHECK(lines.size(dim) > 0, op, ": cannot reduce a dim of size 0 (shape ",
           x.shape().to_string(), ")");
  const Tensor out = along_lines<int64_t>(lines, dim, keepdim && dim_in, kInt64, op,
                                          [&](const auto* line, int64_t n) {
                                            int64_t best = 0;
                                            for (int64_t i = 1; i < n && !is_nan(line[best]); ++i) {
                                              if (is_nan(line[i]) || better(line[i], line[best]))
                                                best = i;
                                            }
                                            return best;
                                          });
  return in_reduced_shape(out, x, dim_in, keepdim);
}

// Whether any (all) elements of each line are nonzero.
Tensor any_or_all(const Tensor& x, std::optional<int64_t> dim_in, bool keepdim, bool all,
                  const char* op) {
  check_defined(x, op, "input");
  const auto [lines, dim] = lines_of(x, dim_in, op);
  const Tensor out = along_lines<bool>(lines, dim, keepdim && dim_in, kBool, op,
                                       [all](const auto* line, int64_t n) {
                                         for (int64_t i = 0; i < n; ++i) {
                                           if ((line[i] != 0) != all) return !all;
                                         }
                                         return all;
                                       });
  return in_reduced_shape(out, x, dim_in, keepdim);
}

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare(a, b, "eq", std::equal_to<>()); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(a, b, "ne", std::not_equal_to<>()); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(a, b, "lt", std::less<>()); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(a, b, "le", std::less_equal<>()); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(a, b, "gt", std::greater<>()); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(a, b, "ge", std::greater_equal<>()); }
Tensor eq(const Tensor& a, double b) { return eq(a, scalar_for(a, b, "eq")); }
Tensor ne(const Tensor& a, double b) { return ne(a, scalar_for(a, b, "ne")); }
Tensor lt(const Tensor& a, double b) { return lt(a, scalar_for(a, b, "lt")); }
Tensor le(const Tensor& a, double b) { return le(a, scalar_for(a, b, "le")); }
Tensor gt(const Tensor& a, double b) { return gt(a, scalar_for(a, b, "gt")); }
Tensor ge(const Tensor& a, double b) { return ge(a, scalar_for(a, b, "ge")); }

Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator==(const Tensor& a, double b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, double b) { return ne(a, b); }
Tensor operator<(const Tensor& a, double b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, double b) { return le(a, b); }
Tensor operator>(const Tensor& a, double b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, double b) { return ge(a, b); }

Tensor logical_not(const Tensor& x) {
  check_defined(x, "logical_not", "input");
  return compare(x, scalar_tensor(0, kBool), "logical_not", std::equal_to<>());
}
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return compare(a, b, "logical_and", [](auto x, auto y) { return x != 0 && y != 0; });
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return compare(a, b, "logical_or", [](auto x, auto y) { return x != 0 || y != 0; });
}

Tensor any(const Tensor& x) { return any_or_all(x, std::nullopt, false, false, "any"); }
Tensor any(const Tensor& x, int64_t dim, bool keepdim) {
  return any_or_all(x, dim, keepdim, false, "any");
}
Tensor all(const Tensor& x) { return any_or_all(x, std::nullopt, false, true, "all"); }
Tensor all(const Tensor& x, int64_t dim, bool keepdim) {
  return any_or_all(x, dim, keepdim, true, "all");
}

Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(x, dim, keepdim, "argmax", std::greater<>());
}
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(x, dim, keepdim, "argmin", std::less<>());
}

Tensor Tensor::eq(const Tensor& other) const { return minitorch::eq(*this, other); }
Tensor Tensor::ne(const Tensor& other) const { return minitorch::ne(*this, other); }
Tensor Tensor::lt(const Tensor& other) const { return minitorch::lt(*this, other); }
Tensor Tensor::le(const Tensor& other) const { return minitorch::le(*this, other); }
Tensor Tensor::gt(const Tensor& other) const { return minitorch::gt(*this, other); }
Tensor Tensor::ge(const Tensor& other) const { return minitorch::ge(*this, other); }
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const {
  return minitorch::argmax(*this, dim, keepdim);
}
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const {
  return minitorch::argmin(*this, dim, keepdim);
}
Tensor Tensor::any() const { return minitorch::any(*this); }
Tensor Tensor::all() const { return minitorch::all(*this); }

}  // namespace minitorch
