// The unit tests' LibTorch oracle, on the interpreter of testing/torch_bridge.cc.
#include "torch_oracle.h"

#include <cmath>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "testing/torch_bridge.h"
#include "testing/torch_interop.h"

namespace minitorch::testing {

OracleResult torch_run(const Program& program, const std::vector<Tensor>& inputs,
                       const Tensor& cotangent) {
  TorchOutcome outcome = torch_outcome(program, inputs, cotangent);
  if (outcome.error) throw std::runtime_error("LibTorch: " + *outcome.error);
  return {std::move(outcome.forward), std::move(outcome.grads)};
}

std::vector<std::optional<RefArray>> torch_double_backward(const Program& program,
                                                           const std::vector<Tensor>& inputs,
                                                           const Tensor& cotangent,
                                                           const std::vector<Tensor>& weights) {
  single_threaded();
  std::vector<torch::Tensor> leaves;
  for (const Tensor& t : inputs)
    leaves.push_back(to_torch(t).requires_grad_(is_floating(t.dtype())));
  const torch::Tensor out = run_program_torch(program, leaves);
  std::vector<torch::Tensor> float_leaves;
  for (const torch::Tensor& l : leaves) {
    if (l.requires_grad()) float_leaves.push_back(l);
  }
  const std::vector<torch::Tensor> first = torch::autograd::grad(
      {out}, float_leaves, {to_torch(cotangent).to(out.dtype())}, /*retain_graph=*/true,
      /*create_graph=*/true, /*allow_unused=*/true);
  torch::Tensor total = torch::zeros({}, out.dtype());
  for (size_t i = 0; i < first.size(); ++i) {
    if (first[i].defined() && first[i].requires_grad())
      total = total + (first[i] * to_torch(weights[i])).sum();
  }
  std::vector<std::optional<RefArray>> result(float_leaves.size());
  if (!total.requires_grad()) return result;
  const std::vector<torch::Tensor> second =
      torch::autograd::grad({total}, float_leaves, {}, false, false, /*allow_unused=*/true);
  for (size_t i = 0; i < second.size(); ++i) {
    if (second[i].defined()) result[i] = from_torch(second[i]);
  }
  return result;
}

Program optimizer_test_loss() {
  return {{OpCall{.op = Op::kTanh}, {0}},
          {OpCall{.op = Op::kMul}, {2, 1}},
          {OpCall{.op = Op::kPowScalar, .exponent = 2.0}, {0}},
          {OpCall{.op = Op::kMul}, {4, 5}},
          {OpCall{.op = Op::kAdd}, {3, 6}},
          {OpCall{.op = Op::kSum}, {7}}};
}

namespace {

// The lr PyTorch's chainable scheduler `s.scheduler` sets at `epoch` (>= 1)
// from the group's current `lr` and its base lr.
double pytorch_chainable_lr(const OptimizerSettings& s, int64_t epoch, double lr, double base) {
  if (s.scheduler == "exponential") return lr * s.gamma;
  if (s.scheduler == "cosine") {
    const double t = static_cast<double>(s.t_max), e = static_cast<double>(epoch);
    if ((epoch - 1 - s.t_max) % (2 * s.t_max) == 0) {
      return lr + (base - s.eta_min) * (1 - std::cos(M_PI / t)) / 2;
    }
    return (1 + std::cos(M_PI * e / t)) / (1 + std::cos(M_PI * (e - 1) / t)) * (lr - s.eta_min) +
           s.eta_min;
  }
  if (s.scheduler == "linear") {
    if (epoch > s.total_iters) return lr;
    return lr * (1 + (s.end_factor - s.start_factor) /
                         (static_cast<double>(s.total_iters) * s.start_factor +
                          static_cast<double>(epoch - 1) * (s.end_factor - s.start_factor)));
  }
  throw std::invalid_argument("pytorch_chainable_lr: unknown scheduler " + s.scheduler);
}

}  // namespace

std::vector<std::vector<RefArray>> torch_optimize(const OptimizerSettings& s,
                                                  const std::vector<Tensor>& params,
                                                  const std::vector<Tensor>& targets, int steps) {
  single_threaded();
  std::vector<torch::Tensor> p, t;
  for (const Tensor& x : params) p.push_back(to_torch(x).requires_grad_(true));
  for (const Tensor& x : targets) t.push_back(to_torch(x));
  const auto options = [&](double lr) -> std::unique_ptr<torch::optim::OptimizerOptions> {
    if (s.kind == "sgd") {
      return std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(lr)
                                                            .momentum(s.momentum)
                                                            .dampening(s.dampening)
                                                            .weight_decay(s.weight_decay)
                                                            .nesterov(s.nesterov));
    }
    return std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(lr)
                                                           .betas({s.beta1, s.beta2})
                                                           .eps(s.eps)
                                                           .weight_decay(s.weight_decay)
                                                           .amsgrad(s.amsgrad));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (s.group_lrs.empty()) {
    groups.emplace_back(p, options(s.lr));
  } else {
    for (size_t i = 0; i < p.size(); ++i) {
      groups.emplace_back(std::vector<torch::Tensor>{p[i]}, options(s.group_lrs.at(i)));
    }
  }
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  if (s.kind == "sgd") {
    optimizer = std::make_unique<torch::optim::SGD>(
        groups, static_cast<torch::optim::SGDOptions&>(*options(s.lr)));
  } else {
    optimizer = std::make_unique<torch::optim::Adam>(
        groups, static_cast<torch::optim::AdamOptions&>(*options(s.lr)));
  }
  std::vector<double> base_lrs;
  for (auto& group : optimizer->param_groups()) base_lrs.push_back(group.options().get_lr());
  std::unique_ptr<torch::optim::StepLR> step_lr;
  if (s.scheduler == "step") {
    step_lr = std::make_unique<torch::optim::StepLR>(*optimizer, s.step_size, s.gamma);
    // LibTorch's C++ schedulers count their first step() as epoch 0, where
    // PyTorch's (and minitorch's) constructors take that step: one call
    // aligns the epochs.
    step_lr->step();
  } else if (s.scheduler == "linear") {
    for (auto& group : optimizer->param_groups()) {
      group.options().set_lr(group.options().get_lr() * s.start_factor);
    }
  }
  const Program loss = optimizer_test_loss();
  std::vector<std::vector<RefArray>> trajectory;
  for (int step = 0; step < steps; ++step) {
    optimizer->zero_grad();
    torch::Tensor total = torch::zeros({}, torch::kFloat64);
    for (size_t i = 0; i < p.size(); ++i) {
      total = total + run_program_torch(loss, {p[i], t[i], torch::full({}, 0.1, torch::kFloat64)});
    }
    total.backward();
    optimizer->step();
    if (step_lr) {
      step_lr->step();
    } else if (!s.scheduler.empty()) {
      for (size_t g = 0; g < optimizer->param_groups().size(); ++g) {
        auto& group_options = optimizer->param_groups()[g].options();
        group_options.set_lr(
            pytorch_chainable_lr(s, step + 1, group_options.get_lr(), base_lrs[g]));
      }
    }
    std::vector<RefArray> now;
    for (const torch::Tensor& x : p) now.push_back(from_torch(x));
    trajectory.push_back(std::move(now));
  }
  return trajectory;
}

