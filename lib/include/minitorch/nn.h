// minitorch::nn: layers with parameters, named as in LibTorch's C++ frontend.
//
// A module holder (Linear, Sequential, a user's MINITORCH_MODULE) is a cheap
// shared handle, like torch::nn::Linear: copies share one module, `nullptr`
// gives the empty state to assign later, and -> reaches the module.
//
// Example:
//   using namespace minitorch;
//   struct NetImpl : nn::Module {
//     NetImpl() {
//       fc1 = register_module("fc1", nn::Linear(784, 64));
//       fc2 = register_module("fc2", nn::Linear(64, 10));
//     }
//     Tensor forward(const Tensor& x) { return fc2(dropout(relu(fc1(x)))); }
//     nn::Linear fc1{nullptr}, fc2{nullptr};
//     nn::Dropout dropout = register_module("dropout", nn::Dropout(0.2));
//   };
//   MINITORCH_MODULE(Net);
//
//   Net net;
//   net->eval();                                // Dropout is the identity
//   Tensor logits = net(x);
//   nn::Sequential seq(nn::Linear(2, 8), nn::Tanh(), nn::Linear(8, 1));
#ifndef MINITORCH_NN_H_
#define MINITORCH_NN_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "minitorch/dtype.h"
#include "minitorch/error.h"
#include "minitorch/tensor.h"

namespace minitorch::nn {

// Owns named parameters (leaves that require grad), buffers (state that is
// saved and converted with the module but not trained, such as running
// statistics) and child modules, each in registration order.
template <class Impl>
class ModuleHolder;

class Module : public std::enable_shared_from_this<Module> {
 public:
  Module() = default;
  virtual ~Module() = default;

  // Every parameter (buffer), this module's first, then its children's, in
  // registration order; names are dotted paths ("fc1.weight").
  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;

  // The direct children, in registration order.
  std::vector<std::shared_ptr<Module>> children() const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  // This module (named "", when include_self; it must then be owned by a
  // shared_ptr, as every holder's is) and every descendant, depth first.
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true) const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules(
      bool include_self = true) const;

  // Training mode (the default) or evaluation mode, for this module and
  // every descendant; Dropout reads it.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return is_training_; }

  // Converts every floating-point parameter and buffer, with its gradient,
  // to `dtype` in place: handles to them (a layer's `weight`) see the new
  // dtype. A graph recorded before the call cannot be backpropagated
  // through them afterwards (Error, as after any in-place change).
  void to(DType dtype);

  // Clears every parameter's gradient (set_to_none) or zeroes it in place.
  void zero_grad(bool set_to_none = true);

  // Registration returns what it registered, so a member can be set in one
  // line: weight = register_parameter("weight", randn({3, 4})). A name is
  // non-empty, has no '.', and is new among this module's parameters,
  // buffers and children; otherwise Error.
  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  Tensor& register_buffer(std::string name, Tensor tensor);
  template <class Impl>
  std::shared_ptr<Impl> register_module(std::string name, std::shared_ptr<Impl> module) {
    add_child(std::move(name), module);
    return module;
  }
  template <class Impl>
  std::shared_ptr<Impl> register_module(std::string name, const ModuleHolder<Impl>& holder) {
    return register_module(std::move(name), holder.ptr());
  }

 private:
  void add_child(std::string name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name, const char* what) const;
  void collect(std::vector<std::pair<std::string, Tensor>> Module::*member,
               const std::string& prefix, bool recurse,
               std::vector<std::pair<std::string, Tensor>>& out) const;

  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool is_training_ = true;
};

// A shared handle over a module, as LibTorch's ModuleHolder: constructed
// from the module's constructor arguments, from a shared_ptr to one, or
// from nullptr (the empty state, to be assigned later). Copies share the
// module. Reaching an empty holder's module is an Error.
template <class Impl>
class ModuleHolder {
 public:
  using ContainedType = Impl;

