// The differentiable operations of minitorch, as free functions.
//
// Names and semantics follow LibTorch's C++ frontend, so code ports by
// changing the namespace. Every op:
//   - accepts tensors of any strides (views, expanded, transposed);
//   - broadcasts its tensor operands NumPy-style where it is elementwise;
//   - promotes float32 with float64 to float64, as LibTorch does;
//   - throws minitorch::Error naming the op and the shapes or dims on misuse;
//   - records itself for autograd when grad mode is on and an input requires
//     grad.
// Dims may be negative (counting from the end). A reduction over an empty
// dim list reduces every dim, as LibTorch does.
//
// Example:
//   using namespace minitorch;
//   Tensor logits = randn({4, 10}, /*seed=*/7).requires_grad_();
//   Tensor target = tensor({1, 0, 9, 3}, {4}, kInt64);
//   Tensor loss = cross_entropy(logits, target);
//   loss.backward();   // logits.grad() == (softmax(logits, 1) - onehot) / 4
#ifndef MINITORCH_OPS_H_
#define MINITORCH_OPS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <tuple>
#include <vector>

#include "absl/types/span.h"
#include "minitorch/dtype.h"
#include "minitorch/shape.h"
#include "minitorch/tensor.h"

namespace minitorch {

// --- Creation ---------------------------------------------------------------
// `values` in row-major order; their count must equal the shape's numel.
// For kInt64 every value must be an integer.
Tensor tensor(const std::vector<double>& values, Shape shape, DType dtype = kFloat64);
// A 0-dim tensor holding `value`.
Tensor scalar_tensor(double value, DType dtype = kFloat64);
Tensor zeros(Shape shape, DType dtype = kFloat64);
Tensor ones(Shape shape, DType dtype = kFloat64);
Tensor full(Shape shape, double value, DType dtype = kFloat64);
// Standard normal / uniform [0, 1) values. Without a seed they come from
// the global generator, which `manual_seed` resets (as torch::manual_seed);
// with one, from a std::mt19937_64 of their own seeded with it. Either way
// a seed gives the same values on every platform.
Tensor randn(Shape shape, DType dtype = kFloat64);
Tensor rand(Shape shape, DType dtype = kFloat64);
Tensor randn(Shape shape, uint64_t seed, DType dtype = kFloat64);
Tensor rand(Shape shape, uint64_t seed, DType dtype = kFloat64);
// Integers uniform in [low, high) (or [0, high)), from the global generator.
Tensor randint(int64_t low, int64_t high, Shape shape, DType dtype = kInt64);
Tensor randint(int64_t high, Shape shape, DType dtype = kInt64);
// A random permutation of 0, 1, ..., n-1, from the global generator.
Tensor randperm(int64_t n, DType dtype = kInt64);
// Restarts the global generator from `seed`: every unseeded draw after it
// (randn, rand, randint, randperm, nn layers' initialisation) repeats.
void manual_seed(uint64_t seed);
// A tensor over `data`, which the caller owns, as contiguous `shape` of
// `dtype`: no copy, writes go both ways (as torch::from_blob). With a
// deleter, it is called on `data` when the last tensor using it goes.
Tensor from_blob(void* data, Shape shape, DType dtype = kFloat64);
Tensor from_blob(void* data, Shape shape, std::function<void(void*)> deleter,
                 DType dtype = kFloat64);
// 0, 1, ..., n-1 as int64 (or another dtype).
Tensor arange(int64_t n, DType dtype = kInt64);

// --- Elementwise binary, broadcasting ---------------------------------------
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& base, const Tensor& exponent);
Tensor pow(const Tensor& base, double exponent);
// Elementwise max/min; NaN propagates; at ties the gradient is split evenly.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

// --- Elementwise unary -------------------------------------------------------
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
// Gradient at 0 is 0 (sign(0)), as in LibTorch.
Tensor abs(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
// Gradient at 0 is 0, as in LibTorch.
Tensor relu(const Tensor& x);
// At least one bound must be given. The gradient passes where
// min <= x <= max (bounds included), as in LibTorch.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);

// --- Reductions ---------------------------------------------------------------
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, absl::Span<const int64_t> dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, absl::Span<const int64_t> dims, bool keepdim = false);
// Max over dims; at ties the gradient is split evenly among the maxima.
Tensor amax(const Tensor& x);
Tensor amax(const Tensor& x, absl::Span<const int64_t> dims, bool keepdim = false);
// log(sum(exp(x))) computed stably (finite for |x| up to the float range).
Tensor logsumexp(const Tensor& x, absl::Span<const int64_t> dims, bool keepdim = false);

// --- Linear algebra -----------------------------------------------------------
// LibTorch's semantics: 1-D x 1-D is a dot product, 2-D x 2-D a matrix
// product, 1-D operands are promoted by a prepended / appended dim that is
// removed afterwards, and batch dims (all but the last two) broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);

// --- Views ---------------------------------------------------------------------
// One dim may be -1. A view wherever strides can give the shape (as
// Tensor::view, which refuses otherwise), else a copy.
Tensor reshape(const Tensor& x, absl::Span<const int64_t> shape);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor permute(const Tensor& x, absl::Span<const int64_t> dims);
// Size-1 dims broadcast to any size; new leading dims may be added; -1 keeps
// the existing size.
Tensor expand(const Tensor& x, absl::Span<const int64_t> shape);
// Removes every size-1 dim, or `dim` if its size is 1.
Tensor squeeze(const Tensor& x);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor unsqueeze(const Tensor& x, int64_t dim);

