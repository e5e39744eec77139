// The reference: every op of the op table on plain arrays, over any scalar
// type, and an interpreter that runs OpCalls and Programs on them.
//
// It shares no code with the library: arrays are (shape, row-major values)
// and every op walks multi-indices with textbook loops, so a bug in the
// library's strides, broadcasting or kernels cannot hide in both. The ops are
// written once over a scalar type S: with S = double they are the plain
// forward references of the op registry; with S = Dual<long double, K>
// (testing/dual.h) the interpreter is a forward-mode AD in extended precision,
// the exact Jacobian the verdict (testing/verdict.h) judges gradients by.
// Formulas stay stable at any magnitude (max-shifted softmax, log-sum-exp and
// sigmoid), and ties and kinks take LibTorch's subgradients (dual.h).
//
// Each op is named as the op table names its function, so the interpreter is
// the table's switch through call_form (testing/op_forms.h), as the minitorch
// and LibTorch interpreters are.
#ifndef MINITORCH_TESTING_REFERENCE_H_
#define MINITORCH_TESTING_REFERENCE_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "minitorch/minitorch.h"
#include "testing/dual.h"
#include "testing/op_call.h"
#include "testing/op_forms.h"
#include "testing/recycled.h"

namespace minitorch::testing {

// A reference array's values: over dual numbers, in recycled storage
// (testing/recycled.h); plain values in a plain vector.
template <class S>
using RefValues = std::conditional_t<kHasTangents<S>, std::vector<S, Recycled<S>>, std::vector<S>>;

template <class S>
struct RefArrayT {
  std::vector<int64_t> shape;
  RefValues<S> values;  // row-major
};
using RefArray = RefArrayT<double>;

// An int64 constant of a call: class targets, embedding indices, where's
// condition (nonzero: true).
struct RefIndices {
  std::vector<int64_t> shape;
  std::vector<int64_t> values;
};

// Multi-index arithmetic over row-major shapes.
namespace ref_index {
int64_t count(const std::vector<int64_t>& shape);
int64_t ravel(const std::vector<int64_t>& index, const std::vector<int64_t>& shape);
// NumPy broadcasting of two shapes (assumed compatible).
std::vector<int64_t> broadcast(const std::vector<int64_t>& a, const std::vector<int64_t>& b);
// Flat position in `shape` of `index`, an index of a broadcast shape of rank
// >= shape's rank.
int64_t at_broadcast(const std::vector<int64_t>& shape, const std::vector<int64_t>& index);
// Walks the multi-indices of a row-major shape in order, without
// allocating per step: for (MultiIndex i(shape); i.valid(); i.next()) ... *i.
class MultiIndex {
 public:
  explicit MultiIndex(const std::vector<int64_t>& shape)
      : shape_(shape), index_(shape.size(), 0), remaining_(count(shape)) {}
  bool valid() const { return remaining_ > 0; }
  const std::vector<int64_t>& operator*() const { return index_; }
  void next() {
    --remaining_;
    for (size_t i = shape_.size(); i-- > 0;) {
      if (++index_[i] < shape_[i]) return;
      index_[i] = 0;
    }
  }

