// Optimizers: LibTorch's SGD and Adam rules, applied in place under
// NoGradGuard (parameters are leaves that require grad).
#include "minitorch/optim.h"

#include <cmath>

#include "check.h"
#include "minitorch/autograd.h"
#include "minitorch/ops.h"

namespace minitorch::optim {

Optimizer::Optimizer(std::vector<Tensor> parameters) : parameters_(std::move(parameters)) {
  for (size_t i = 0; i < parameters_.size(); ++i) {
    MT_CHECK(parameters_[i].defined() && parameters_[i].is_leaf() && parameters_[i].requires_grad(),
             "optimizer: parameter ", i, " must be a leaf tensor that requires grad");
  }
}

void Optimizer::zero_grad(bool set_to_none) {
  for (Tensor& p : parameters_) {
    if (set_to_none || !p.grad().defined()) {
      p.set_grad(Tensor());
    } else {
      p.grad().zero_();
    }
  }
}

SGD::SGD(std::vector<Tensor> parameters, const SGDOptions& options)
    : Optimizer(std::move(parameters)), options_(options), momentum_buffers_(parameters_.size()) {
  MT_CHECK(options.lr_ >= 0, "SGD: learning rate must be >= 0, got ", options.lr_);
  MT_CHECK(!options.nesterov_ || (options.momentum_ > 0 && options.dampening_ == 0),
           "SGD: nesterov needs momentum > 0 and dampening 0");
}

void SGD::step() {
  NoGradGuard no_grad;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    Tensor& p = parameters_[i];
    if (!p.grad().defined()) continue;
    Tensor d = p.grad();
    if (options_.weight_decay_ != 0) d = d + p * options_.weight_decay_;
    if (options_.momentum_ != 0) {
      Tensor& buffer = momentum_buffers_[i];
      if (!buffer.defined()) {
        buffer = d.clone();
      } else {
        buffer.mul_(options_.momentum_).add_(d, 1 - options_.dampening_);
      }
      d = options_.nesterov_ ? d + buffer * options_.momentum_ : buffer;
    }
    p.sub_(d, options_.lr_);
  }
}

Adam::Adam(std::vector<Tensor> parameters, const AdamOptions& options)
    : Optimizer(std::move(parameters)),
      options_(options),
      exp_avg_(parameters_.size()),
      exp_avg_sq_(parameters_.size()),
      max_exp_avg_sq_(parameters_.size()) {
  MT_CHECK(options.lr_ >= 0, "Adam: learning rate must be >= 0, got ", options.lr_);
  MT_CHECK(options.betas_.first >= 0 && options.betas_.first < 1 && options.betas_.second >= 0 &&
               options.betas_.second < 1,
           "Adam: betas must be in [0, 1), got (", options.betas_.first, ", ",
           options.betas_.second, ")");
}

void Adam::step() {
  NoGradGuard no_grad;
  ++steps_;
  const auto [beta1, beta2] = options_.betas_;
  const double correction1 = 1 - std::pow(beta1, static_cast<double>(steps_));
  const double correction2 = 1 - std::pow(beta2, static_cast<double>(steps_));
  for (size_t i = 0; i < parameters_.size(); ++i) {
    Tensor& p = parameters_[i];
    if (!p.grad().defined()) continue;
    Tensor g = p.grad();
    if (options_.weight_decay_ != 0) g = g + p * options_.weight_decay_;
    if (!exp_avg_[i].defined()) {
      exp_avg_[i] = zeros(p.shape(), p.dtype());
      exp_avg_sq_[i] = zeros(p.shape(), p.dtype());
      if (options_.amsgrad_) max_exp_avg_sq_[i] = zeros(p.shape(), p.dtype());
    }
    exp_avg_[i].mul_(beta1).add_(g, 1 - beta1);
    exp_avg_sq_[i].mul_(beta2).add_(g * g, 1 - beta2);
    Tensor second = exp_avg_sq_[i];
    if (options_.amsgrad_) {
      max_exp_avg_sq_[i].copy_(maximum(max_exp_avg_sq_[i], exp_avg_sq_[i]));
      second = max_exp_avg_sq_[i];
    }
    const Tensor denom = sqrt(second) / std::sqrt(correction2) + options_.eps_;
    p.sub_(exp_avg_[i] / denom, options_.lr_ / correction1);
  }
}

}  // namespace minitorch::optim
