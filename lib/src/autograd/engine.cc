// The backward engine: runs a graph's nodes in dependency order, without
// recursion, summing gradients where paths meet.
//
// 1. Count, for every node reachable from the root, how many edges from
//    reachable nodes point at it (its dependencies).
// 2. Run nodes from a ready stack. A node is ready once every dependency has
//    delivered its gradient; its gradients then flow along its edges into
//    per-node buffers, summed when several arrive.
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "autograd/node.h"
#include "check.h"
#include "minitorch/autograd.h"
#include "minitorch/ops.h"

namespace minitorch {

namespace {

thread_local bool t_grad_enabled = true;

struct NodeState {
  int dependencies = 0;
  Tensor grad;  // sum of the gradients delivered so far
};

// Per-run state of the nodes a backward reaches. Most graphs in a training
// step are small: a linear scan of an inline array beats hashing (and
// allocates nothing) until kLinear nodes, then a hash map takes over.
class NodeStates {
 public:
  // The state of `node`, and whether it was just created.
  std::pair<NodeState*, bool> find_or_insert(Node* node) {
    if (map_.empty()) {
      for (auto& [key, state] : small_) {
        if (key == node) return {&state, false};
      }
      if (small_.size() < kLinear) {
        small_.emplace_back(node, NodeState());
        return {&small_.back().second, true};
      }
      for (auto& [key, state] : small_) map_.emplace(key, std::move(state));
      small_.clear();
    }
    auto [it, inserted] = map_.try_emplace(node);
    return {&it->second, inserted};
  }
  NodeState& operator[](Node* node) { return *find_or_insert(node).first; }

 private:
  static constexpr size_t kLinear = 16;
  absl::InlinedVector<std::pair<Node*, NodeState>, kLinear> small_;
  absl::flat_hash_map<Node*, NodeState> map_;
};

}  // namespace

bool is_grad_enabled() { return t_grad_enabled; }
void set_grad_enabled(bool enabled) { t_grad_enabled = enabled; }

NoGradGuard::NoGradGuard() : previous_(t_grad_enabled) { t_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { t_grad_enabled = previous_; }

EnableGradGuard::EnableGradGuard(bool enabled) : previous_(t_grad_enabled) {
  t_grad_enabled = enabled;
}
EnableGradGuard::~EnableGradGuard() { t_grad_enabled = previous_; }

void run_backward(const std::shared_ptr<Node>& root, const Tensor& root_grad, bool retain_graph,
                  bool create_graph, absl::Span<const std::shared_ptr<Node>> captures,
                  std::vector<Tensor>* captured) {
  NodeStates state;
  {
    absl::InlinedVector<Node*, 16> stack = {root.get()};
    state[root.get()];
    while (!stack.empty()) {
      Node* node = stack.back();
      stack.pop_back();
      for (const auto& next : node->next) {
        if (!next) continue;
        auto [next_state, inserted] = state.find_or_insert(next.get());
        if (inserted) stack.push_back(next.get());
        ++next_state->dependencies;
      }
    }
  }

  retain_graph = retain_graph || create_graph;
  const bool capturing = !captures.empty();
  if (capturing) captured->assign(captures.size(), Tensor());

  EnableGradGuard grad_mode(create_graph);
  state[root.get()].grad = root_grad;
  absl::InlinedVector<std::shared_ptr<Node>, 16> ready = {root};
  while (!ready.empty()) {
    std::shared_ptr<Node> node = std::move(ready.back());
    ready.pop_back();
    Tensor grad = std::move(state[node.get()].grad);

    if (capturing) {
      for (size_t i = 0; i < captures.size(); ++i) {
        if (captures[i] == node) (*captured)[i] = grad;
      }
      if (node->is_accumulator()) continue;  // leaves' .grad() stay untouched
    }

    GradList grads;
    if (grad.defined()) {
      MT_INTERNAL_ASSERT(
          grad.shape() == node->output_shape() && grad.dtype() == node->output_dtype(),
          "gradient of shape ", grad.shape().to_string(), " ", dtype_name(grad.dtype()),
          " reached ", node->name(), " whose output is ", node->output_shape().to_string(), " ",
          dtype_name(node->output_dtype()));
      grads = node->apply(grad, node);
      if (!retain_graph) node->release_saved();
    }
    for (size_t i = 0; i < node->next.size(); ++i) {
      const std::shared_ptr<Node>& next = node->next[i];
      if (!next) continue;
      NodeState& next_state = state[next.get()];
      if (i < grads.size() && grads[i].defined()) {
        next_state.grad = next_state.grad.defined() ? add(next_state.grad, grads[i]) : grads[i];
      }
      if (--next_state.dependencies == 0) ready.push_back(next);
    }
  }
}

std::vector<Tensor> grad(const Tensor& output, const std::vector<Tensor>& inputs,
                         const Tensor& grad_output, bool retain_graph, bool create_graph) {
  MT_CHECK(output.defined(), "grad: the output is an undefined tensor");
  MT_CHECK(output.requires_grad(), "grad: the output of shape ", output.shape().to_string(),
           " does not require grad (no input of it requires grad, or grad mode was off)");
  std::vector<std::shared_ptr<Node>> captures;
  for (size_t i = 0; i < inputs.size(); ++i) {
    MT_CHECK(inputs[i].defined() && inputs[i].requires_grad(), "grad: input ", i,
             " does not require grad");
    captures.push_back(gradient_edge(inputs[i]));
  }
  Tensor seed = grad_output;
  if (!seed.defined()) {
    MT_CHECK(output.numel() == 1, "grad: output of shape ", output.shape().to_string(),
             " has more than one element; pass grad_output of that shape");
    seed = ones(output.shape(), output.dtype());
  }
  MT_CHECK(seed.shape() == output.shape(), "grad: grad_output of shape ", seed.shape().to_string(),
           " does not match the output's shape ", output.shape().to_string());
  seed = seed.to(output.dtype());
  std::vector<Tensor> result;
  run_backward(gradient_edge(output), seed, retain_graph, create_graph, captures, &result);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!result[i].defined()) result[i] = zeros(inputs[i].shape(), inputs[i].dtype());
  }
  return result;
}

}  // namespace minitorch
