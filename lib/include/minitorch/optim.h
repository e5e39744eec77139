// minitorch::optim: SGD and Adam with LibTorch's update rules, parameter
// groups with their own options, learning-rate schedulers, and the state
// a checkpoint needs to resume training bit for bit.
//
// Example:
//   optim::Adam adam({optim::OptimizerParamGroup(body->parameters()),
//                     optim::OptimizerParamGroup(
//                         head->parameters(), std::make_unique<optim::AdamOptions>(1e-4))},
//                    optim::AdamOptions(1e-3));
//   optim::CosineAnnealingLR schedule(adam, /*t_max=*/100);
//   for (...) {
//     adam.zero_grad();
//     loss(model).backward();
//     adam.step();
//     schedule.step();
//   }
//   double lr = adam.param_groups()[0].options().get_lr();
#ifndef MINITORCH_OPTIM_H_
#define MINITORCH_OPTIM_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/tensor.h"

namespace minitorch::optim {

// What an optimizer or scheduler saves: tensors by name and string
// metadata, as a safetensors file holds them (minitorch::save / load).
struct StateDict {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
};

// One optimizer's options, as a group holds them. Each option is also a
// named number (bools as 0 and 1), the form a StateDict saves.
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual std::vector<std::pair<std::string, double>> named_values() const = 0;
  // Error naming the option when `name` is not one of this optimizer's.
  virtual void set_value(const std::string& name, double value) = 0;
};

// Parameters updated with the same options; without options, a group
// takes its optimizer's defaults when added.
class OptimizerParamGroup {
 public:
  OptimizerParamGroup(std::vector<Tensor> params)  // NOLINT(google-explicit-constructor)
      : params_(std::move(params)) {}
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options)
      : params_(std::move(params)), options_(std::move(options)) {}
  OptimizerParamGroup(const OptimizerParamGroup& other);
  OptimizerParamGroup& operator=(const OptimizerParamGroup& other);
  OptimizerParamGroup(OptimizerParamGroup&&) = default;
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) = default;
  ~OptimizerParamGroup() = default;

  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }
  bool has_options() const { return options_ != nullptr; }
  // Error when the group has no options yet.
  OptimizerOptions& options();
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update from the parameters' current gradients (parameters without a
  // gradient are skipped, and their state does not advance).
  virtual void step() = 0;
  // Clears (set_to_none) or zeroes every parameter's gradient.
  void zero_grad(bool set_to_none = true);

  // A group's parameters must be leaves that require grad and belong to no
  // other group; otherwise Error.
  void add_param_group(const OptimizerParamGroup& group);
  std::vector<OptimizerParamGroup>& param_groups() { return param_groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const { return param_groups_; }
  // Every group's parameters, in group order.
  std::vector<Tensor> parameters() const;
  const OptimizerOptions& defaults() const { return *defaults_; }

  // The groups' options and every parameter's state, parameters numbered
  // in group order: tensors "state.<i>.<name>" (an Adam's "exp_avg", an
  // SGD's "momentum_buffer", "step" as int64), metadata "optimizer" and
  // "param_groups" (JSON: each group's options and parameter numbers).
  StateDict state_dict() const;
  // Restores what state_dict() gave, into an optimizer of the same kind
  // over parameters of the same groups and shapes; otherwise Error naming
  // the field, and nothing changes.
  void load_state_dict(const StateDict& state);

 protected:
  Optimizer(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults,
            const char* name);

  // A parameter's state: the steps it was updated in, and named buffers.
  struct ParamState {
    int64_t step = 0;
    std::map<std::string, Tensor> buffers;
  };
  // The state of `param`, created empty at its first update.
  ParamState& state_of(const Tensor& param);

 private:
  const char* name_;
  std::unique_ptr<OptimizerOptions> defaults_;
  std::vector<OptimizerParamGroup> param_groups_;
  std::map<const void*, ParamState> state_;  // by the parameter's identity
};