 private:
  const std::vector<int64_t>& shape_;
  std::vector<int64_t> index_;
  int64_t remaining_;
};
// `d` in [-rank, rank) as a non-negative dim.
int64_t wrap(int64_t d, size_t rank);
// Which dims `dims` names (empty: all).
std::vector<bool> dim_mask(const std::vector<int64_t>& dims, size_t rank);
}  // namespace ref_index

template <class S>
RefArrayT<S> to_ref_as(const Tensor& t) {
  RefArrayT<S> out{std::vector<int64_t>(t.shape().begin(), t.shape().end()), {}};
  out.values.reserve(static_cast<size_t>(t.numel()));
  for (double v : t.to_vector()) out.values.push_back(constant<S>(v));
  return out;
}
RefArray to_ref(const Tensor& t);
RefIndices to_ref_indices(const Tensor& t);

// The op table's functions over reference arrays.
namespace ref {

template <class S, class F>
RefArrayT<S> map(const RefArrayT<S>& a, const F& f) {
  RefArrayT<S> out{a.shape, {}};
  out.values.reserve(a.values.size());
  for (const S& v : a.values) out.values.push_back(f(v));
  return out;
}

// f over the broadcast of a and b, index by index.
template <class S, class F>
RefArrayT<S> zip(const RefArrayT<S>& a, const RefArrayT<S>& b, const F& f) {
  RefArrayT<S> out{ref_index::broadcast(a.shape, b.shape), {}};
  out.values.reserve(static_cast<size_t>(ref_index::count(out.shape)));
  for (ref_index::MultiIndex index(out.shape); index.valid(); index.next()) {
    out.values.push_back(f(a.values[ref_index::at_broadcast(a.shape, *index)],
                           b.values[ref_index::at_broadcast(b.shape, *index)]));
  }
  return out;
}

// Folds each group of elements that `dims` (empty: all) reduces with
// `fold(group)`, the group in row-major order.
template <class S, class F>
RefArrayT<S> reduce(const RefArrayT<S>& a, const std::vector<int64_t>& dims, bool keepdim,
                    const F& fold) {
  const std::vector<bool> mask = ref_index::dim_mask(dims, a.shape.size());
  std::vector<int64_t> kept;
  for (size_t i = 0; i < a.shape.size(); ++i) kept.push_back(mask[i] ? 1 : a.shape[i]);
  const auto groups = static_cast<size_t>(ref_index::count(kept));
  const size_t group_size = groups == 0 ? 0 : a.values.size() / groups;
  // The groups side by side in one buffer: a Dual element is hundreds of
  // bytes, and a vector per group would allocate and regrow for each.
  RefValues<S> grouped(a.values.size());
  std::vector<size_t> filled(groups, 0);
  int64_t flat = 0;
  for (ref_index::MultiIndex index(a.shape); index.valid(); index.next(), ++flat) {
    // Reduced dims have size 1 in `kept`, so they broadcast away.
    const auto group = static_cast<size_t>(ref_index::at_broadcast(kept, *index));
    grouped[group * group_size + filled[group]++] = a.values[flat];
  }
  RefArrayT<S> out;
  out.values.reserve(groups);
  for (size_t g = 0; g < groups; ++g) {
    out.values.push_back(fold(std::span<const S>(grouped).subspan(g * group_size, group_size)));
  }
  for (size_t i = 0; i < a.shape.size(); ++i) {
    if (!mask[i] || keepdim) out.shape.push_back(kept[i]);
  }
  return out;
}

// Replaces each line of `a` along `dim` by `f(line)` (same length).
template <class S, class F>
RefArrayT<S> along(const RefArrayT<S>& a, int64_t dim_in, const F& f) {
  RefArrayT<S> out = a;
  if (a.shape.empty()) {
    out.values = f(a.values);
    return out;
  }
  const int64_t dim = ref_index::wrap(dim_in, a.shape.size());
  int64_t inner = 1;
  for (size_t i = static_cast<size_t>(dim) + 1; i < a.shape.size(); ++i) inner *= a.shape[i];
  const int64_t size = a.shape[static_cast<size_t>(dim)];
  const int64_t outer = ref_index::count(a.shape) / std::max<int64_t>(size * inner, 1);
  RefValues<S> line(static_cast<size_t>(size));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      for (int64_t k = 0; k < size; ++k) line[k] = a.values[(o * size + k) * inner + i];
      const RefValues<S> result = f(line);
      for (int64_t k = 0; k < size; ++k) out.values[(o * size + k) * inner + i] = result[k];
    }
  }
  return out;
}

template <class S>
S sum_of(std::span<const S> group) {
  S total = constant<S>(0);
  for (const S& v : group) total += v;
  return total;
}

// The largest value of a group, ignoring tangents; NaN if any is NaN.
template <class S>
auto max_value(std::span<const S> group) {
  using B = decltype(value_of(group[0]));
  B m = -std::numeric_limits<B>::infinity();
  for (const S& v : group) {
    const B x = value_of(v);
    if (x != x) return x;
    m = std::max(m, x);
  }
  return m;
}

// The max, its gradient shared evenly among the elements that attain it
// (LibTorch's amax). A NaN max is NaN with a NaN gradient for the whole
// group: LibTorch's mask (x == max) is empty, and it divides by its count, 0.
template <class S>
S amax_of(std::span<const S> group) {
  const auto m = max_value(group);
  const bool nan = m != m;
  const int64_t ties =
      std::count_if(group.begin(), group.end(), [m](const S& v) { return value_of(v) == m; });
  const S share = constant<S>(nan ? NAN : 1.0 / static_cast<double>(ties));
  S out = constant<S>(m);
  for (const S& v : group) {
    // The tangent only, times its weight: 1/ties for a maximum, 0 for the rest.
    const S weight = nan || value_of(v) == m ? share : constant<S>(0);
    out += tangent_part(v) * weight;
  }
  if constexpr (IsDual<S>::value) {
    // A rounded max is off by at most the largest rounding in the group
    // (|max x' - max x| <= max |x' - x|): an element that is not the max
    // exactly may be the max of the rounded values.
    for (const S& v : group) out.vm = std::max(out.vm, finite_or_zero(v.vm));
  }
  return out;
}

// The largest finite max of a group (0 if none): the shift that keeps every
// exp from overflowing.
template <class S>
auto shift_of(std::span<const S> group) {
  auto m = max_value(group);
  if (std::isinf(m)) m = 0;
  return m;
}

