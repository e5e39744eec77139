// minitorch: N-d tensors with reverse-mode autograd whose gradients are
// checked, op by op, against finite differences and LibTorch.
//
// This umbrella header is the whole public API:
//   dtype.h      DType: kFloat32, kFloat64 (differentiable), kInt64 (indices)
//   shape.h      Shape: dims of a tensor, outermost first
//   tensor.h     Tensor: a shared handle over (storage, shape, strides, offset)
//   ops.h        the ops, as free functions and operators
//   autograd.h   NoGradGuard, grad mode, grad()
//   gradcheck.h  gradcheck(): finite-difference verification of gradients
//   memory.h     the per-tensor allocation ceiling
//   threads.h    set_num_threads: intra-op threads of the calling thread
//   nn.h         layers: Linear, Embedding, Module
//   optim.h      optimizers: SGD, Adam
//   op_table.h   the table of ops that record graph nodes
//   error.h      Error: thrown for every misuse, naming the op and shapes
//
// Example:
//   #include "minitorch/minitorch.h"
//   using namespace minitorch;
//   Tensor a = randn({2, 3}, /*seed=*/1).requires_grad_();
//   Tensor b = randn({3}, /*seed=*/2).requires_grad_();
//   Tensor loss = (a * b).sigmoid().sum();        // b broadcasts over a's rows
//   loss.backward();
//   std::cout << b.grad() << "\n";                // shape [3], summed over rows
//   auto check = gradcheck([](const std::vector<Tensor>& in) {
//     return (in[0] * in[1]).sigmoid();
//   }, {a.detach(), b.detach()});
//   std::cout << check.message << "\n";
#ifndef MINITORCH_MINITORCH_H_
#define MINITORCH_MINITORCH_H_

#include "minitorch/autograd.h"
#include "minitorch/dtype.h"
#include "minitorch/error.h"
#include "minitorch/gradcheck.h"
#include "minitorch/indexing.h"
#include "minitorch/memory.h"
#include "minitorch/nn.h"
#include "minitorch/op_table.h"
#include "minitorch/ops.h"
#include "minitorch/optim.h"
#include "minitorch/serialize.h"
#include "minitorch/shape.h"
#include "minitorch/tensor.h"
#include "minitorch/threads.h"
#include "minitorch/version.h"

#endif  // MINITORCH_MINITORCH_H_
