// LibTorch as an oracle: runs a Program in LibTorch and returns its forward
// value and input gradients, without exposing LibTorch types.
//
// This header is free of <torch/torch.h> on purpose: that header costs
// ~13 s and ~1 GB of compiler memory per translation unit (see
// testing/torch_interop.h).
#ifndef MINITORCH_TESTS_TORCH_ORACLE_H_
#define MINITORCH_TESTS_TORCH_ORACLE_H_

#include <optional>
#include <string>
#include <vector>

#include "minitorch/minitorch.h"
#include "testing/op_call.h"
#include "testing/reference.h"

namespace minitorch::testing {

struct OracleResult {
  RefArray forward;
  // d(sum(cotangent * forward)) / d input_i; nullopt where LibTorch computed
  // none (the output does not depend on that input).
  std::vector<std::optional<RefArray>> grads;
};

// Runs `program` in LibTorch, single-threaded, on copies of `inputs` (same
// values, shapes and dtypes; float inputs require grad), then backward with
// `cotangent` (of the output's shape).
OracleResult torch_run(const Program& program, const std::vector<Tensor>& inputs,
                       const Tensor& cotangent);

// Second derivatives: with g_i = d(cotangent . program(x)) / d input_i
// computed with create_graph, returns d(sum_i weights_i . g_i) / d input_j
// for every float input j (nullopt where LibTorch has none).
std::vector<std::optional<RefArray>> torch_double_backward(const Program& program,
                                                           const std::vector<Tensor>& inputs,
                                                           const Tensor& cotangent,
                                                           const std::vector<Tensor>& weights);

// The same, running the forward only (for inputs whose gradient is not
// wanted, such as NaN patterns).
RefArray torch_forward(const Program& program, const std::vector<Tensor>& inputs);

// LibTorch's view, as `new_shape`, of a contiguous float64 tensor of `shape`
// permuted by `dims` and then expanded to `expanded` (empty: not expanded):
// the view's strides, or nullopt where LibTorch's view throws.
std::optional<std::vector<int64_t>> torch_view_strides(const std::vector<int64_t>& shape,
                                                       const std::vector<int64_t>& dims,
                                                       const std::vector<int64_t>& expanded,
                                                       const std::vector<int64_t>& new_shape);

// In LibTorch: arange(12) as float64 of shape [3, 4], then in place
// through views: narrow(1, 1, 2).fill_(-1), select(0, -1).mul_(10),
// slice(1, 0, end, 2).add_(100), slice(0, 1).select(1, 3).fill_(7); the base
// afterwards.
RefArray torch_writes_through_views();

// A non-differentiable op of minitorch's API run in LibTorch: "eq", "ne",
// "lt", "le", "gt", "ge", "logical_and", "logical_or" (two inputs),
// "logical_not", "any", "all", "argmax", "argmin", "sum" (one input), with
// `dim` (none: over every element) and keepdim where the op takes them. The
// result's values, and its dtype.
struct TorchValue {
  RefArray values;
  DType dtype;
};
TorchValue torch_nondifferentiable(const std::string& op, const std::vector<Tensor>& inputs,
                                   std::optional<int64_t> dim, bool keepdim);

// The dtype of LibTorch's a + b (`op` "add") or a * b ("mul").
DType torch_result_dtype(const std::string& op, const Tensor& a, const Tensor& b);

// LibTorch's max(dim) (or min) of x and masked_fill(x, mask, value), each
// with the gradient of x for the cotangent (of the result's shape).
struct TorchIndexed {
  RefArray values, indices, grad;
};
TorchIndexed torch_max_dim(const Tensor& x, int64_t dim, bool keepdim, bool is_max,
                           const Tensor& cotangent);
// LibTorch's topk(x, k, dim, largest) (sorted), with x's gradient.
TorchIndexed torch_topk(const Tensor& x, int64_t k, int64_t dim, bool largest,
                        const Tensor& cotangent);
TorchIndexed torch_masked_fill(const Tensor& x, const Tensor& mask, double value,
                               const Tensor& cotangent);

// What LibTorch's print(stream, x, line_width) writes for x.
std::string torch_print(const Tensor& x, int64_t line_width);

// LibTorch's clip_grad_norm_ (returning its total norm) and
// clip_grad_value_ over parameters whose gradients are `grads`; the clipped
// gradients come back in `grads`.
struct TorchClipped {
  double total = 0;
  std::vector<RefArray> grads;
};
TorchClipped torch_clip_grad_norm(const std::vector<Tensor>& grads, double max_norm,
                                  double norm_type);
TorchClipped torch_clip_grad_value(const std::vector<Tensor>& grads, double clip_value);

// One entry of an index expression for torch_index: an integer, a slice
// (absent bounds: None), None, or Ellipsis.
struct IndexSpec {
  enum class Kind { kInteger, kSlice, kNone, kEllipsis } kind;
  int64_t integer = 0;
  std::optional<int64_t> start, stop, step;
};
// LibTorch's x.index({...}) of a float64 tensor: values (row-major) and
// shape; and x after x.index_put_({...}, value).
RefArray torch_index(const Tensor& x, const std::vector<IndexSpec>& index);
RefArray torch_index_put(const Tensor& x, const std::vector<IndexSpec>& index, double value);

// An optimizer and its settings, as in LibTorch's SGDOptions / AdamOptions.
struct OptimizerSettings {
  std::string kind;  // "sgd" or "adam"
  double lr = 0.1;
  double momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  bool amsgrad = false;
  // Param groups: parameter i alone in group i, whose lr is group_lrs[i]
  // (the other options shared). Empty: one group of every parameter.
  std::vector<double> group_lrs;
  // A scheduler stepped after every optimizer step: "" (none), "step",
  // "exponential", "cosine", "linear" (a warm-up), with its settings.
  std::string scheduler;
  int64_t step_size = 3;
  double gamma = 0.7;
  int64_t t_max = 8;
  double eta_min = 1e-3;
  double start_factor = 0.25, end_factor = 1;
  int64_t total_iters = 6;
};

// The loss the optimizer tests minimise: sum(tanh(p) * t + 0.1 p^2) over
// every (parameter, target) pair, as a Program of two inputs.
Program optimizer_test_loss();

// Runs `steps` steps of LibTorch's optimizer (and scheduler) on copies of
// `params` with the loss above; returns the parameters after each step.
// LibTorch's C++ API has StepLR only: the other schedulers set each
// group's lr by PyTorch's own recursive (chainable) formulas.
std::vector<std::vector<RefArray>> torch_optimize(const OptimizerSettings& settings,
                                                  const std::vector<Tensor>& params,
                                                  const std::vector<Tensor>& targets, int steps);

// LibTorch's layer_norm of x over normalized_shape, with weight and bias
// where defined: the forward and the gradients of x, weight and bias for
// the cotangent.
struct TorchLayerNorm {
  RefArray forward;
  RefArray grad_input;
  std::optional<RefArray> grad_weight, grad_bias;
};
TorchLayerNorm torch_layer_norm(const Tensor& x, const std::vector<int64_t>& normalized_shape,
                                const Tensor& weight, const Tensor& bias, double eps,
                                const Tensor& cotangent);

// LibTorch's dropout(x, p, train = true) under manual_seed(seed).
RefArray torch_dropout(const Tensor& x, double p, uint64_t seed);

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTS_TORCH_ORACLE_H_