// log(sum(exp(x - m))) for the group's shift m.
template <class S, class B>
S log_sum_shifted(std::span<const S> group, B m) {
  S total = constant<S>(0);
  for (const S& v : group) total += scalar::exp(v - constant<S>(m));
  S out = scalar::log(total);
  if constexpr (IsDual<S>::value) {
    // log-sum-exp moves by at most the largest move of its operands
    // (|lse(x') - lse(x)| <= max |x'_j - x_j|), however small an operand's
    // weight at the exact point: an entry far below the maximum may be the
    // maximum of the rounded values (a float GEMM entry off by 1e216 where
    // its exact value is 1e-184), which the first-order bound weighs by 0.
    for (const S& v : group) out.vm = std::max(out.vm, finite_or_zero(v.vm));
  }
  return out;
}

template <class S>
S logsumexp_of(std::span<const S> group) {
  const auto m = shift_of(group);
  return log_sum_shifted(group, m) + constant<S>(m);
}

// softmax or log_softmax of a line, from x - m: x - logsumexp(x) would
// lose log(sum) (about 1) against a max of 1e300, in any precision. Unlike
// logsumexp's, the shift is the max even when infinite, so a line holding
// inf is NaN throughout, as LibTorch's.
template <class S>
RefValues<S> softmax_line(std::span<const S> line, bool log) {
  const auto m = max_value(line);
  const S log_sum = log_sum_shifted(line, m);
  RefValues<S> out;
  out.reserve(line.size());
  for (const S& v : line) {
    const S shifted = v - constant<S>(m) - log_sum;
    out.push_back(log ? shifted : scalar::exp(shifted));
  }
  if constexpr (kCarriesBounds<S>) {
    if (log) {
      // log_softmax's backward (minitorch's and LibTorch's) evaluates each
      // softmax weight as exp(y_j) from the stored output, whose absolute
      // rounding is that weight's relative error: the weighted term
      // sum_j exp(y_j) dx_j of every output is off by up to
      // sum_j exp(y_j) |dx_j| rounding(y_j).
      std::array<typename S::Base, S::kTangents> weights_error{};
      for (size_t j = 0; j < out.size(); ++j) {
        const auto weight_error = std::exp(out[j].v) * finite_or_zero(out[j].vm);
        for (int k = 0; k < S::kTangents; ++k) {
          weights_error[k] += finite_or_zero(weight_error * line[j].m[k]);
        }
      }
      for (S& y : out) {
        for (int k = 0; k < S::kTangents; ++k) y.e[k] += weights_error[k];
      }
    }
  }
  return out;
}

template <class S>
RefArrayT<S> add(const RefArrayT<S>& a, const RefArrayT<S>& b) {
  return zip(a, b, [](const S& x, const S& y) { return x + y; });
}
template <class S>
RefArrayT<S> sub(const RefArrayT<S>& a, const RefArrayT<S>& b) {
  return zip(a, b, [](const S& x, const S& y) { return x - y; });
}
template <class S>
RefArrayT<S> mul(const RefArrayT<S>& a, const RefArrayT<S>& b) {
  return zip(a, b, [](const S& x, const S& y) { return x * y; });
}
template <class S>
RefArrayT<S> div(const RefArrayT<S>& a, const RefArrayT<S>& b) {
  return zip(a, b, [](const S& x, const S& y) { return x / y; });
}
template <class S>
RefArrayT<S> pow(const RefArrayT<S>& a, const RefArrayT<S>& b) {
  return zip(a, b, [](const S& x, const S& y) { return scalar::pow(x, y); });
}
template <class S>
RefArrayT<S> maximum(const RefArrayT<S>& a, const RefArrayT<S>& b) {
  return zip(a, b, [](const S& x, const S& y) { return scalar::extremum<true>(x, y); });
}
template <class S>
RefArrayT<S> minimum(const RefArrayT<S>& a, const RefArrayT<S>& b) {
  return zip(a, b, [](const S& x, const S& y) { return scalar::extremum<false>(x, y); });
}

template <class S>
RefArrayT<S> neg(const RefArrayT<S>& a) {
  return map(a, [](const S& x) { return -x; });
}
#define MINITORCH_REF_UNARY(name)                              \
  template <class S>                                           \
  RefArrayT<S> name(const RefArrayT<S>& a) {                   \
    return map(a, [](const S& x) { return scalar::name(x); }); \
  }
MINITORCH_REF_UNARY(exp)
MINITORCH_REF_UNARY(log)
MINITORCH_REF_UNARY(sqrt)
MINITORCH_REF_UNARY(abs)
MINITORCH_REF_UNARY(tanh)
MINITORCH_REF_UNARY(sigmoid)
MINITORCH_REF_UNARY(relu)
#undef MINITORCH_REF_UNARY