  // A default-built module; a module without a default constructor must be
  // given its arguments, or nullptr.
  ModuleHolder() : impl_(std::make_shared<Impl>()) {}
  ModuleHolder(std::nullptr_t) {}             // NOLINT(google-explicit-constructor): as LibTorch
  ModuleHolder(std::shared_ptr<Impl> module)  // NOLINT(google-explicit-constructor)
      : impl_(std::move(module)) {}
  // The module's constructor arguments. Not chosen for a copy of a holder
  // (or of a MINITORCH_MODULE class), nor for nullptr or a shared_ptr.
  template <
      class Head, class... Tail,
      class = std::enable_if_t<!std::is_base_of_v<ModuleHolder, std::decay_t<Head>> &&
                               !std::is_same_v<std::decay_t<Head>, std::nullptr_t> &&
                               !std::is_convertible_v<std::decay_t<Head>, std::shared_ptr<Impl>>>>
  explicit ModuleHolder(Head&& head, Tail&&... tail)
      : impl_(std::make_shared<Impl>(std::forward<Head>(head), std::forward<Tail>(tail)...)) {}

  Impl* operator->() const { return get(); }
  Impl& operator*() const { return *get(); }
  Impl* get() const {
    if (impl_ == nullptr) {
      throw Error(
          "module holder: this holder is empty (built from nullptr); assign it a module first");
    }
    return impl_.get();
  }
  const std::shared_ptr<Impl>& ptr() const { return impl_; }
  bool is_empty() const { return impl_ == nullptr; }
  template <class... Args>
  decltype(auto) operator()(Args&&... args) const {
    return get()->forward(std::forward<Args>(args)...);
  }
  // The module's operator[], as Sequential's.
  template <class Arg>
  decltype(auto) operator[](Arg&& arg) const {
    return (*get())[std::forward<Arg>(arg)];
  }

 private:
  std::shared_ptr<Impl> impl_;
};

// Declares `Name` as the holder of `NameImpl`, as LibTorch's TORCH_MODULE.
// (A class name cannot be parenthesised.)
// NOLINTBEGIN(bugprone-macro-parentheses)
#define MINITORCH_MODULE(Name)                                     \
  class Name : public ::minitorch::nn::ModuleHolder<Name##Impl> {  \
   public:                                                         \
    using ::minitorch::nn::ModuleHolder<Name##Impl>::ModuleHolder; \
  }
// NOLINTEND(bugprone-macro-parentheses)

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  LinearOptions& bias(bool with_bias) {
    bias_ = with_bias;
    return *this;
  }
  LinearOptions& seed(uint64_t seed) {
    seed_ = seed;
    return *this;
  }
  LinearOptions& dtype(DType dtype) {
    dtype_ = dtype;
    return *this;
  }

  int64_t in_features_, out_features_;
  bool bias_ = true;
  std::optional<uint64_t> seed_;  // none: draw from the global generator
  DType dtype_ = kFloat32;
};

// y = x @ weight^T + bias, weight (out, in). Initialised as LibTorch's
// Linear: weight and bias uniform in [-1/sqrt(in), 1/sqrt(in)] (Kaiming
// uniform with a = sqrt(5)), drawn from the global generator (manual_seed),
// or from the options' seed when one is given.
class LinearImpl : public Module {
 public:
  explicit LinearImpl(const LinearOptions& options);
  LinearImpl(int64_t in_features, int64_t out_features)
      : LinearImpl(LinearOptions(in_features, out_features)) {}
  Tensor forward(const Tensor& input) const;

  LinearOptions options;
  Tensor weight;
  Tensor bias;  // undefined without bias
};
MINITORCH_MODULE(Linear);

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  EmbeddingOptions& seed(uint64_t seed) {
    seed_ = seed;
    return *this;
  }
  EmbeddingOptions& dtype(DType dtype) {
    dtype_ = dtype;
    return *this;
  }

  int64_t num_embeddings_, embedding_dim_;
  std::optional<uint64_t> seed_;  // none: draw from the global generator
  DType dtype_ = kFloat32;
};

// Rows of weight (num, dim), standard normal as in LibTorch (drawn as
// Linear's are), picked by int64
// indices; the gradient is scattered back into the rows used.
class EmbeddingImpl : public Module {
 public:
  explicit EmbeddingImpl(const EmbeddingOptions& options);
  EmbeddingImpl(int64_t num, int64_t dim) : EmbeddingImpl(EmbeddingOptions(num, dim)) {}
  Tensor forward(const Tensor& indices) const;