// --- Indexing ------------------------------------------------------------------
// Views of part of x along `dim`, sharing its storage (a write through them
// reaches x), as in LibTorch:
// - slice: elements start, start + step, ... before end; negative bounds
//   count from the end, and both are clamped to [0, size]; step > 0.
// - narrow: `length` elements from `start` (negative: from the end).
// - select: element `index` (negative: from the end), with `dim` removed.
Tensor slice(const Tensor& x, int64_t dim = 0, std::optional<int64_t> start = std::nullopt,
             std::optional<int64_t> end = std::nullopt, int64_t step = 1);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& x, int64_t dim, int64_t index);
// A copy of the entries along `dim` at the positions in `index` (0-dim or
// 1-D int64, each in [0, size)); any dtype. The gradient adds each entry's
// gradient back where it was picked (repeated indices accumulate).
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
// out[i][j][k] = x[i][index[i][j][k]][k] for dim 1 (and so on): `index` is
// int64 of x's rank, no larger than x in the other dims; the result has its
// shape. The gradient adds each entry back where it was read (scatter-add).
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
// x with src's entries added at the positions `index` names along `dim`:
// out[i][index[i][j][k]][k] += src[i][j][k] for dim 1 (and so on), repeated
// positions accumulating. `index` is int64 of x's rank, no larger than src
// in any dim nor than x in the dims but `dim`; src's entries past index's
// shape are not read. x and src share a dtype. The gradient is grad for x
// and grad gathered by index for src.
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
// The maximum (minimum) along `dim` and its int64 position, as LibTorch's
// max(dim): the first of equal extremes, a NaN the extreme; the values'
// gradient goes to that position alone.
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
// The k largest (largest = false: smallest) entries along `dim` and their
// int64 positions, as LibTorch's topk: NaN counts as the largest value, and
// the result is sorted (first the largest; with largest = false, first the
// smallest), equal values by position. Any dtype but bool; the values'
// gradient goes to the positions picked.
std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true,
                                bool sorted = true);
// x with `value` where the bool `mask` (broadcast to x's shape) is set; the
// gradient is zero there.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);

// --- Normalisation and loss ------------------------------------------------
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
// Mean cross-entropy between `logits` of shape (N, C) (or (C,)) and either
// kInt64 class indices of shape (N,) (or ()) in [0, C), or float class
// probabilities of the logits' shape.
Tensor cross_entropy(const Tensor& logits, const Tensor& target);

// --- Lookup -----------------------------------------------------------------
// Rows of `weight` (num, dim) picked by kInt64 `indices` of any shape: the
// result has shape indices.shape() + [dim]. The gradient of weight adds each
// row's gradient into the row it came from (repeated indices accumulate).
Tensor embedding(const Tensor& weight, const Tensor& indices);

// --- Joining and splitting -----------------------------------------------------
// The tensors joined along `dim` (cat: an existing dim, in which their sizes
// may differ; stack: a new dim, equal shapes), in their promoted dtype. Each
// input's gradient is its part of the result's, as a view. cat skips 1-D
// empty tensors, as LibTorch's.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
// Views of x along `dim`: parts of split_size (the last may be smaller), or
// `chunks` parts of ceil(size / chunks) (fewer when they run out).
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);

// --- Comparisons and logical ops (not differentiable) ----------------------
// Elementwise, broadcasting, in the operands' promoted dtype (bool < int64 <
// float32 < float64); the result is kBool. A number is compared in a float
// tensor's dtype, as LibTorch does.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, double b);
Tensor ne(const Tensor& a, double b);
Tensor lt(const Tensor& a, double b);
Tensor le(const Tensor& a, double b);
Tensor gt(const Tensor& a, double b);
Tensor ge(const Tensor& a, double b);
// Nonzero is true (NaN too).
Tensor logical_not(const Tensor& x);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
// Whether any / all elements (of each line along `dim`) are nonzero: kBool.
Tensor any(const Tensor& x);
Tensor any(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor all(const Tensor& x);
Tensor all(const Tensor& x, int64_t dim, bool keepdim = false);

// --- Reductions to indices (not differentiable) ----------------------------
// The int64 position of the first maximum (minimum) over every element (of
// the flattened tensor) or along `dim`; a NaN counts as the extreme, as in
// LibTorch. float or int64 input.
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);

// --- Other -------------------------------------------------------------------
// Elementwise choice: condition != 0 ? a : b, broadcasting all three.
// Differentiable in a and b.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);

// --- Operators -------------------------------------------------------------
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& x);
// A double operand becomes a 0-dim tensor of the tensor's dtype.
Tensor operator+(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(const Tensor& a, double b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(const Tensor& a, double b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(const Tensor& a, double b);
Tensor operator/(double a, const Tensor& b);

// Comparisons, as eq ... ge: kBool results.
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, double b);
Tensor operator!=(const Tensor& a, double b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);
}  // namespace minitorch

#endif  // MINITORCH_OPS_H_
