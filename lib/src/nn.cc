// Layers: Module bookkeeping, the layers, their functional forms and
// initialisation.
#include "minitorch/nn.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "check.h"
#include "minitorch/autograd.h"
#include "minitorch/ops.h"
#include "tensor_impl.h"

namespace minitorch::nn {

void Module::collect(std::vector<std::pair<std::string, Tensor>> Module::*member,
                     const std::string& prefix, bool recurse,
                     std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [name, tensor] : this->*member) out.emplace_back(prefix + name, tensor);
  if (!recurse) return;
  for (const auto& [name, child] : children_) {
    child->collect(member, absl::StrCat(prefix, name, "."), true, out);
  }
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect(&Module::parameters_, "", recurse, out);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect(&Module::buffers_, "", recurse, out);
  return out;
}

namespace {

template <class T>
std::vector<T> second_of(const std::vector<std::pair<std::string, T>>& named) {
  std::vector<T> out;
  out.reserve(named.size());
  for (const auto& [name, value] : named) out.push_back(value);
  return out;
}

}  // namespace

std::vector<Tensor> Module::parameters(bool recurse) const {
  return second_of(named_parameters(recurse));
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  return second_of(named_buffers(recurse));
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const {
  return children_;
}

std::vector<std::shared_ptr<Module>> Module::children() const { return second_of(children_); }

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules(
    bool include_self) const {
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> out;
  if (include_self) {
    std::shared_ptr<const Module> self = weak_from_this().lock();
    MT_CHECK(self != nullptr,
             "named_modules: include_self needs the module to be owned by a shared_ptr (a "
             "holder, or std::make_shared); call it with include_self = false");
    out.emplace_back("", std::const_pointer_cast<Module>(self));
  }
  for (const auto& [name, child] : children_) {
    out.emplace_back(name, child);
    for (auto& [descendant_name, descendant] : child->named_modules(false)) {
      out.emplace_back(absl::StrCat(name, ".", descendant_name), std::move(descendant));
    }
  }
  return out;
}

std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) const {
  return second_of(named_modules(include_self));
}

void Module::train(bool on) {
  is_training_ = on;
  for (const auto& [name, child] : children_) child->train(on);
}

void Module::to(DType dtype) {
  MT_CHECK(is_floating(dtype), "Module::to: ", dtype_name(dtype), " is not a floating-point dtype");
  NoGradGuard no_grad;
  for (auto* named : {&parameters_, &buffers_}) {
    for (auto& [name, tensor] : *named) {
      if (!is_floating(tensor.dtype()) || tensor.dtype() == dtype) continue;
      replace_data(tensor, tensor.to(dtype));
      if (Tensor grad = tensor.grad(); grad.defined()) tensor.set_grad(grad.to(dtype));
    }
  }
  for (const auto& [name, child] : children_) child->to(dtype);
}

void Module::zero_grad(bool set_to_none) { clear_grads(parameters(), set_to_none); }

void Module::check_new_name(const std::string& name, const char* what) const {
  MT_CHECK(!name.empty(), what, ": the name must not be empty");
  MT_CHECK(name.find('.') == std::string::npos, what, ": name '", name,
           "' must not contain a '.' (dots join the names of nested modules)");
  const auto taken = [&](const auto& named) {
    return std::any_of(named.begin(), named.end(),
                       [&](const auto& entry) { return entry.first == name; });
  };
  MT_CHECK(!taken(parameters_) && !taken(buffers_) && !taken(children_), what, ": name '", name,
           "' is already registered in this module");
}

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  check_new_name(name, "register_parameter");
  MT_CHECK(tensor.defined(), "register_parameter: parameter '", name, "' is undefined");
  MT_CHECK(tensor.is_leaf(), "register_parameter: parameter '", name, "' of shape ",
           tensor.shape().to_string(), " is not a leaf (detach() it first)");
  tensor.requires_grad_(requires_grad);
  parameters_.emplace_back(std::move(name), std::move(tensor));
  return parameters_.back().second;
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  check_new_name(name, "register_buffer");
  MT_CHECK(tensor.defined(), "register_buffer: buffer '", name, "' is undefined");
  buffers_.emplace_back(std::move(name), std::move(tensor));
  return buffers_.back().second;
}