template <class S>
RefArrayT<S> clamp(const RefArrayT<S>& a, std::optional<double> lo, std::optional<double> hi) {
  const double l = lo.value_or(-INFINITY), h = hi.value_or(INFINITY);
  return map(a, [l, h](const S& x) { return scalar::clamp(x, l, h); });
}
template <class S>
RefArrayT<S> pow(const RefArrayT<S>& a, double exponent) {
  return map(a, [exponent](const S& x) { return scalar::pow_constant(x, exponent); });
}

template <class S>
RefArrayT<S> sum(const RefArrayT<S>& a, const std::vector<int64_t>& dims = {},
                 bool keepdim = false) {
  return reduce(a, dims, keepdim, [](std::span<const S> g) { return sum_of(g); });
}
template <class S>
RefArrayT<S> mean(const RefArrayT<S>& a, const std::vector<int64_t>& dims = {},
                  bool keepdim = false) {
  return reduce(a, dims, keepdim, [](std::span<const S> g) {
    return sum_of(g) / constant<S>(static_cast<double>(g.size()));
  });
}
template <class S>
RefArrayT<S> amax(const RefArrayT<S>& a, const std::vector<int64_t>& dims = {},
                  bool keepdim = false) {
  return reduce(a, dims, keepdim, [](std::span<const S> g) { return amax_of(g); });
}
template <class S>
RefArrayT<S> logsumexp(const RefArrayT<S>& a, const std::vector<int64_t>& dims, bool keepdim) {
  return reduce(a, dims, keepdim, [](std::span<const S> g) { return logsumexp_of(g); });
}

// 1-D operands become a row (a) or a column (b) and lose that dim again;
// batch dims broadcast.
template <class S>
RefArrayT<S> matmul(const RefArrayT<S>& a, const RefArrayT<S>& b) {
  std::vector<int64_t> a_shape = a.shape, b_shape = b.shape;
  const bool a_vec = a_shape.size() == 1, b_vec = b_shape.size() == 1;
  if (a_vec) a_shape.insert(a_shape.begin(), 1);
  if (b_vec) b_shape.push_back(1);
  const int64_t m = a_shape[a_shape.size() - 2], k = a_shape.back(), n = b_shape.back();
  RefArrayT<S> out;
  out.shape = ref_index::broadcast({a_shape.begin(), a_shape.end() - 2},
                                   {b_shape.begin(), b_shape.end() - 2});
  out.shape.push_back(m);
  out.shape.push_back(n);
  out.values.reserve(static_cast<size_t>(ref_index::count(out.shape)));
  std::vector<int64_t> ia, ib;
  for (ref_index::MultiIndex index(out.shape); index.valid(); index.next()) {
    // Row i of a and column j of b: their p-th elements are p and p * n
    // past the first.
    ia = ib = *index;
    ia.back() = 0;
    ib[ib.size() - 2] = 0;
    const int64_t a0 = ref_index::at_broadcast(a_shape, ia);
    const int64_t b0 = ref_index::at_broadcast(b_shape, ib);
    S acc = constant<S>(0);
    for (int64_t p = 0; p < k; ++p) acc += a.values[a0 + p] * b.values[b0 + p * n];
    out.values.push_back(acc);
  }
  if (a_vec) out.shape.erase(out.shape.end() - 2);
  if (b_vec) out.shape.pop_back();
  return out;
}

