// Layers: Module bookkeeping, Linear and Embedding.
#include "minitorch/nn.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "check.h"
#include "minitorch/autograd.h"
#include "minitorch/ops.h"

namespace minitorch::nn {

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Tensor>> out = parameters_;
  for (const auto& [name, child] : children_) {
    for (auto& [child_name, p] : child->named_parameters())
      out.emplace_back(absl::StrCat(name, ".", child_name), p);
  }
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, p] : named_parameters()) out.push_back(p);
  return out;
}

void Module::zero_grad(bool set_to_none) {
  for (Tensor p : parameters()) {
    if (set_to_none || !p.grad().defined()) {
      p.set_grad(Tensor());
    } else {
      p.grad().zero_();
    }
  }
}

Tensor& Module::register_parameter(std::string name, Tensor tensor) {
  tensor.requires_grad_(true);
  parameters_.emplace_back(std::move(name), std::move(tensor));
  return parameters_.back().second;
}

void Module::register_module(std::string name, std::shared_ptr<Module> module) {
  children_.emplace_back(std::move(name), std::move(module));
}

LinearImpl::LinearImpl(const LinearOptions& options_in) : options(options_in) {
  MT_CHECK(options.in_features_ > 0 && options.out_features_ > 0,
           "Linear: features must be positive, got in ", options.in_features_, " and out ",
           options.out_features_);
  const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features_));
  const auto uniform = [&](const Shape& shape, uint64_t seed_offset) {
    const Tensor u = options.seed_ ? rand(shape, *options.seed_ + seed_offset, options.dtype_)
                                   : rand(shape, options.dtype_);
    return (u * 2.0 - 1.0) * bound;
  };
  NoGradGuard no_grad;
  weight = register_parameter("weight", uniform({options.out_features_, options.in_features_}, 0));
  if (options.bias_) bias = register_parameter("bias", uniform({options.out_features_}, 1));
}

Tensor LinearImpl::forward(const Tensor& input) const {
  MT_CHECK(input.defined() && input.dim() >= 1 && input.size(-1) == options.in_features_,
           "Linear: input of shape ", input.defined() ? input.shape().to_string() : "undefined",
           " does not end in in_features ", options.in_features_);
  MT_CHECK(input.dtype() == weight.dtype(), "Linear: input of shape ", input.shape().to_string(),
           " is ", dtype_name(input.dtype()), " but the layer's weight is ",
           dtype_name(weight.dtype()),
           "; convert the input with to() or build the layer with "
           "LinearOptions::dtype");
  // weight^T is a view: BLAS reads it transposed, no copy.
  const Tensor out = matmul(input, weight.t());
  return bias.defined() ? out + bias : out;
}

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions& options_in) : options(options_in) {
  MT_CHECK(options.num_embeddings_ > 0 && options.embedding_dim_ > 0,
           "Embedding: sizes must be positive, got ", options.num_embeddings_, " x ",
           options.embedding_dim_);
  NoGradGuard no_grad;
  const Shape shape{options.num_embeddings_, options.embedding_dim_};
  weight = register_parameter("weight", options.seed_ ? randn(shape, *options.seed_, options.dtype_)
                                                      : randn(shape, options.dtype_));
}

Tensor EmbeddingImpl::forward(const Tensor& indices) const { return embedding(weight, indices); }

namespace utils {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  MT_CHECK(norm_type > 0, "clip_grad_norm_: norm_type must be positive or INFINITY, got ",
           norm_type);
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters) {
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad());
  }
  // Each gradient's share in double: its largest magnitude, or its sum of
  // |g|^p (float32 sums accumulate in double).
  double total = 0;
  for (const Tensor& g : grads) {
    if (g.numel() == 0) continue;
    if (std::isinf(norm_type)) {
      const auto largest = amax(abs(g)).item<double>();
      total = std::isnan(largest) || largest > total ? largest : total;  // NaN stays
    } else {
      const Tensor magnitude = abs(g);
      total +=
          sum(norm_type == 2 ? magnitude * magnitude : pow(magnitude, norm_type)).item<double>();
    }
  }
  if (!std::isinf(norm_type)) total = std::pow(total, 1 / norm_type);
  MT_CHECK(!error_if_nonfinite || std::isfinite(total), "clip_grad_norm_: the total norm ", total,
           " of ", grads.size(), " gradients is not finite");
  const double coefficient = max_norm / (total + 1e-6);
  if (coefficient < 1) {
    for (Tensor& g : grads) g.mul_(coefficient);
  }
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (const Tensor& p : parameters) {
    if (!p.defined() || !p.grad().defined()) continue;
    Tensor g = p.grad();
    g.copy_(clamp(g, -clip_value, clip_value));
  }
}

}  // namespace utils

}  // namespace minitorch::nn