void Module::add_child(std::string name, std::shared_ptr<Module> module) {
  check_new_name(name, "register_module");
  MT_CHECK(module != nullptr, "register_module: module '", name,
           "' is an empty holder (built from nullptr)");
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
  return functional::linear(input, weight, bias);
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

Tensor ReLUImpl::forward(const Tensor& input) const { return relu(input); }
Tensor TanhImpl::forward(const Tensor& input) const { return tanh(input); }
Tensor SigmoidImpl::forward(const Tensor& input) const { return sigmoid(input); }

namespace {

void check_dropout_probability(double p) {
  MT_CHECK(p >= 0 && p <= 1, "dropout: probability has to be between 0 and 1, but got ", p);
}

}  // namespace

DropoutImpl::DropoutImpl(const DropoutOptions& options_in) : options(options_in) {
  check_dropout_probability(options.p_);
}

Tensor DropoutImpl::forward(const Tensor& input) const {
  return functional::dropout(
      input, functional::DropoutFuncOptions().p(options.p_).training(is_training()));
}

LayerNormImpl::LayerNormImpl(const LayerNormOptions& options_in) : options(options_in) {
  for (const int64_t size : options.normalized_shape_) {
    MT_CHECK(size >= 0, "LayerNorm: normalized_shape ",
             Shape(options.normalized_shape_).to_string(), " has a negative size");
  }
  if (!options.elementwise_affine_) return;
  NoGradGuard no_grad;
  weight = register_parameter("weight", ones(Shape(options.normalized_shape_), options.dtype_));
  bias = register_parameter("bias", zeros(Shape(options.normalized_shape_), options.dtype_));
}

Tensor LayerNormImpl::forward(const Tensor& input) const {
  return functional::layer_norm(input, functional::LayerNormFuncOptions(options.normalized_shape_)
                                           .weight(weight)
                                           .bias(bias)
                                           .eps(options.eps_));
}

Tensor SequentialImpl::forward(const Tensor& input) const {
  MT_CHECK(!layers_.empty(), "Sequential: forward of an empty Sequential");
  Tensor out = input;
  for (const auto& forward : layers_) out = forward(out);
  return out;
}

std::shared_ptr<Module> SequentialImpl::ptr(size_t index) const {
  MT_CHECK(index < layers_.size(), "Sequential: index ", index, " is out of range for ",
           layers_.size(), " modules");
  return children()[index];
}

namespace functional {

Tensor relu(const Tensor& input) { return minitorch::relu(input); }
Tensor tanh(const Tensor& input) { return minitorch::tanh(input); }
Tensor sigmoid(const Tensor& input) { return minitorch::sigmoid(input); }

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  // weight^T is a view: BLAS reads it transposed, no copy.
  const Tensor out = matmul(input, weight.t());
  return bias.defined() ? out + bias : out;
}

Tensor dropout(const Tensor& input, const DropoutFuncOptions& options) {
  check_dropout_probability(options.p_);
  MT_CHECK(input.defined() && is_floating(input.dtype()), "dropout: input of shape ",
           input.defined() ? input.shape().to_string() : "undefined",
           " must be a floating-point tensor");
  if (!options.training_ || options.p_ == 0) return input;
  // Every element is dropped (LibTorch multiplies by zeros, keeping the graph).
  if (options.p_ == 1) return input * zeros({}, input.dtype());
  // keep ~ Bernoulli(1 - p) from float64 uniforms, so P(keep) is 1 - p to
  // 2^-53 whatever the input's dtype; the kept scaled by 1 / (1 - p).
  const Tensor keep = lt(rand(input.shape(), kFloat64), 1 - options.p_);
  return input * (keep.to(input.dtype()) / (1 - options.p_));
}

Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options) {
  const Shape normalized(options.normalized_shape_);
  const auto count = static_cast<int64_t>(normalized.size());
  const auto ends_in_normalized = [&] {
    if (!input.defined() || input.dim() < count) return false;
    for (int64_t d = 0; d < count; ++d) {
      if (input.size(input.dim() - count + d) != normalized[d]) return false;
    }
    return true;
  };
  MT_CHECK(count > 0, "layer_norm: normalized_shape must have at least one dim");
  MT_CHECK(ends_in_normalized(), "layer_norm: input of shape ",
           input.defined() ? input.shape().to_string() : "undefined",
           " does not end in normalized_shape ", normalized.to_string());
  for (const auto& [tensor, what] :
       {std::pair{&options.weight_, "weight"}, {&options.bias_, "bias"}}) {
    if (!tensor->defined()) continue;
    MT_CHECK(tensor->shape() == normalized, "layer_norm: ", what, " of shape ",
             tensor->shape().to_string(), " is not normalized_shape ", normalized.to_string());
  }
  std::vector<int64_t> dims(static_cast<size_t>(count));
  std::iota(dims.begin(), dims.end(), -count);
  const Tensor centered = input - mean(input, dims, /*keepdim=*/true);
  const Tensor variance = mean(centered * centered, dims, /*keepdim=*/true);
  Tensor out = centered / sqrt(variance + options.eps_);
  if (options.weight_.defined()) out = out * options.weight_;
  if (options.bias_.defined()) out = out + options.bias_;
  return out;
}

}  // namespace functional

