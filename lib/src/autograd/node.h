// Graph nodes: what an op records so backward can run it in reverse.
//
// A Node is one recorded op. It has one output (every minitorch op has one)
// and one edge per tensor operand: the Node that produced the operand (or
// the operand's AccumulateGrad if it is a leaf), or null where the operand
// needs no gradient. Given d loss / d output, apply() returns one gradient
// per edge (undefined where the edge is null).
//
// Graphs are destroyed iteratively: every shared_ptr<Node> whose release
// could cascade (a node's edges, a tensor's grad_fn) goes through
// release_later(), which queues it on a thread-local list drained by a loop.
// Dropping the last handle to a graph a million nodes deep therefore frees it
// without a million nested destructor calls.
#ifndef MINITORCH_SRC_AUTOGRAD_NODE_H_
#define MINITORCH_SRC_AUTOGRAD_NODE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "minitorch/op_table.h"
#include "minitorch/tensor.h"
#include "tensor_impl.h"

namespace minitorch {

using GradList = absl::InlinedVector<Tensor, 3>;

// Which operands of a node need a gradient (bit i for operand i). Operands
// past the 32nd (a cat of many tensors) always count as needing one.
class GradMask {
 public:
  static constexpr size_t kBits = 32;
  explicit GradMask(unsigned bits) : bits_(bits) {}
  bool operator[](size_t i) const { return i >= kBits || ((bits_ >> i) & 1U) != 0; }

 private:
  unsigned bits_;
};

class Node;
struct BackwardContext;

// A tensor kept for backward. Records the storage version at save time so
// that an in-place write afterwards makes backward throw instead of
// computing with the new values. A saved output is kept without its grad_fn
// (the node itself: a strong reference would be a cycle) and reattached on
// unpack when the backward is itself being recorded (create_graph).
class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& tensor, bool is_output = false);
  Tensor unpack(const BackwardContext& ctx) const;
  const Shape& shape() const { return tensor_.shape(); }
  DType dtype() const { return tensor_.dtype(); }

 private:
  Tensor tensor_;
  uint32_t version_ = 0;
  bool is_output_ = false;
};

// What apply() hands to an op's backward formula.
struct BackwardContext {
  GradMask needs;                     // operands that need a gradient
  const std::shared_ptr<Node>& self;  // the node running
  const char* op;                     // its name, for error messages
};

class Node {
 public:
  Node(const Shape& output_shape, DType output_dtype);
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Gradients of the operands from the gradient of the output.
  virtual GradList apply(const Tensor& grad_output, const std::shared_ptr<Node>& self) = 0;
  // Drops what was saved for backward (called after backward unless the
  // graph is retained).
  virtual void release_saved() {}
  virtual const char* name() const = 0;
  virtual bool is_accumulator() const { return false; }

  const Shape& output_shape() const { return output_shape_; }
  DType output_dtype() const { return output_dtype_; }

  // One per tensor operand; null where that operand needs no gradient.
  absl::InlinedVector<std::shared_ptr<Node>, 3> next;

 private:
  Shape output_shape_;  // gradients arriving here must have this shape
  DType output_dtype_;
};

// Releases `node` (leaving it null) without recursing into the graph
// behind it (see the file comment).
void release_later(std::shared_ptr<Node>& node);

// The sink of a leaf that requires grad: adds incoming gradients into the
// leaf's .grad(). Holds the leaf weakly (the leaf owns its accumulator).
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(const std::shared_ptr<TensorImpl>& leaf);
  GradList apply(const Tensor& grad_output, const std::shared_ptr<Node>& self) override;
  const char* name() const override { return "AccumulateGrad"; }
  bool is_accumulator() const override { return true; }

 private:
  std::weak_ptr<TensorImpl> leaf_;
  std::mutex mutex_;  // backward on two threads may meet at a shared leaf
};

// A node whose backward formula is a closure written beside the op's forward.
// The closure has the signature GradList(const Tensor& grad, const BackwardContext&).
template <class Backward>
class FunctionNode final : public Node {
 public:
  FunctionNode(Op op, const Tensor& output, Backward backward)
      : Node(output.shape(), output.dtype()), op_(op), backward_(std::move(backward)) {}

  const char* name() const override { return op_name(op_); }

  GradList apply(const Tensor& grad_output, const std::shared_ptr<Node>& self) override {
    if (!backward_) throw_freed();
    unsigned bits = 0;
    for (size_t i = 0; i < next.size() && i < GradMask::kBits; ++i) {
      bits |= (next[i] != nullptr ? 1U : 0U) << i;
    }
    return (*backward_)(grad_output, BackwardContext{GradMask(bits), self, name()});
  }
  void release_saved() override { backward_.reset(); }

 private:
  [[noreturn]] void throw_freed() const;
  Op op_;
  std::optional<Backward> backward_;  // empty once the graph is freed
};

[[noreturn]] void throw_graph_freed(const char* op);

template <class Backward>
void FunctionNode<Backward>::throw_freed() const {
  throw_graph_freed(name());
}

// The edge through which a gradient for `t` flows: its grad_fn, or its
// accumulator for a leaf that requires grad, or null.
inline std::shared_ptr<Node> gradient_edge(const Tensor& t) {
  const TensorImpl& impl = *t.impl();
  return impl.grad_fn ? impl.grad_fn : impl.grad_accumulator;
}

// True if grad mode is on and any operand requires grad: only then is a
// node worth recording.
bool should_record(std::initializer_list<const Tensor*> operands);
// The same for a run-time list of operands (cat, stack).
bool should_record(absl::Span<const Tensor* const> operands);

// Records `output` as produced by `op` from `operands` with `backward` as its
// backward formula. Call only when should_record() is true.
template <class Backward>
void record(Op op, Tensor& output, absl::Span<const Tensor* const> operands, Backward backward) {
  std::shared_ptr<Node> node =
      std::make_shared<FunctionNode<Backward>>(op, output, std::move(backward));
  for (const Tensor* operand : operands) {
    node->next.push_back(operand->requires_grad() ? gradient_edge(*operand) : nullptr);
  }
  output.impl()->grad_fn = std::move(node);
}
template <class Backward>
void record(Op op, Tensor& output, std::initializer_list<const Tensor*> operands,
            Backward backward) {
  record(op, output, absl::Span<const Tensor* const>(operands.begin(), operands.size()),
         std::move(backward));
}

// Runs backward from `root` with `root_grad`. create_graph implies
// retain_graph (the recorded backward reads the saved tensors again). With `captures` non-empty,
// gradients reaching those nodes are stored in `captured` (same order) and no
// leaf's .grad() is touched; otherwise leaves accumulate.
void run_backward(const std::shared_ptr<Node>& root, const Tensor& root_grad, bool retain_graph,
                  bool create_graph, absl::Span<const std::shared_ptr<Node>> captures = {},
                  std::vector<Tensor>* captured = nullptr);

}  // namespace minitorch

#endif  // MINITORCH_SRC_AUTOGRAD_NODE_H_