  EmbeddingOptions options;
  Tensor weight;
};
MINITORCH_MODULE(Embedding);

// Element-wise activations as modules, for Sequential.
class ReLUImpl : public Module {
 public:
  Tensor forward(const Tensor& input) const;
};
MINITORCH_MODULE(ReLU);

class TanhImpl : public Module {
 public:
  Tensor forward(const Tensor& input) const;
};
MINITORCH_MODULE(Tanh);

class SigmoidImpl : public Module {
 public:
  Tensor forward(const Tensor& input) const;
};
MINITORCH_MODULE(Sigmoid);

struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT(google-explicit-constructor): as LibTorch
  DropoutOptions& p(double p) {
    p_ = p;
    return *this;
  }

  double p_;
};

// Inverted dropout: in training mode each element is zeroed with
// probability p, drawn from the global generator (manual_seed), and the
// rest are scaled by 1 / (1 - p), so the expectation is the input. The
// identity in evaluation mode.
class DropoutImpl : public Module {
 public:
  explicit DropoutImpl(const DropoutOptions& options = {});
  Tensor forward(const Tensor& input) const;

  DropoutOptions options;
};
MINITORCH_MODULE(Dropout);

struct LayerNormOptions {
  LayerNormOptions(std::vector<int64_t> normalized_shape)  // NOLINT(google-explicit-constructor)
      : normalized_shape_(std::move(normalized_shape)) {}
  LayerNormOptions& eps(double eps) {
    eps_ = eps;
    return *this;
  }
  LayerNormOptions& elementwise_affine(bool affine) {
    elementwise_affine_ = affine;
    return *this;
  }
  LayerNormOptions& dtype(DType dtype) {
    dtype_ = dtype;
    return *this;
  }

  std::vector<int64_t> normalized_shape_;
  double eps_ = 1e-5;
  bool elementwise_affine_ = true;
  DType dtype_ = kFloat32;
};

// Normalises over the trailing dims `normalized_shape`: (x - mean) /
// sqrt(var + eps), var the biased variance, then * weight + bias (ones and
// zeros of normalized_shape to start) with elementwise_affine.
class LayerNormImpl : public Module {
 public:
  explicit LayerNormImpl(const LayerNormOptions& options);
  Tensor forward(const Tensor& input) const;

  LayerNormOptions options;
  Tensor weight;  // undefined without elementwise_affine
  Tensor bias;
};
MINITORCH_MODULE(LayerNorm);

// Runs modules one after another, each module's output the next one's
// input, as torch::nn::Sequential. Built from holders or shared_ptrs of
// modules whose forward takes and returns one Tensor; the children are
// named "0", "1", ... unless a name is given.
class SequentialImpl : public Module {
 public:
  SequentialImpl() = default;
  template <class... Modules>
  explicit SequentialImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  template <class Impl>
  void push_back(const ModuleHolder<Impl>& holder) {
    push_back(std::to_string(layers_.size()), holder.ptr());
  }
  template <class Impl>
  void push_back(std::shared_ptr<Impl> module) {
    push_back(std::to_string(layers_.size()), std::move(module));
  }
  template <class Impl>
  void push_back(std::string name, const ModuleHolder<Impl>& holder) {
    push_back(std::move(name), holder.ptr());
  }
  template <class Impl>
  void push_back(std::string name, std::shared_ptr<Impl> module) {
    if (module == nullptr) throw Error("Sequential: push_back of an empty module holder");
    register_module(std::move(name), module);
    layers_.push_back([module](const Tensor& input) -> Tensor { return module->forward(input); });
  }

  Tensor forward(const Tensor& input) const;
  size_t size() const { return layers_.size(); }
  bool is_empty() const { return layers_.empty(); }
  // The i-th module; Error past the end.
  std::shared_ptr<Module> ptr(size_t index) const;
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  // The i-th module as `Impl`; Error past the end or for another type.
  template <class Impl>
  Impl& at(size_t index) const {
    auto* module = dynamic_cast<Impl*>(ptr(index).get());
    if (module == nullptr) {
      throw Error("Sequential: module " + std::to_string(index) + " is not of the type asked for");
    }
    return *module;
  }