namespace init {

namespace {

// Fills `tensor` with `values` (same shape) in place, outside the graph.
Tensor fill_with(Tensor tensor, const Tensor& values) {
  NoGradGuard no_grad;
  tensor.copy_(values);
  return tensor;
}

void check_float(const Tensor& tensor, const char* op) {
  MT_CHECK(tensor.defined() && is_floating(tensor.dtype()), op, ": tensor of shape ",
           tensor.defined() ? tensor.shape().to_string() : "undefined",
           " must be a floating-point tensor");
}

// (fan_in, fan_out) of a weight (out, in, receptive field...).
std::pair<double, double> fans(const Tensor& tensor, const char* op) {
  check_float(tensor, op);
  MT_CHECK(tensor.dim() >= 2, op, ": fan in and fan out cannot be computed for a tensor of shape ",
           tensor.shape().to_string(), " (fewer than 2 dims)");
  double receptive = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive *= static_cast<double>(tensor.size(d));
  return {static_cast<double>(tensor.size(1)) * receptive,
          static_cast<double>(tensor.size(0)) * receptive};
}

double kaiming_std(const Tensor& tensor, double a, FanMode mode, Nonlinearity nonlinearity,
                   const char* op) {
  const auto [fan_in, fan_out] = fans(tensor, op);
  const double fan = mode == kFanIn ? fan_in : fan_out;
  MT_CHECK(fan > 0, op, ": a tensor of shape ", tensor.shape().to_string(), " has fan 0");
  return calculate_gain(nonlinearity, a) / std::sqrt(fan);
}

double xavier_std(const Tensor& tensor, double gain, const char* op) {
  const auto [fan_in, fan_out] = fans(tensor, op);
  MT_CHECK(fan_in + fan_out > 0, op, ": a tensor of shape ", tensor.shape().to_string(),
           " has fans 0");
  return gain * std::sqrt(2.0 / (fan_in + fan_out));
}

}  // namespace

double calculate_gain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
    case kLinear:
    case kSigmoid:
      return 1;
    case kTanh:
      return 5.0 / 3;
    case kReLU:
      return std::sqrt(2.0);
    case kLeakyReLU:
      return std::sqrt(2.0 / (1 + param * param));
  }
  MT_CHECK(false, "calculate_gain: unknown nonlinearity ", static_cast<int>(nonlinearity));
  return 0;
}

Tensor uniform_(Tensor tensor, double low, double high) {
  check_float(tensor, "uniform_");
  MT_CHECK(low <= high, "uniform_: low ", low, " is above high ", high);
  return fill_with(tensor, rand(tensor.shape(), kFloat64) * (high - low) + low);
}

Tensor normal_(Tensor tensor, double mean, double std) {
  check_float(tensor, "normal_");
  MT_CHECK(std >= 0, "normal_: std ", std, " is negative");
  return fill_with(tensor, randn(tensor.shape(), kFloat64) * std + mean);
}

Tensor constant_(Tensor tensor, double value) {
  check_float(tensor, "constant_");
  NoGradGuard no_grad;
  tensor.fill_(value);
  return tensor;
}

Tensor zeros_(Tensor tensor) { return constant_(std::move(tensor), 0); }
Tensor ones_(Tensor tensor) { return constant_(std::move(tensor), 1); }

Tensor kaiming_uniform_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  // A uniform in +-b has standard deviation b / sqrt(3).
  const double bound =
      std::sqrt(3.0) * kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_");
  return uniform_(std::move(tensor), -bound, bound);
}

Tensor kaiming_normal_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  const double std = kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_");
  return normal_(std::move(tensor), 0, std);
}

Tensor xavier_uniform_(Tensor tensor, double gain) {
  const double bound = std::sqrt(3.0) * xavier_std(tensor, gain, "xavier_uniform_");
  return uniform_(std::move(tensor), -bound, bound);
}

Tensor xavier_normal_(Tensor tensor, double gain) {
  const double std = xavier_std(tensor, gain, "xavier_normal_");
  return normal_(std::move(tensor), 0, std);
}

}  // namespace init

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