// -1 takes what the other dims leave.
template <class S>
RefArrayT<S> reshape(const RefArrayT<S>& a, std::vector<int64_t> shape) {
  int64_t known = 1;
  for (int64_t d : shape) known *= d == -1 ? 1 : d;
  for (int64_t& d : shape) {
    if (d == -1) d = known == 0 ? 0 : ref_index::count(a.shape) / known;
  }
  return {shape, a.values};
}
template <class S>
RefArrayT<S> permute(const RefArrayT<S>& a, const std::vector<int64_t>& dims_in) {
  std::vector<int64_t> dims;
  for (int64_t d : dims_in) dims.push_back(ref_index::wrap(d, a.shape.size()));
  RefArrayT<S> out;
  for (int64_t d : dims) out.shape.push_back(a.shape[static_cast<size_t>(d)]);
  out.values.reserve(a.values.size());
  std::vector<int64_t> source(dims.size());
  for (ref_index::MultiIndex index(out.shape); index.valid(); index.next()) {
    for (size_t i = 0; i < dims.size(); ++i) source[static_cast<size_t>(dims[i])] = (*index)[i];
    out.values.push_back(a.values[ref_index::ravel(source, a.shape)]);
  }
  return out;
}
template <class S>
RefArrayT<S> transpose(const RefArrayT<S>& a, int64_t d0, int64_t d1) {
  std::vector<int64_t> dims;
  for (size_t i = 0; i < a.shape.size(); ++i) dims.push_back(static_cast<int64_t>(i));
  if (!dims.empty()) {
    std::swap(dims[ref_index::wrap(d0, dims.size())], dims[ref_index::wrap(d1, dims.size())]);
  }
  return permute(a, dims);
}
// -1 keeps the input's dim; new dims lead.
template <class S>
RefArrayT<S> expand(const RefArrayT<S>& a, std::vector<int64_t> shape) {
  const size_t lead = shape.size() - a.shape.size();
  for (size_t i = lead; i < shape.size(); ++i) {
    if (shape[i] == -1) shape[i] = a.shape[i - lead];
  }
  RefArrayT<S> out{shape, {}};
  out.values.reserve(static_cast<size_t>(ref_index::count(out.shape)));
  for (ref_index::MultiIndex index(out.shape); index.valid(); index.next()) {
    out.values.push_back(a.values[ref_index::at_broadcast(a.shape, *index)]);
  }
  return out;
}
template <class S>
RefArrayT<S> squeeze(const RefArrayT<S>& a) {
  RefArrayT<S> out{{}, a.values};
  for (int64_t d : a.shape) {
    if (d != 1) out.shape.push_back(d);
  }
  return out;
}
template <class S>
RefArrayT<S> squeeze(const RefArrayT<S>& a, int64_t dim) {
  if (a.shape.empty()) return a;
  RefArrayT<S> out = a;
  const int64_t d = ref_index::wrap(dim, a.shape.size());
  if (a.shape[static_cast<size_t>(d)] == 1) out.shape.erase(out.shape.begin() + d);
  return out;
}
template <class S>
RefArrayT<S> unsqueeze(const RefArrayT<S>& a, int64_t dim) {
  RefArrayT<S> out = a;
  const int64_t d = ref_index::wrap(dim, a.shape.size() + 1);
  out.shape.insert(out.shape.begin() + d, 1);
  return out;
}

template <class S>
RefArrayT<S> softmax(const RefArrayT<S>& a, int64_t dim) {
  return along(a, dim, [](std::span<const S> line) { return softmax_line(line, false); });
}
template <class S>
RefArrayT<S> log_softmax(const RefArrayT<S>& a, int64_t dim) {
  return along(a, dim, [](std::span<const S> line) { return softmax_line(line, true); });
}

// Mean over rows of -sum(target * log_softmax(logits)); logits (C) or (N, C).
template <class S, class TargetWeight>
RefArrayT<S> cross_entropy_by(const RefArrayT<S>& logits, const TargetWeight& weight) {
  const RefArrayT<S> logp = log_softmax(logits, -1);
  const int64_t classes = logits.shape.back();
  // LibTorch's mean divides by numel / C: 0 / 0 without classes.
  if (classes == 0) return {{}, {constant<S>(NAN)}};
  const int64_t rows = ref_index::count(logits.shape) / classes;
  S total = constant<S>(0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < classes; ++c) {
      const std::optional<S> w = weight(r, c);
      if (w) total += *w * logp.values[r * classes + c];
    }
  }
  return {{}, {-total / constant<S>(static_cast<double>(rows))}};
}
template <class S>
RefArrayT<S> cross_entropy(const RefArrayT<S>& logits, const RefIndices& target) {
  return cross_entropy_by(logits, [&](int64_t r, int64_t c) -> std::optional<S> {
    if (target.values[r] != c) return std::nullopt;
    return constant<S>(1);
  });
}
template <class S>
RefArrayT<S> cross_entropy(const RefArrayT<S>& logits, const RefArrayT<S>& target) {
  const int64_t classes = logits.shape.back();
  return cross_entropy_by(logits, [&](int64_t r, int64_t c) -> std::optional<S> {
    return target.values[r * classes + c];
  });
}

// What where's branch not taken adds: nothing but its NaN paths (select_off).
template <class S>
S not_taken(const S& x) {
  if constexpr (IsDual<S>::value) {
    return select_off(x, 0);
  } else {
    return S(0);
  }
}

template <class S>
RefArrayT<S> where(const RefIndices& condition, const RefArrayT<S>& a, const RefArrayT<S>& b) {
  RefArrayT<S> out{ref_index::broadcast(condition.shape, ref_index::broadcast(a.shape, b.shape))};
  out.values.reserve(static_cast<size_t>(ref_index::count(out.shape)));
  for (ref_index::MultiIndex i(out.shape); i.valid(); i.next()) {
    const bool take_a = condition.values[ref_index::at_broadcast(condition.shape, *i)] != 0;
    const S& x = a.values[ref_index::at_broadcast(a.shape, *i)];
    const S& y = b.values[ref_index::at_broadcast(b.shape, *i)];
    // The branch not taken is selected off (dual.h).
    out.values.push_back(take_a ? x + not_taken(y) : y + not_taken(x));
  }
  return out;
}