TorchLayerNorm torch_layer_norm(const Tensor& x, const std::vector<int64_t>& normalized_shape,
                                const Tensor& weight, const Tensor& bias, double eps,
                                const Tensor& cotangent) {
  single_threaded();
  torch::Tensor input = to_torch(x).requires_grad_(true);
  torch::Tensor w, b;
  if (weight.defined()) w = to_torch(weight).requires_grad_(true);
  if (bias.defined()) b = to_torch(bias).requires_grad_(true);
  const torch::Tensor out = torch::layer_norm(input, normalized_shape, w, b, eps);
  out.backward(to_torch(cotangent));
  TorchLayerNorm result{from_torch(out), from_torch(input.grad()), std::nullopt, std::nullopt};
  if (w.defined()) result.grad_weight = from_torch(w.grad());
  if (b.defined()) result.grad_bias = from_torch(b.grad());
  return result;
}

RefArray torch_dropout(const Tensor& x, double p, uint64_t seed) {
  single_threaded();
  torch::manual_seed(seed);
  return from_torch(torch::dropout(to_torch(x), p, /*train=*/true));
}

std::optional<std::vector<int64_t>> torch_view_strides(const std::vector<int64_t>& shape,
                                                       const std::vector<int64_t>& dims,
                                                       const std::vector<int64_t>& expanded,
                                                       const std::vector<int64_t>& new_shape) {
  torch::Tensor x = torch::zeros(shape, torch::kFloat64).permute(dims);
  if (!expanded.empty()) x = x.expand(expanded);
  try {
    const torch::Tensor v = x.view(new_shape);
    return std::vector<int64_t>(v.strides().begin(), v.strides().end());
  } catch (const c10::Error&) {
    return std::nullopt;
  }
}

