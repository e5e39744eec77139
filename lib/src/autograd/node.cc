// Graph nodes: iterative destruction, saved tensors, leaf accumulation.
#include "autograd/node.h"

#include <atomic>
#include <vector>

#include "check.h"
#include "minitorch/autograd.h"
#include "minitorch/ops.h"

namespace minitorch {

namespace {

// A diagnostic count for tests that check training loops free their graphs.
std::atomic<int64_t> g_live_nodes{0};

// Node handles queued for release (see release_later). The flag outlives
// the list at thread exit, when releases happen directly.
struct PendingReleases {
  std::vector<std::shared_ptr<Node>> nodes;
  bool draining = false;
  ~PendingReleases() { destroyed = true; }
  static thread_local bool destroyed;
};
thread_local bool PendingReleases::destroyed = false;
thread_local PendingReleases t_pending;

}  // namespace

int64_t live_graph_nodes() { return g_live_nodes.load(std::memory_order_relaxed); }

Node::Node(const Shape& output_shape, DType output_dtype)
    : output_shape_(output_shape), output_dtype_(output_dtype) {
  g_live_nodes.fetch_add(1, std::memory_order_relaxed);
}

Node::~Node() {
  for (std::shared_ptr<Node>& edge : next) release_later(edge);
  g_live_nodes.fetch_sub(1, std::memory_order_relaxed);
}

void release_later(std::shared_ptr<Node>& node) {
  if (!node) return;
  if (PendingReleases::destroyed) {
    node.reset();
    return;
  }
  t_pending.nodes.push_back(std::move(node));
  if (t_pending.draining) return;  // the loop below, further up the stack, takes it
  t_pending.draining = true;
  while (!t_pending.nodes.empty()) {
    std::shared_ptr<Node> next = std::move(t_pending.nodes.back());
    t_pending.nodes.pop_back();
    next.reset();  // may queue more, never recurses past one level
  }
  t_pending.draining = false;
}

[[noreturn]] void throw_graph_freed(const char* op) {
  throw Error(
      absl::StrCat("backward: the graph through ", op,
                   " was already freed by an earlier backward; pass retain_graph=true to the first "
                   "backward to run backward through it again"));
}

SavedTensor::SavedTensor(const Tensor& tensor, bool is_output)
    : tensor_(is_output ? tensor.detach() : tensor),
      version_(tensor.impl()->storage->version.load(std::memory_order_relaxed)),
      is_output_(is_output) {}

Tensor SavedTensor::unpack(const BackwardContext& ctx) const {
  MT_INTERNAL_ASSERT(tensor_.defined(), ctx.op,
                     ": backward reads a tensor its forward did not save");
  const uint32_t now = tensor_.impl()->storage->version.load(std::memory_order_relaxed);
  MT_CHECK(now == version_, ctx.op, ": a tensor of shape ", tensor_.shape().to_string(),
           " that backward of ", ctx.op, " needs was modified in place after it was saved ",
           "(version ", version_, ", now ", now, "); use an out-of-place op or clone() first");
  if (!is_output_ || !is_grad_enabled()) return tensor_;
  // Recording the backward (create_graph): the output depends on the node's
  // inputs through the node itself.
  Tensor attached = make_view(tensor_, tensor_.shape(), tensor_.strides(), tensor_.impl()->offset);
  attached.impl()->grad_fn = ctx.self;
  return attached;
}

TensorImpl::~TensorImpl() { release_later(grad_fn); }

bool should_record(std::initializer_list<const Tensor*> operands) {
  return should_record(absl::Span<const Tensor* const>(operands.begin(), operands.size()));
}

bool should_record(absl::Span<const Tensor* const> operands) {
  if (!is_grad_enabled()) return false;
  for (const Tensor* t : operands) {
    if (t->requires_grad()) return true;
  }
  return false;
}

namespace {

// Whether `t` is a fresh, dense tensor that no other handle or view shares:
// the engine's own gradient buffer, which a leaf may keep instead of a copy.
bool is_sole_owner(const Tensor& t) {
  const std::shared_ptr<TensorImpl>& impl = t.impl();
  return impl.use_count() == 1 && impl->storage.use_count() == 1 && impl->offset == 0 &&
         impl->grad_fn == nullptr && impl->is_contiguous() &&
         impl->storage->nbytes == static_cast<size_t>(impl->numel()) * element_size(impl->dtype);
}

}  // namespace

AccumulateGrad::AccumulateGrad(const std::shared_ptr<TensorImpl>& leaf)
    : Node(leaf->shape, leaf->dtype), leaf_(leaf) {}

GradList AccumulateGrad::apply(const Tensor& grad_output, const std::shared_ptr<Node>&) {
  std::shared_ptr<TensorImpl> leaf = leaf_.lock();
  if (!leaf) return {};  // nobody can read this gradient any more
  std::lock_guard<std::mutex> lock(mutex_);
  Tensor& grad = leaf->grad;
  if (is_grad_enabled()) {
    // create_graph: keep the gradient's own history, accumulate out of place.
    grad = grad.defined() ? add(grad, grad_output) : grad_output;
  } else if (!grad.defined()) {
    // The incoming gradient may alias other tensors (an expanded view, the
    // user's grad_output): the leaf gets storage of its own, which is the
    // incoming gradient itself when nothing else can reach it.
    grad = is_sole_owner(grad_output) ? grad_output : grad_output.clone();
  } else {
    NoGradGuard no_grad;
    grad.add_(grad_output);
  }
  return {};
}

}  // namespace minitorch