// Rows of `weight` (V, D) picked by `indices`: shape indices.shape + (D).
template <class S>
RefArrayT<S> embedding(const RefArrayT<S>& weight, const RefIndices& indices) {
  const int64_t width = weight.shape.back();
  // Rows no index picks get an exact zero gradient in reverse mode, which
  // their earlier partials then multiply: every output carries their NaN
  // paths (select_off), as every cotangent meets them.
  std::vector<bool> picked(static_cast<size_t>(weight.shape.at(0)), false);
  for (int64_t row : indices.values) picked[static_cast<size_t>(row)] = true;
  S unpicked = constant<S>(0);
  for (size_t i = 0; i < weight.values.size(); ++i) {
    if (!picked[i / static_cast<size_t>(width)]) unpicked += not_taken(weight.values[i]);
  }
  RefArrayT<S> out{indices.shape, {}};
  out.shape.push_back(width);
  out.values.reserve(static_cast<size_t>(ref_index::count(out.shape)));
  for (int64_t row : indices.values) {
    for (int64_t c = 0; c < width; ++c)
      out.values.push_back(weight.values[row * width + c] + unpicked);
  }
  return out;
}

// The entries at positions `picked` along `dim` (dim dropped unless
// keep_dim). As for embedding's rows, the entries never picked get an exact
// zero gradient in reverse mode, which their earlier partials multiply:
// every output carries their NaN paths.
template <class S>
RefArrayT<S> picked_along(const RefArrayT<S>& a, int64_t dim, const std::vector<int64_t>& picked,
                          bool keep_dim) {
  const auto d = static_cast<size_t>(dim);
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < d; ++i) outer *= a.shape[i];
  for (size_t i = d + 1; i < a.shape.size(); ++i) inner *= a.shape[i];
  const int64_t size = a.shape[d];
  std::vector<bool> used(static_cast<size_t>(size), false);
  for (int64_t p : picked) {
    if (p < 0 || p >= size) throw std::invalid_argument("reference: index out of range");
    used[static_cast<size_t>(p)] = true;
  }
  S unpicked = constant<S>(0);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < size; ++j) {
      if (used[static_cast<size_t>(j)]) continue;
      for (int64_t i = 0; i < inner; ++i)
        unpicked += not_taken(a.values[(o * size + j) * inner + i]);
    }
  }
  RefArrayT<S> out{a.shape, {}};
  out.shape[d] = static_cast<int64_t>(picked.size());
  if (!keep_dim) out.shape.erase(out.shape.begin() + dim);
  out.values.reserve(static_cast<size_t>(ref_index::count(out.shape)));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t p : picked) {
      for (int64_t i = 0; i < inner; ++i)
        out.values.push_back(a.values[(o * size + p) * inner + i] + unpicked);
    }
  }
  return out;
}
// LibTorch's bounds: negative ones count from the end, then both clamp to
// [0, size], and an end before the start selects nothing.
template <class S>
RefArrayT<S> slice(const RefArrayT<S>& a, int64_t dim_in, int64_t start, int64_t end,
                   int64_t step) {
  if (a.shape.empty() || step <= 0) throw std::invalid_argument("reference slice: bad arguments");
  const int64_t dim = ref_index::wrap(dim_in, a.shape.size());
  const int64_t size = a.shape[static_cast<size_t>(dim)];
  const auto clamped = [size](int64_t b) {
    return std::clamp<int64_t>(b < 0 ? b + size : b, 0, size);
  };
  std::vector<int64_t> picked;
  for (int64_t i = clamped(start); i < clamped(end); i += step) picked.push_back(i);
  return picked_along(a, dim, picked, true);
}
template <class S>
RefArrayT<S> narrow(const RefArrayT<S>& a, int64_t dim_in, int64_t start, int64_t length) {
  if (a.shape.empty()) throw std::invalid_argument("reference narrow: 0-dim input");
  const int64_t dim = ref_index::wrap(dim_in, a.shape.size());
  if (start < 0) start += a.shape[static_cast<size_t>(dim)];
  std::vector<int64_t> picked;
  for (int64_t i = start; i < start + length; ++i) picked.push_back(i);
  return picked_along(a, dim, picked, true);
}
template <class S>
RefArrayT<S> select(const RefArrayT<S>& a, int64_t dim_in, int64_t index) {
  if (a.shape.empty()) throw std::invalid_argument("reference select: 0-dim input");
  const int64_t dim = ref_index::wrap(dim_in, a.shape.size());
  if (index < 0) index += a.shape[static_cast<size_t>(dim)];
  return picked_along(a, dim, {index}, false);
}
template <class S>
RefArrayT<S> index_select(const RefArrayT<S>& a, int64_t dim_in, const RefIndices& index) {
  if (a.shape.empty()) throw std::invalid_argument("reference index_select: 0-dim input");
  return picked_along(a, ref_index::wrap(dim_in, a.shape.size()), index.values, true);
}

