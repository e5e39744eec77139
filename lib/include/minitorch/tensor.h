// minitorch::Tensor: an N-d array of float32, float64 or int64 with
// reverse-mode autograd.
//
// A Tensor is a cheap shared handle, as in LibTorch: copying a Tensor aliases
// the same data and autograd state. Views (transpose, permute, expand,
// squeeze, unsqueeze, view, and reshape wherever strides allow) share
// storage with their base. The free functions in ops.h are the operations; the methods
// below forward to them where LibTorch has the method too.
//
// Example:
//   using namespace minitorch;
//   Tensor w = randn({3, 2}, /*seed=*/1).requires_grad_();
//   Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
//   Tensor loss = matmul(x, w).tanh().sum();
//   loss.backward();
//   std::vector<double> dw = w.grad().to_vector();   // d loss / d w, row-major
#ifndef MINITORCH_TENSOR_H_
#define MINITORCH_TENSOR_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/types/span.h"
#include "minitorch/dtype.h"
#include "minitorch/indexing.h"
#include "minitorch/shape.h"

namespace minitorch {

struct TensorImpl;  // Internal: storage, shape, strides, offset, autograd state.

class Tensor {
 public:
  // An undefined tensor: defined() is false and every other call throws.
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl);

  // --- Metadata -----------------------------------------------------------
  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  Shape sizes() const { return shape(); }  // LibTorch's name for shape().
  int64_t dim() const;
  // Size of dim `d`; negative d counts from the end.
  int64_t size(int64_t d) const;
  // Strides in elements (not bytes), one per dim.
  const Shape& strides() const;
  int64_t numel() const;
  DType dtype() const;
  bool is_contiguous() const;

  // --- Autograd -----------------------------------------------------------
  bool requires_grad() const;
  // Marks a leaf as requiring grad. Throws on non-leaves and int64 tensors.
  Tensor& requires_grad_(bool requires_grad = true);
  // True for tensors not produced by a recorded op.
  bool is_leaf() const;
  // The gradient accumulated by backward() into a leaf; undefined until a
  // backward reaches it, and always undefined for non-leaves.
  Tensor grad() const;
  // Replaces (or, with an undefined tensor, clears) a leaf's gradient, as
  // LibTorch's `mutable_grad() = ...` does. The shape must match.
  void set_grad(const Tensor& grad);
  // Name of the op that produced this tensor ("mul", ...); empty for leaves.
  std::string grad_fn_name() const;
  // Backpropagates from this tensor. With no argument the tensor must hold
  // one element; otherwise `gradient` has this tensor's shape. The graph is
  // freed afterwards unless retain_graph; create_graph records the backward
  // itself so it can be differentiated again (and implies retain_graph).
  // As in LibTorch, a leaf's recorded .grad() may then hold a graph that
  // holds the leaf (x * x saves x): a cycle that outlives both until the
  // gradient is cleared with set_grad(Tensor()). grad() has no such cycle.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false,
                bool create_graph = false) const;
  // Same data, no autograd history, requires_grad false.
  Tensor detach() const;

  // --- Data ---------------------------------------------------------------
  // This tensor if contiguous, else a contiguous copy (differentiable).
  Tensor contiguous() const;
  // Converts the dtype (differentiable between float dtypes).
  Tensor to(DType dtype) const;
  // A copy with its own storage (differentiable).
  Tensor clone() const;
  // The single element as a double. Throws unless numel() == 1.
  double item() const;
  // The single element as T (float, double, int64_t or bool), converted from
  // the tensor's dtype without a detour through double.
  template <class T>
  T item() const;
  // The first element's address (views start at their offset). T must be
  // the dtype's C++ type (float, double, int64_t, bool), else an Error.
  template <class T>
  T* data_ptr() const;
  // All elements in row-major order, as doubles.
  std::vector<double> to_vector() const;
  // One line for messages: shape, dtype and the first 16 values (operator<<
  // prints LibTorch's layout).
  std::string to_string() const;

  // --- Methods that LibTorch has; see ops.h for their meaning -------------
  Tensor add(const Tensor& other) const;
  Tensor sub(const Tensor& other) const;
  Tensor mul(const Tensor& other) const;
  Tensor div(const Tensor& other) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(double exponent) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor neg() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor clamp(std::optional<double> min, std::optional<double> max) const;
  Tensor sum() const;
  Tensor sum(absl::Span<const int64_t> dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(absl::Span<const int64_t> dims, bool keepdim = false) const;
  Tensor amax() const;
  Tensor amax(absl::Span<const int64_t> dims, bool keepdim = false) const;
  Tensor logsumexp(absl::Span<const int64_t> dims, bool keepdim = false) const;
  Tensor matmul(const Tensor& other) const;
  Tensor reshape(absl::Span<const int64_t> shape) const;
  // As reshape, but always a view: an Error where the strides cannot give
  // `shape` (a transposed tensor flattened), as LibTorch.
  Tensor view(absl::Span<const int64_t> shape) const;
  Tensor slice(int64_t dim = 0, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  // x[...] as in LibTorch's x.index({...}) (integers, Slice, None,
  // Ellipsis; see indexing.h): always a view of this tensor.
  Tensor index(std::initializer_list<indexing::TensorIndex> indices) const;
  // x[...] = value, written in place through that view (version-counted).
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& value);
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, double value);
  Tensor masked_fill(const Tensor& mask, double value) const;
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor any() const;
  Tensor all() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true,
                                  bool sorted = true) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;
  Tensor permute(absl::Span<const int64_t> dims) const;
  Tensor expand(absl::Span<const int64_t> shape) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

  // --- In-place ops, for optimizers and initialisers ----------------------
  // They bump the storage's version counter, so a backward that would read a
  // tensor modified after it was saved throws instead of returning a wrong
  // gradient. On a leaf that requires grad they throw unless grad mode is off
  // (wrap optimizer updates in NoGradGuard). Never recorded in the graph.
  Tensor& zero_();
  Tensor& fill_(double value);
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  Tensor& sub_(const Tensor& other, double alpha = 1.0);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(double factor);
  Tensor& copy_(const Tensor& source);

  // Internal handle; not part of the stable API.
  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }

 private:
  const TensorImpl& checked_impl() const;
  std::shared_ptr<TensorImpl> impl_;
};

// Prints `t` as LibTorch's operator<< does: the values in one number format
// (a column for 1-D, rows for 2-D, "(i,j,.,.) = " matrices above), columns
// in blocks that fit `line_width`, then "[ CPUFloatType{2,3} ]". Beyond
// LibTorch, a tensor of more than 1000 elements shows 3 entries at each end
// of every dim and "..." between (docs/design.md).
std::ostream& print(std::ostream& os, const Tensor& t, int64_t line_width = 80);
std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace minitorch

#endif  // MINITORCH_TENSOR_H_
