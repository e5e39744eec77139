// minitorch::nn: layers with parameters, named as in LibTorch's C++ frontend.
//
// A module holder (Linear, Embedding) is a cheap shared handle, like
// torch::nn::Linear: call it, or reach the layer with ->.
//
// Example:
//   using namespace minitorch;
//   nn::Linear layer(nn::LinearOptions(784, 10).seed(1));
//   Tensor logits = layer(x);                  // x @ weight^T + bias
//   std::vector<Tensor> params = layer->parameters();
//   layer->zero_grad();
#ifndef MINITORCH_NN_H_
#define MINITORCH_NN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/dtype.h"
#include "minitorch/tensor.h"

namespace minitorch::nn {

// Owns named parameters (leaves that require grad) and child modules.
class Module {
 public:
  virtual ~Module() = default;
  // Every parameter, this module's first, then its children's, in
  // registration order.
  std::vector<Tensor> parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_parameters() const;
  // Clears every parameter's gradient (set_to_none) or zeroes it in place.
  void zero_grad(bool set_to_none = true);

 protected:
  Tensor& register_parameter(std::string name, Tensor tensor);
  void register_module(std::string name, std::shared_ptr<Module> module);

 private:
  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

// A shared handle over a module, as LibTorch's ModuleHolder.
template <class Impl>
class ModuleHolder {
 public:
  template <class... Args>
  explicit ModuleHolder(Args&&... args)
      : impl_(std::make_shared<Impl>(std::forward<Args>(args)...)) {}
  Impl* operator->() const { return impl_.get(); }
  Impl& operator*() const { return *impl_; }
  const std::shared_ptr<Impl>& ptr() const { return impl_; }
  template <class... Args>
  Tensor operator()(Args&&... args) const {
    return impl_->forward(std::forward<Args>(args)...);
  }

 private:
  std::shared_ptr<Impl> impl_;
};

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
using Linear = ModuleHolder<LinearImpl>;

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
using Embedding = ModuleHolder<EmbeddingImpl>;

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