// out[i][j][k] = a[i][index[i][j][k]][k] (dim 1). As for embedding, the
// entries never read carry their NaN paths into every output.
template <class S>
RefArrayT<S> gather(const RefArrayT<S>& a, int64_t dim_in, const RefIndices& index) {
  const std::vector<int64_t> a_shape = a.shape.empty() ? std::vector<int64_t>{1} : a.shape;
  const std::vector<int64_t> i_shape = index.shape.empty() ? std::vector<int64_t>{1} : index.shape;
  if (a_shape.size() != i_shape.size()) throw std::invalid_argument("reference gather: rank");
  const auto d = static_cast<size_t>(ref_index::wrap(dim_in, a_shape.size()));
  std::vector<bool> read(a.values.size(), false);
  std::vector<int64_t> positions;
  for (ref_index::MultiIndex i(i_shape); i.valid(); i.next()) {
    std::vector<int64_t> source = *i;
    source[d] = index.values[positions.size()];
    if (source[d] < 0 || source[d] >= a_shape[d]) {
      throw std::invalid_argument("reference gather: index out of range");
    }
    positions.push_back(ref_index::ravel(source, a_shape));
    read[static_cast<size_t>(positions.back())] = true;
  }
  S unread = constant<S>(0);
  for (size_t e = 0; e < a.values.size(); ++e) {
    if (!read[e]) unread += not_taken(a.values[e]);
  }
  RefArrayT<S> out{index.shape, {}};
  for (int64_t p : positions) out.values.push_back(a.values[static_cast<size_t>(p)] + unread);
  return out;
}

// a with src's entries added where index points (dim 1):
// out[i][index[i][j][k]][k] += src[i][j][k]. src's entries past index's shape
// are never read: as gather's, they carry their NaN paths into every output.
template <class S>
RefArrayT<S> scatter_add(const RefArrayT<S>& a, int64_t dim_in, const RefIndices& index,
                         const RefArrayT<S>& src) {
  const auto as_1d = [](const std::vector<int64_t>& s) {
    return s.empty() ? std::vector<int64_t>{1} : s;
  };
  const std::vector<int64_t> a_shape = as_1d(a.shape), i_shape = as_1d(index.shape),
                             s_shape = as_1d(src.shape);
  // An empty index adds nothing, and its shapes are not checked (LibTorch's rule).
  if (!index.values.empty() &&
      (a_shape.size() != i_shape.size() || s_shape.size() != i_shape.size())) {
    throw std::invalid_argument("reference scatter_add: rank");
  }
  const auto d = static_cast<size_t>(ref_index::wrap(dim_in, a_shape.size()));
  RefArrayT<S> out = a;
  std::vector<bool> read(src.values.size(), false);
  size_t k = 0;
  for (ref_index::MultiIndex i(i_shape); i.valid(); i.next(), ++k) {
    std::vector<int64_t> target = *i;
    target[d] = index.values[k];
    if (target[d] < 0 || target[d] >= a_shape[d]) {
      throw std::invalid_argument("reference scatter_add: index out of range");
    }
    const auto from = static_cast<size_t>(ref_index::ravel(*i, s_shape));
    out.values[static_cast<size_t>(ref_index::ravel(target, a_shape))] += src.values[from];
    read[from] = true;
  }
  S unread = constant<S>(0);
  for (size_t e = 0; e < src.values.size(); ++e) {
    if (!read[e]) unread += not_taken(src.values[e]);
  }
  for (S& v : out.values) v += unread;
  return out;
}

// The arrays' entries in order along `dim` (sizes may differ only there).
template <class S>
RefArrayT<S> cat(const std::vector<RefArrayT<S>>& parts, int64_t dim_in) {
  std::vector<const RefArrayT<S>*> kept;  // LibTorch skips 1-D empty tensors
  for (const RefArrayT<S>& p : parts) {
    if (!(p.shape.size() == 1 && p.shape[0] == 0)) kept.push_back(&p);
  }
  if (kept.empty()) return RefArrayT<S>{{0}, {}};  // at any dim
  const RefArrayT<S>& first = *kept[0];
  if (first.shape.empty()) throw std::invalid_argument("reference cat: 0-dim tensor");
  const auto d = static_cast<size_t>(ref_index::wrap(dim_in, first.shape.size()));
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < d; ++i) outer *= first.shape[i];
  for (size_t i = d + 1; i < first.shape.size(); ++i) inner *= first.shape[i];
  RefArrayT<S> out{first.shape, {}};
  out.shape[d] = 0;
  for (const RefArrayT<S>* p : kept) out.shape[d] += p->shape[d];
  for (int64_t o = 0; o < outer; ++o) {
    for (const RefArrayT<S>* p : kept) {
      const int64_t block = p->shape[d] * inner;
      for (int64_t i = 0; i < block; ++i) out.values.push_back(p->values[o * block + i]);
    }
  }
  return out;
}
template <class S>
RefArrayT<S> stack(const std::vector<RefArrayT<S>>& parts, int64_t dim_in) {
  const int64_t dim = ref_index::wrap(dim_in, parts.at(0).shape.size() + 1);
  std::vector<RefArrayT<S>> lifted;
  for (const RefArrayT<S>& p : parts) lifted.push_back(unsqueeze(p, dim));
  return cat(lifted, dim);
}