TorchValue torch_nondifferentiable(const std::string& op, const std::vector<Tensor>& inputs,
                                   std::optional<int64_t> dim, bool keepdim) {
  std::vector<torch::Tensor> x;
  for (const Tensor& t : inputs) x.push_back(to_torch(t));
  torch::Tensor out;
  if (op == "eq") out = torch::eq(x.at(0), x.at(1));
  if (op == "ne") out = torch::ne(x.at(0), x.at(1));
  if (op == "lt") out = torch::lt(x.at(0), x.at(1));
  if (op == "le") out = torch::le(x.at(0), x.at(1));
  if (op == "gt") out = torch::gt(x.at(0), x.at(1));
  if (op == "ge") out = torch::ge(x.at(0), x.at(1));
  if (op == "logical_and") out = torch::logical_and(x.at(0), x.at(1));
  if (op == "logical_or") out = torch::logical_or(x.at(0), x.at(1));
  if (op == "logical_not") out = torch::logical_not(x.at(0));
  if (op == "any") out = dim ? torch::any(x.at(0), *dim, keepdim) : torch::any(x.at(0));
  if (op == "all") out = dim ? torch::all(x.at(0), *dim, keepdim) : torch::all(x.at(0));
  const c10::optional<int64_t> torch_dim = dim ? c10::optional<int64_t>(*dim) : c10::nullopt;
  if (op == "argmax") out = torch::argmax(x.at(0), torch_dim, keepdim);
  if (op == "argmin") out = torch::argmin(x.at(0), torch_dim, keepdim);
  if (op == "sum") out = dim ? torch::sum(x.at(0), {*dim}, keepdim) : torch::sum(x.at(0));
  if (!out.defined()) throw std::invalid_argument("torch_nondifferentiable: unknown op " + op);
  DType dtype = kFloat64;
  if (out.scalar_type() == torch::kBool) dtype = kBool;
  if (out.scalar_type() == torch::kInt64) dtype = kInt64;
  if (out.scalar_type() == torch::kFloat32) dtype = kFloat32;
  return {from_torch(out), dtype};
}

DType torch_result_dtype(const std::string& op, const Tensor& a, const Tensor& b) {
  const torch::Tensor x = to_torch(a), y = to_torch(b);
  const torch::Tensor out = op == "add" ? x + y : x * y;
  for (DType d : {kFloat32, kFloat64, kInt64, kBool}) {
    if (torch_dtype(d) == out.scalar_type()) return d;
  }
  throw std::invalid_argument("torch_result_dtype: a dtype minitorch lacks");
}

TorchIndexed torch_max_dim(const Tensor& x, int64_t dim, bool keepdim, bool is_max,
                           const Tensor& cotangent) {
  single_threaded();
  const torch::Tensor leaf = to_torch(x).requires_grad_();
  const auto [values, indices] =
      is_max ? torch::max(leaf, dim, keepdim) : torch::min(leaf, dim, keepdim);
  (values * to_torch(cotangent)).sum().backward();
  return {from_torch(values), from_torch(indices), from_torch(leaf.grad())};
}

TorchIndexed torch_topk(const Tensor& x, int64_t k, int64_t dim, bool largest,
                        const Tensor& cotangent) {
  single_threaded();
  const torch::Tensor leaf = to_torch(x).requires_grad_();
  const auto [values, indices] = torch::topk(leaf, k, dim, largest, /*sorted=*/true);
  (values * to_torch(cotangent)).sum().backward();
  return {from_torch(values), from_torch(indices), from_torch(leaf.grad())};
}