 private:
  // Each child's forward, in order (the children themselves are the
  // registered modules).
  std::vector<std::function<Tensor(const Tensor&)>> layers_;
};
MINITORCH_MODULE(Sequential);

// The layers as functions, as torch::nn::functional.
namespace functional {

Tensor relu(const Tensor& input);
Tensor tanh(const Tensor& input);
Tensor sigmoid(const Tensor& input);
// input @ weight^T + bias (bias may be undefined).
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});

struct DropoutFuncOptions {
  DropoutFuncOptions& p(double p) {
    p_ = p;
    return *this;
  }
  DropoutFuncOptions& training(bool training) {
    training_ = training;
    return *this;
  }

  double p_ = 0.5;
  bool training_ = true;
};
// Inverted dropout as DropoutImpl's; p outside [0, 1] is an Error.
Tensor dropout(const Tensor& input, const DropoutFuncOptions& options = {});

struct LayerNormFuncOptions {
  LayerNormFuncOptions(
      std::vector<int64_t> normalized_shape)  // NOLINT(google-explicit-constructor)
      : normalized_shape_(std::move(normalized_shape)) {}
  LayerNormFuncOptions& weight(Tensor weight) {
    weight_ = std::move(weight);
    return *this;
  }
  LayerNormFuncOptions& bias(Tensor bias) {
    bias_ = std::move(bias);
    return *this;
  }
  LayerNormFuncOptions& eps(double eps) {
    eps_ = eps;
    return *this;
  }

  std::vector<int64_t> normalized_shape_;
  Tensor weight_, bias_;  // undefined: no scale, no shift
  double eps_ = 1e-5;
};
// LayerNormImpl's formula. The input must end in normalized_shape, and a
// weight or bias must have exactly that shape; otherwise Error.
Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options);

}  // namespace functional

// Initialisation in place, under no-grad, as torch::nn::init; each returns
// the tensor it filled. Draws come from the global generator (manual_seed).
namespace init {

enum FanMode { kFanIn, kFanOut };
enum Nonlinearity { kLinear, kSigmoid, kTanh, kReLU, kLeakyReLU };

// The recommended gain for a nonlinearity: 1 (linear, sigmoid), 5/3 (tanh),
// sqrt(2) (relu), sqrt(2 / (1 + slope^2)) (leaky_relu, slope `param`).
double calculate_gain(Nonlinearity nonlinearity, double param = 0.01);

Tensor uniform_(Tensor tensor, double low = 0, double high = 1);
Tensor normal_(Tensor tensor, double mean = 0, double std = 1);
Tensor constant_(Tensor tensor, double value);
Tensor zeros_(Tensor tensor);
Tensor ones_(Tensor tensor);
// Uniform in +-gain * sqrt(3 / fan), the fan in or out of a weight of at
// least two dims (out, in, receptive field...); `a` is leaky_relu's slope.
Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanMode mode = kFanIn,
                        Nonlinearity nonlinearity = kLeakyReLU);
Tensor kaiming_normal_(Tensor tensor, double a = 0, FanMode mode = kFanIn,
                       Nonlinearity nonlinearity = kLeakyReLU);
// Uniform in +-gain * sqrt(6 / (fan_in + fan_out)).
Tensor xavier_uniform_(Tensor tensor, double gain = 1);
Tensor xavier_normal_(Tensor tensor, double gain = 1);

}  // namespace init

// Gradient clipping, as torch::nn::utils. Both change the parameters'
// .grad() in place and skip parameters without one.
namespace utils {
// Scales every gradient by max_norm / (total + 1e-6) when that is below 1,
// `total` being the norm_type-norm of all gradient entries together
// (norm_type > 0, or INFINITY for the largest magnitude). Returns `total`,
// computed in double; with error_if_nonfinite, a NaN or infinite total is an
// Error and nothing is scaled.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm,
                       double norm_type = 2.0, bool error_if_nonfinite = false);
// Clamps every gradient entry into [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
}  // namespace utils

}  // namespace minitorch::nn

#endif  // MINITORCH_NN_H_
