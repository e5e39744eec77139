// Autograd controls: grad mode and gradients without touching .grad().
//
// Grad mode is thread-local and on by default. While it is off, ops record
// nothing (use it for inference and for optimizer updates).
//
// Example:
//   minitorch::Tensor w = minitorch::ones({3}).requires_grad_();
//   {
//     minitorch::NoGradGuard no_grad;
//     minitorch::Tensor y = w * 2.0;   // y.requires_grad() == false
//   }
//   minitorch::Tensor loss = (w * w).sum();
//   std::vector<minitorch::Tensor> g = minitorch::grad(loss, {w});  // 2 * w
#ifndef MINITORCH_AUTOGRAD_H_
#define MINITORCH_AUTOGRAD_H_

#include <vector>

#include "minitorch/tensor.h"

namespace minitorch {

bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// Turns grad mode off on this thread for its lifetime, then restores it.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// Turns grad mode on (or to `enabled`) on this thread for its lifetime.
class EnableGradGuard {
 public:
  explicit EnableGradGuard(bool enabled = true);
  ~EnableGradGuard();
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool previous_;
};

// d output / d inputs, contracted with `grad_output` (which may be omitted
// for a one-element output), as torch::autograd::grad does. Leaves' .grad()
// are left untouched. An input the output does not depend on gets a zero
// gradient. Every input must require grad. create_graph records the
// backward so the result can be differentiated again (and implies retain_graph).
std::vector<Tensor> grad(const Tensor& output, const std::vector<Tensor>& inputs,
                         const Tensor& grad_output = Tensor(), bool retain_graph = false,
                         bool create_graph = false);

// Number of autograd graph nodes alive in the whole process. For tests that
// check a training loop frees its graphs.
int64_t live_graph_nodes();

}  // namespace minitorch

#endif  // MINITORCH_AUTOGRAD_H_
