// minitorch::optim: SGD and Adam with LibTorch's update rules, updating
// parameters in place outside the graph.
//
// Example:
//   optim::Adam adam(model->parameters(), optim::AdamOptions(1e-3));
//   for (...) {
//     adam.zero_grad();
//     loss(model).backward();
//     adam.step();
//   }
#ifndef MINITORCH_OPTIM_H_
#define MINITORCH_OPTIM_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "minitorch/tensor.h"

namespace minitorch::optim {

class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor> parameters);
  virtual ~Optimizer() = default;
  // One update from the parameters' current gradients (parameters without a
  // gradient are skipped).
  virtual void step() = 0;
  // Clears (set_to_none) or zeroes every parameter's gradient.
  void zero_grad(bool set_to_none = true);
  const std::vector<Tensor>& parameters() const { return parameters_; }

 protected:
  std::vector<Tensor> parameters_;
};

struct SGDOptions {
  explicit SGDOptions(double lr) : lr_(lr) {}
  SGDOptions& momentum(double v) {
    momentum_ = v;
    return *this;
  }
  SGDOptions& dampening(double v) {
    dampening_ = v;
    return *this;
  }
  SGDOptions& weight_decay(double v) {
    weight_decay_ = v;
    return *this;
  }
  SGDOptions& nesterov(bool v) {
    nesterov_ = v;
    return *this;
  }

  double lr_;
  double momentum_ = 0, dampening_ = 0, weight_decay_ = 0;
  bool nesterov_ = false;
};

// d = g + weight_decay p; with momentum, b = momentum b + (1 - dampening) d
// (b = d at the first step) and d = b (nesterov: d + momentum b); p -= lr d.
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> parameters, const SGDOptions& options);
  void step() override;

 private:
  SGDOptions options_;
  std::vector<Tensor> momentum_buffers_;
};

struct AdamOptions {
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}
  AdamOptions& betas(std::pair<double, double> v) {
    betas_ = v;
    return *this;
  }
  AdamOptions& eps(double v) {
    eps_ = v;
    return *this;
  }
  AdamOptions& weight_decay(double v) {
    weight_decay_ = v;
    return *this;
  }
  AdamOptions& amsgrad(bool v) {
    amsgrad_ = v;
    return *this;
  }

  double lr_;
  std::pair<double, double> betas_ = {0.9, 0.999};
  double eps_ = 1e-8, weight_decay_ = 0;
  bool amsgrad_ = false;
};

// LibTorch's Adam: g += weight_decay p; m = b1 m + (1 - b1) g;
// v = b2 v + (1 - b2) g^2 (amsgrad: the running max of v is used);
// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> parameters, const AdamOptions& options);
  void step() override;

 private:
  AdamOptions options_;
  int64_t steps_ = 0;
  std::vector<Tensor> exp_avg_, exp_avg_sq_, max_exp_avg_sq_;
};

}  // namespace minitorch::optim

#endif  // MINITORCH_OPTIM_H_