template <class S>
RefArrayT<S> clone(const RefArrayT<S>& a) {
  return a;
}

// The reference side of call_form (op_forms.h).
template <class S>
struct Lib {
  using Tensor = RefArrayT<S>;
  static RefIndices constant(const minitorch::Tensor& t) { return to_ref_indices(t); }
  static RefIndices condition(const minitorch::Tensor& t) { return to_ref_indices(t); }
  static std::optional<double> bound(std::optional<double> b) { return b; }
  // The values as they are: a dtype conversion's rounding belongs to the
  // working precision, which the verdict models.
  static const Tensor& other_float(const Tensor& x) { return x; }
};

// Runs `c` on `x` (the op's tensor operands: a vector of arrays, or
// OperandRefs) in the reference.
template <class S, class Operands = std::vector<RefArrayT<S>>>
RefArrayT<S> call(const OpCall& c, const Operands& x) {
  using Lib = ref::Lib<S>;
  switch (c.op) { MINITORCH_FOR_EACH_OP(MINITORCH_TESTING_CALL_CASE) }
  throw std::invalid_argument("reference call: op value outside the op table");
}

}  // namespace ref

// A step's operands by reference: a Dual<long double, 16> is 800 bytes, and
// copying every operand of every step cost the fuzzers more than computing
// with them.
template <class T>
class OperandRefs {
 public:
  OperandRefs(const Step& step, const std::vector<T>& values) {
    for (const int a : step.args) refs_.push_back(&values.at(static_cast<size_t>(a)));
  }
  const T& at(size_t i) const { return *refs_.at(i); }
  void replace(size_t i, const T* value) { refs_.at(i) = value; }

 private:
  std::vector<const T*> refs_;
};

// Runs `program` in the reference; `after_step(i, value)` sees (and may
// change) step i's result before later steps read it, and `read_as(i, a,
// value)` may give the value numbered a as step i reads it, where that
// differs from the value stored (std::nullopt: as stored).
template <class S, class AfterStep, class ReadAs>
RefArrayT<S> reference_program(const Program& program, std::vector<RefArrayT<S>> values,
                               const AfterStep& after_step, const ReadAs& read_as) {
  values.reserve(values.size() + program.size());
  for (size_t i = 0; i < program.size(); ++i) {
    OperandRefs<RefArrayT<S>> operands(program[i], values);
    std::vector<RefArrayT<S>> read;
    read.reserve(program[i].args.size());
    for (size_t k = 0; k < program[i].args.size(); ++k) {
      std::optional<RefArrayT<S>> as_read = read_as(i, program[i].args[k], operands.at(k));
      if (!as_read) continue;
      read.push_back(std::move(*as_read));
      operands.replace(k, &read.back());
    }
    values.push_back(ref::call<S>(program[i].call, operands));
    after_step(i, values.back());
  }
  return std::move(values.back());
}

template <class S, class AfterStep>
RefArrayT<S> reference_program(const Program& program, std::vector<RefArrayT<S>> values,
                               const AfterStep& after_step) {
  return reference_program(
      program, std::move(values), after_step,
      [](size_t, int, const RefArrayT<S>&) -> std::optional<RefArrayT<S>> { return std::nullopt; });
}

// The plain double references the op registry names.
using Unary = std::function<double(double)>;
using Binary = std::function<double(double, double)>;

RefArray ref_unary(const RefArray& a, const Unary& f);
// NumPy broadcasting, written out index by index.
RefArray ref_binary(const RefArray& a, const RefArray& b, const Binary& f);
// Folds the dims in `dims` (empty: all) with `f` from `init`; `finish` maps
// (accumulated value, count of reduced elements) to the result.
RefArray ref_reduce(const RefArray& a, std::vector<int64_t> dims, bool keepdim, double init,
                    const Binary& f, const Binary& finish);
RefArray ref_logsumexp(const RefArray& a, std::vector<int64_t> dims, bool keepdim);
RefArray ref_matmul(const RefArray& a, const RefArray& b);
RefArray ref_permute(const RefArray& a, const std::vector<int64_t>& dims);
RefArray ref_expand(const RefArray& a, const std::vector<int64_t>& shape);
RefArray ref_softmax(const RefArray& a, int64_t dim, bool log);
// Mean cross-entropy; `target` holds class indices (shape (N,)) or
// probabilities (logits' shape).
RefArray ref_cross_entropy(const RefArray& logits, const RefArray& target, bool class_target);

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTING_REFERENCE_H_