namespace {

// LibTorch parameters holding `grads` as their gradients.
std::vector<torch::Tensor> torch_parameters_with(const std::vector<Tensor>& grads) {
  std::vector<torch::Tensor> parameters;
  for (const Tensor& g : grads) {
    torch::Tensor p = torch::zeros(to_torch(g).sizes(), to_torch(g).dtype()).requires_grad_();
    p.mutable_grad() = to_torch(g);
    parameters.push_back(p);
  }
  return parameters;
}

TorchClipped clipped(double total, const std::vector<torch::Tensor>& parameters) {
  TorchClipped out{total, {}};
  for (const torch::Tensor& p : parameters) out.grads.push_back(from_torch(p.grad()));
  return out;
}

}  // namespace

TorchClipped torch_clip_grad_norm(const std::vector<Tensor>& grads, double max_norm,
                                  double norm_type) {
  single_threaded();
  const std::vector<torch::Tensor> parameters = torch_parameters_with(grads);
  const double total = torch::nn::utils::clip_grad_norm_(parameters, max_norm, norm_type);
  return clipped(total, parameters);
}

TorchClipped torch_clip_grad_value(const std::vector<Tensor>& grads, double clip_value) {
  single_threaded();
  const std::vector<torch::Tensor> parameters = torch_parameters_with(grads);
  torch::nn::utils::clip_grad_value_(parameters, clip_value);
  return clipped(0, parameters);
}

std::string torch_print(const Tensor& x, int64_t line_width) {
  std::ostringstream os;
  at::print(os, to_torch(x), line_width);
  return os.str();
}

TorchIndexed torch_masked_fill(const Tensor& x, const Tensor& mask, double value,
                               const Tensor& cotangent) {
  single_threaded();
  const torch::Tensor leaf = to_torch(x).requires_grad_();
  const torch::Tensor out = leaf.masked_fill(to_torch(mask), value);
  (out * to_torch(cotangent)).sum().backward();
  return {from_torch(out), {}, from_torch(leaf.grad())};
}

namespace {

std::vector<torch::indexing::TensorIndex> torch_indices(const std::vector<IndexSpec>& index) {
  namespace ti = torch::indexing;
  const auto bound = [](std::optional<int64_t> b) -> c10::optional<int64_t> {
    return b ? c10::optional<int64_t>(*b) : c10::nullopt;
  };
  // Reserved so the entries are never moved: LibTorch's TensorIndex leaves a
  // bool member uninitialised, and moving it reads that bool (UBSan).
  std::vector<ti::TensorIndex> out;
  out.reserve(index.size());
  for (const IndexSpec& i : index) {
    switch (i.kind) {
      case IndexSpec::Kind::kInteger:
        out.emplace_back(i.integer);
        break;
      case IndexSpec::Kind::kSlice:
        out.emplace_back(ti::Slice(bound(i.start), bound(i.stop), bound(i.step)));
        break;
      case IndexSpec::Kind::kNone:
        out.emplace_back(ti::None);
        break;
      case IndexSpec::Kind::kEllipsis:
        out.emplace_back(ti::Ellipsis);
        break;
    }
  }
  return out;
}

}  // namespace

RefArray torch_index(const Tensor& x, const std::vector<IndexSpec>& index) {
  return from_torch(to_torch(x).index(torch_indices(index)));
}

RefArray torch_index_put(const Tensor& x, const std::vector<IndexSpec>& index, double value) {
  torch::Tensor t = to_torch(x);
  t.index_put_(torch_indices(index), value);
  return from_torch(t);
}

RefArray torch_writes_through_views() {
  torch::Tensor base = torch::arange(12, torch::kFloat64).reshape({3, 4});
  base.narrow(1, 1, 2).fill_(-1);
  base.select(0, -1).mul_(10);
  base.slice(1, 0, c10::nullopt, 2).add_(100);
  base.slice(0, 1).select(1, 3).fill_(7);
  return from_torch(base);
}

RefArray torch_forward(const Program& program, const std::vector<Tensor>& inputs) {
  single_threaded();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> values;
  for (const Tensor& t : inputs) values.push_back(to_torch(t));
  return from_torch(run_program_torch(program, values));
}

}  // namespace minitorch::testing