struct SGDOptions : OptimizerOptions {
  explicit SGDOptions(double lr) : lr_(lr) {}
  SGDOptions& lr(double v) {
    lr_ = v;
    return *this;
  }
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
  double lr() const { return lr_; }

  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  std::unique_ptr<OptimizerOptions> clone() const override;
  std::vector<std::pair<std::string, double>> named_values() const override;
  void set_value(const std::string& name, double value) override;

  double lr_;
  double momentum_ = 0, dampening_ = 0, weight_decay_ = 0;
  bool nesterov_ = false;
};

// d = g + weight_decay p; with momentum, b = momentum b + (1 - dampening) d
// (b = d at the first step) and d = b (nesterov: d + momentum b); p -= lr d.
class SGD : public Optimizer {
 public:
  SGD(std::vector<OptimizerParamGroup> groups, const SGDOptions& defaults);
  SGD(std::vector<Tensor> parameters, const SGDOptions& defaults)
      : SGD(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(parameters))},
            defaults) {}
  void step() override;
};

struct AdamOptions : OptimizerOptions {
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}
  AdamOptions& lr(double v) {
    lr_ = v;
    return *this;
  }
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
  double lr() const { return lr_; }

  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  std::unique_ptr<OptimizerOptions> clone() const override;
  std::vector<std::pair<std::string, double>> named_values() const override;
  void set_value(const std::string& name, double value) override;

  double lr_;
  std::pair<double, double> betas_ = {0.9, 0.999};
  double eps_ = 1e-8, weight_decay_ = 0;
  bool amsgrad_ = false;
};

// LibTorch's Adam: g += weight_decay p; m = b1 m + (1 - b1) g;
// v = b2 v + (1 - b2) g^2 (amsgrad: the running max of v is used);
// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), t the
// parameter's own step count.
class Adam : public Optimizer {
 public:
  Adam(std::vector<OptimizerParamGroup> groups, const AdamOptions& defaults);
  Adam(std::vector<Tensor> parameters, const AdamOptions& defaults)
      : Adam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(parameters))},
             defaults) {}
  void step() override;
};

// Sets every group's lr from its base lr (the lr when the scheduler was
// built) and the epoch count, by the schedule's closed form, as PyTorch's
// schedulers: the constructor sets epoch 0's lr, each step() the next
// epoch's. Call step() after the optimizer's step().
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  void step();
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  // The lr of each group as this scheduler last set it.
  std::vector<double> get_last_lr() const;
  // Epoch `epoch`'s lr for a group whose base lr is `base_lr`.
  virtual double lr_at(int64_t epoch, double base_lr) const = 0;

  // Metadata "scheduler", "last_epoch" and "base_lrs" (JSON).
  StateDict state_dict() const;
  // Error naming the field unless `state` is this kind of scheduler's, over
  // as many groups; nothing changes then.
  void load_state_dict(const StateDict& state);

 protected:
  LRScheduler(Optimizer& optimizer, const char* name);
  // Sets epoch 0's lr; each concrete scheduler's constructor calls it once
  // its parameters are set.
  void start();
  void set_base_lrs(std::vector<double> base_lrs) { base_lrs_ = std::move(base_lrs); }

 private:
  void apply();

  Optimizer& optimizer_;
  const char* name_;
  std::vector<double> base_lrs_;
  int64_t last_epoch_ = 0;
};

// lr = base * gamma^(epoch / step_size), integer division.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

// lr = base * gamma^epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  double gamma_;
};

// lr = eta_min + (base - eta_min) (1 + cos(pi epoch / t_max)) / 2: down to
// eta_min at t_max, back up over the next t_max epochs.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min = 0);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  int64_t t_max_;
  double eta_min_;
};

// A linear warm-up: lr = base * factor, the factor going linearly from
// start_factor at epoch 0 to end_factor at total_iters, then held.
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0,
           int64_t total_iters = 5);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

// lr = base * lambda(epoch).
class LambdaLR : public LRScheduler {
 public:
  LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lambda);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  std::function<double(int64_t)> lambda_;
};

// Runs schedulers one after another: the i-th from milestones[i - 1] on,
// counting its epochs from there, each from the base lrs of this one (a
// warm-up, then a decay).
class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

}  // namespace minitorch::optim

#endif  // MINITORCH_OPTIM_H_
