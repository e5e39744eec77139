// The inside of a Tensor: shared storage plus the view that reads it, and
// the autograd state of the tensor.
#ifndef MINITORCH_SRC_TENSOR_IMPL_H_
#define MINITORCH_SRC_TENSOR_IMPL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

#include "minitorch/dtype.h"
#include "minitorch/shape.h"
#include "minitorch/tensor.h"
#include "shape_util.h"

namespace minitorch {

class Node;

// A flat buffer shared by a tensor and all its views: 64-byte aligned on the
// heap, or inline for data of up to kInlineBytes.
// Buffers of kRecycledBytes and more come from (and go back to) a small
// per-thread cache: a training loop frees and allocates the same large sizes
// every step, and fresh multi-megabyte allocations cost page faults.
struct Storage {
 public:
  static constexpr size_t kRecycledBytes = size_t{64} << 10;

  explicit Storage(size_t nbytes);
  // A buffer the caller owns (from_blob): never freed here; `deleter`, if
  // set, is called on it when the last tensor using it goes.
  Storage(void* external, size_t nbytes, std::function<void(void*)> deleter);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data;
  size_t nbytes;
  size_t capacity;  // bytes actually allocated (rounded up when recycled)

  // Bumped by every in-place write. Shared by all views of the buffer, so a
  // tensor saved for backward notices writes made through any alias.
  std::atomic<uint32_t> version{0};

 private:
  // Set for a caller's buffer (from_blob), with its deleter (maybe empty).
  std::unique_ptr<std::function<void(void*)>> external_deleter_;
  // Small tensors (scalars, biases, the tiny graphs of per-op overhead) keep
  // their data here, saving an allocation per tensor. Aligned for any scalar
  // but no more: an over-aligned Storage would need aligned operator new,
  // which costs glibc several times a plain malloc.
  static constexpr size_t kInlineBytes = 64;
  alignas(alignof(std::max_align_t)) std::byte inline_[kInlineBytes];
};

// A kernel's working memory for one call on this thread: 64-byte aligned,
// from the same per-thread cache as large Storage buffers (at least
// kRecycledBytes, so small requests reuse one cached buffer too; none for a
// request of 0 bytes, where as() is null). A kernel that needs the same
// scratch at every call maps and faults its pages in once. It holds no
// tensor, so allocation_stats() does not count it.
class ScratchBuffer {
 public:
  explicit ScratchBuffer(size_t nbytes);
  ~ScratchBuffer();
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;

  template <class T>
  T* as() const {
    return static_cast<T*>(data_);
  }

 private:
  size_t capacity_;
  void* data_;
};

struct TensorImpl {
  TensorImpl() = default;
  // Releases grad_fn without recursing into its graph (see autograd/node.h).
  ~TensorImpl();
  TensorImpl(const TensorImpl&) = delete;
  TensorImpl& operator=(const TensorImpl&) = delete;

  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;       // in elements, not bytes; 0 on expanded dims
  int64_t offset = 0;  // in elements from storage->data, not bytes
  DType dtype = kFloat64;

  // Autograd state.
  bool requires_grad = false;              // leaves only; set by requires_grad_()
  std::shared_ptr<Node> grad_fn;           // the op that produced this tensor; null for leaves
  std::shared_ptr<Node> grad_accumulator;  // leaves that require grad: where backward deposits
  Tensor grad;                             // leaves only: accumulated gradient

  template <class T>
  T* data() const {
    return static_cast<T*>(storage->data) + offset;
  }
  bool is_contiguous() const;
  int64_t numel() const { return minitorch::numel(shape); }
};

// The DType whose C++ type is T.
template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return kFloat32;
  if constexpr (std::is_same_v<T, double>) return kFloat64;
  if constexpr (std::is_same_v<T, int64_t>) return kInt64;
  return kBool;
}

// A new contiguous tensor with uninitialised values. `op` names the caller
// in the error thrown for an invalid or too large shape.
Tensor empty(const Shape& shape, DType dtype, const char* op = "empty");

// LibTorch's legacy name of `dtype`'s CPU type ("CPUFloatType", ...), which
// printing shows as LibTorch does.
const char* torch_type_name(DType dtype);

// A tensor sharing `base`'s storage with another shape, strides and offset.
// No autograd state (the caller records the view op).
// Gives the leaf `tensor` the storage, layout and dtype of `data` (fresh
// storage) in place, so every handle to it sees the change (Module::to).
void replace_data(const Tensor& tensor, const Tensor& data);

// Clears every tensor's gradient (set_to_none) or zeroes it in place: the
// zero_grad of modules and optimizers.
void clear_grads(const std::vector<Tensor>& tensors, bool set_to_none);

Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset);

// Strides that read `t` as if expanded to `shape` (0 on broadcast dims), one per
// dim of `shape`. `t`'s shape must broadcast to `shape`.
Shape broadcast_strides(const TensorImpl& t, absl::Span<const int64_t> shape);

}  // namespace minitorch

#endif  // MINITORCH_SRC_TENSOR_IMPL_H_
