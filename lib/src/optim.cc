// Optimizers: LibTorch's SGD and Adam rules, applied in place under
// NoGradGuard (parameters are leaves that require grad), per parameter
// group; learning-rate schedulers; optimizer and scheduler state.
#include "minitorch/optim.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "check.h"
#include "minitorch/autograd.h"
#include "minitorch/ops.h"
#include "tensor_impl.h"

namespace minitorch::optim {

OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup& other)
    : params_(other.params_), options_(other.options_ ? other.options_->clone() : nullptr) {}

OptimizerParamGroup& OptimizerParamGroup::operator=(const OptimizerParamGroup& other) {
  if (this != &other) {
    params_ = other.params_;
    options_ = other.options_ ? other.options_->clone() : nullptr;
  }
  return *this;
}

OptimizerOptions& OptimizerParamGroup::options() {
  MT_CHECK(options_ != nullptr, "OptimizerParamGroup: this group has no options yet");
  return *options_;
}

const OptimizerOptions& OptimizerParamGroup::options() const {
  MT_CHECK(options_ != nullptr, "OptimizerParamGroup: this group has no options yet");
  return *options_;
}

Optimizer::Optimizer(std::vector<OptimizerParamGroup> groups,
                     std::unique_ptr<OptimizerOptions> defaults, const char* name)
    : name_(name), defaults_(std::move(defaults)) {
  for (const OptimizerParamGroup& group : groups) add_param_group(group);
}

void Optimizer::add_param_group(const OptimizerParamGroup& group) {
  std::set<const void*> taken;
  for (const Tensor& p : parameters()) taken.insert(p.impl().get());
  for (size_t i = 0; i < group.params().size(); ++i) {
    const Tensor& p = group.params()[i];
    MT_CHECK(p.defined() && p.is_leaf() && p.requires_grad(), name_, ": parameter ", i,
             " of group ", param_groups_.size(), " must be a leaf tensor that requires grad");
    MT_CHECK(taken.insert(p.impl().get()).second, name_, ": parameter ", i, " of group ",
             param_groups_.size(), " (shape ", p.shape().to_string(),
             ") is already in a group of this optimizer");
  }
  OptimizerParamGroup added = group;
  if (!added.has_options()) added.set_options(defaults_->clone());
  const double lr = added.options().get_lr();
  MT_CHECK(lr >= 0, name_, ": learning rate must be >= 0, got ", lr, " in group ",
           param_groups_.size());
  param_groups_.push_back(std::move(added));
}

std::vector<Tensor> Optimizer::parameters() const {
  std::vector<Tensor> out;
  for (const OptimizerParamGroup& group : param_groups_) {
    out.insert(out.end(), group.params().begin(), group.params().end());
  }
  return out;
}

void Optimizer::zero_grad(bool set_to_none) { clear_grads(parameters(), set_to_none); }

Optimizer::ParamState& Optimizer::state_of(const Tensor& param) {
  return state_[param.impl().get()];
}

StateDict Optimizer::state_dict() const {
  StateDict out;
  nlohmann::json groups = nlohmann::json::array();
  int64_t index = 0;
  for (const OptimizerParamGroup& group : param_groups_) {
    nlohmann::json entry = nlohmann::json::object();
    for (const auto& [name, value] : group.options().named_values()) entry[name] = value;
    std::vector<int64_t> numbers;
    for (const Tensor& p : group.params()) {
      numbers.push_back(index);
      const auto found = state_.find(p.impl().get());
      if (found != state_.end()) {
        const std::string prefix = absl::StrCat("state.", index, ".");
        out.tensors[prefix + "step"] =
            scalar_tensor(static_cast<double>(found->second.step), kInt64);
        for (const auto& [name, buffer] : found->second.buffers) {
          out.tensors[prefix + name] = buffer.clone();
        }
      }
      ++index;
    }
    entry["params"] = numbers;
    groups.push_back(entry);
  }
  out.metadata["optimizer"] = name_;
  out.metadata["param_groups"] = groups.dump();
  return out;
}

namespace {

// The metadata entry `key` of a state that `owner` ("Adam", "StepLR")
// loads; Error when it is missing.
const std::string& metadata_entry(const StateDict& state, const std::string& key,
                                  const char* owner) {
  const auto found = state.metadata.find(key);
  MT_CHECK(found != state.metadata.end(), owner, ".load_state_dict: metadata \"", key,
           "\" is missing");
  return found->second;
}

// Error unless the state's `kind` entry ("optimizer", "scheduler") names
// `owner`: an SGD's state does not load into an Adam.
void check_state_kind(const StateDict& state, const std::string& kind, const char* owner) {
  const std::string& saved_by = metadata_entry(state, kind, owner);
  MT_CHECK(saved_by == owner, owner, ".load_state_dict: the state is a ", saved_by, "'s, not a ",
           owner, "'s");
}

}  // namespace

void Optimizer::load_state_dict(const StateDict& state) {
  const auto field = [&](const std::string& key) -> const std::string& {
    return metadata_entry(state, key, name_);
  };
  check_state_kind(state, "optimizer", name_);
  const nlohmann::json groups = nlohmann::json::parse(field("param_groups"), nullptr, false);
  MT_CHECK(groups.is_array() && groups.size() == param_groups_.size(), name_,
           ".load_state_dict: \"param_groups\" must list ", param_groups_.size(),
           " groups, as this optimizer has");
  // Everything is read and checked first; only then does anything change.
  std::vector<std::unique_ptr<OptimizerOptions>> options;
  std::map<const void*, ParamState> states;
  int64_t index = 0;
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    const nlohmann::json& entry = groups[g];
    const std::vector<Tensor>& params = param_groups_[g].params();
    MT_CHECK(entry.is_object() && entry.contains("params") && entry["params"].is_array() &&
                 entry["params"].size() == params.size(),
             name_, ".load_state_dict: group ", g, " must list ", params.size(),
             " parameters, as this optimizer's does");
    options.push_back(param_groups_[g].options().clone());
    for (const auto& [name, value] : entry.items()) {
      if (name == "params") continue;
      MT_CHECK(value.is_number(), name_, ".load_state_dict: option \"", name, "\" of group ", g,
               " is not a number");
      options.back()->set_value(name, value.get<double>());
    }
    MT_CHECK(options.back()->get_lr() >= 0, name_, ".load_state_dict: group ", g,
             " has a negative learning rate");
    for (const Tensor& p : params) {
      const std::string prefix = absl::StrCat("state.", index, ".");
      ParamState param_state;
      bool present = false, has_step = false;
      for (auto it = state.tensors.lower_bound(prefix);
           it != state.tensors.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
        present = true;
        const std::string name = it->first.substr(prefix.size());
        const Tensor& value = it->second;
        if (name == "step") {
          MT_CHECK(value.dim() == 0 && value.dtype() == kInt64 && value.item<int64_t>() >= 0, name_,
                   ".load_state_dict: \"", it->first, "\" must be a non-negative int64 scalar");
          param_state.step = value.item<int64_t>();
          has_step = true;
        } else {
          MT_CHECK(value.shape() == p.shape() && value.dtype() == p.dtype(), name_,
                   ".load_state_dict: \"", it->first, "\" has shape ", value.shape().to_string(),
                   " and dtype ", dtype_name(value.dtype()), "; parameter ", index, " has ",
                   p.shape().to_string(), " and ", dtype_name(p.dtype()));
          param_state.buffers[name] = value.clone();
        }
      }
      MT_CHECK(!present || has_step, name_, ".load_state_dict: \"", prefix, "step\" is missing");
      if (present) states[p.impl().get()] = std::move(param_state);
      ++index;
    }
  }
  for (const auto& [name, value] : state.tensors) {
    MT_CHECK(name.rfind("state.", 0) == 0, name_, ".load_state_dict: tensor \"", name,
             "\" is not an optimizer's");
  }
  int64_t known = 0;
  for (const auto& [param, param_state] : states) {
    known += static_cast<int64_t>(param_state.buffers.size()) + 1;
  }
  MT_CHECK(known == static_cast<int64_t>(state.tensors.size()), name_,
           ".load_state_dict: the state holds tensors of parameters this optimizer does not have");
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    param_groups_[g].set_options(std::move(options[g]));
  }
  state_ = std::move(states);
}

std::unique_ptr<OptimizerOptions> SGDOptions::clone() const {
  return std::make_unique<SGDOptions>(*this);
}

std::vector<std::pair<std::string, double>> SGDOptions::named_values() const {
  return {{"lr", lr_},
          {"momentum", momentum_},
          {"dampening", dampening_},
          {"weight_decay", weight_decay_},
          {"nesterov", nesterov_ ? 1 : 0}};
}

void SGDOptions::set_value(const std::string& name, double value) {
  if (name == "lr") {
    lr_ = value;
  } else if (name == "momentum") {
    momentum_ = value;
  } else if (name == "dampening") {
    dampening_ = value;
  } else if (name == "weight_decay") {
    weight_decay_ = value;
  } else if (name == "nesterov") {
    nesterov_ = value != 0;
  } else {
    MT_CHECK(false, "SGD.load_state_dict: \"", name, "\" is not an option of SGD");
  }
}

std::unique_ptr<OptimizerOptions> AdamOptions::clone() const {
  return std::make_unique<AdamOptions>(*this);
}

std::vector<std::pair<std::string, double>> AdamOptions::named_values() const {
  return {{"lr", lr_},   {"beta1", betas_.first},         {"beta2", betas_.second},
          {"eps", eps_}, {"weight_decay", weight_decay_}, {"amsgrad", amsgrad_ ? 1 : 0}};
}

void AdamOptions::set_value(const std::string& name, double value) {
  if (name == "lr") {
    lr_ = value;
  } else if (name == "beta1") {
    betas_.first = value;
  } else if (name == "beta2") {
    betas_.second = value;
  } else if (name == "eps") {
    eps_ = value;
  } else if (name == "weight_decay") {
    weight_decay_ = value;
  } else if (name == "amsgrad") {
    amsgrad_ = value != 0;
  } else {
    MT_CHECK(false, "Adam.load_state_dict: \"", name, "\" is not an option of Adam");
  }
}

namespace {

void check_sgd(const SGDOptions& options) {
  MT_CHECK(!options.nesterov_ || (options.momentum_ > 0 && options.dampening_ == 0),
           "SGD: nesterov needs momentum > 0 and dampening 0");
}

void check_adam(const AdamOptions& options) {
  MT_CHECK(options.betas_.first >= 0 && options.betas_.first < 1 && options.betas_.second >= 0 &&
               options.betas_.second < 1,
           "Adam: betas must be in [0, 1), got (", options.betas_.first, ", ",
           options.betas_.second, ")");
}

}  // namespace

SGD::SGD(std::vector<OptimizerParamGroup> groups, const SGDOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone(), "SGD") {
  for (const OptimizerParamGroup& group : param_groups()) {
    check_sgd(static_cast<const SGDOptions&>(group.options()));
  }
}

void SGD::step() {
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups()) {
    const auto& options = static_cast<const SGDOptions&>(group.options());
    for (Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      ParamState& state = state_of(p);
      ++state.step;
      Tensor d = p.grad();
      if (options.weight_decay_ != 0) d = d + p * options.weight_decay_;
      if (options.momentum_ != 0) {
        Tensor& buffer = state.buffers["momentum_buffer"];
        if (!buffer.defined()) {
          buffer = d.clone();
        } else {
          buffer.mul_(options.momentum_).add_(d, 1 - options.dampening_);
        }
        d = options.nesterov_ ? d + buffer * options.momentum_ : buffer;
      }
      p.sub_(d, options.lr_);
    }
  }
}

Adam::Adam(std::vector<OptimizerParamGroup> groups, const AdamOptions& defaults)
    : Optimizer(std::move(groups), defaults.clone(), "Adam") {
  for (const OptimizerParamGroup& group : param_groups()) {
    check_adam(static_cast<const AdamOptions&>(group.options()));
  }
}

void Adam::step() {
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups()) {
    const auto& options = static_cast<const AdamOptions&>(group.options());
    const auto [beta1, beta2] = options.betas_;
    for (Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      ParamState& state = state_of(p);
      ++state.step;
      const double correction1 = 1 - std::pow(beta1, static_cast<double>(state.step));
      const double correction2 = 1 - std::pow(beta2, static_cast<double>(state.step));
      Tensor g = p.grad();
      if (options.weight_decay_ != 0) g = g + p * options.weight_decay_;
      // Zeros at a parameter's first step (max_exp_avg_sq at its first with
      // amsgrad, which a loaded state may switch on later).
      const auto buffer = [&](const char* name) -> Tensor& {
        Tensor& b = state.buffers[name];
        if (!b.defined()) b = zeros(p.shape(), p.dtype());
        return b;
      };
      Tensor& exp_avg = buffer("exp_avg");
      Tensor& exp_avg_sq = buffer("exp_avg_sq");
      exp_avg.mul_(beta1).add_(g, 1 - beta1);
      exp_avg_sq.mul_(beta2).add_(g * g, 1 - beta2);
      Tensor second = exp_avg_sq;
      if (options.amsgrad_) {
        Tensor& max_exp_avg_sq = buffer("max_exp_avg_sq");
        max_exp_avg_sq.copy_(maximum(max_exp_avg_sq, exp_avg_sq));
        second = max_exp_avg_sq;
      }
      const Tensor denom = sqrt(second) / std::sqrt(correction2) + options.eps_;
      p.sub_(exp_avg / denom, options.lr_ / correction1);
    }
  }
}

LRScheduler::LRScheduler(Optimizer& optimizer, const char* name)
    : optimizer_(optimizer), name_(name) {
  for (const OptimizerParamGroup& group : optimizer.param_groups()) {
    base_lrs_.push_back(group.options().get_lr());
  }
}

void LRScheduler::start() {
  last_epoch_ = 0;
  apply();
}

void LRScheduler::step() {
  ++last_epoch_;
  apply();
}

void LRScheduler::apply() {
  std::vector<OptimizerParamGroup>& groups = optimizer_.param_groups();
  MT_CHECK(groups.size() == base_lrs_.size(), name_, ": the optimizer has ", groups.size(),
           " param groups, but the scheduler was built over ", base_lrs_.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    groups[g].options().set_lr(lr_at(last_epoch_, base_lrs_[g]));
  }
}

std::vector<double> LRScheduler::get_last_lr() const {
  std::vector<double> out;
  for (const double base : base_lrs_) out.push_back(lr_at(last_epoch_, base));
  return out;
}

StateDict LRScheduler::state_dict() const {
  StateDict out;
  out.metadata["scheduler"] = name_;
  out.metadata["last_epoch"] = std::to_string(last_epoch_);
  out.metadata["base_lrs"] = nlohmann::json(base_lrs_).dump();
  return out;
}

void LRScheduler::load_state_dict(const StateDict& state) {
  const auto field = [&](const std::string& key) -> const std::string& {
    return metadata_entry(state, key, name_);
  };
  check_state_kind(state, "scheduler", name_);
  const nlohmann::json epoch = nlohmann::json::parse(field("last_epoch"), nullptr, false);
  MT_CHECK(epoch.is_number_integer() && epoch.get<int64_t>() >= 0, name_,
           ".load_state_dict: \"last_epoch\" must be a non-negative integer, got \"",
           field("last_epoch"), "\"");
  const nlohmann::json bases = nlohmann::json::parse(field("base_lrs"), nullptr, false);
  MT_CHECK(bases.is_array() && bases.size() == base_lrs_.size() &&
               std::all_of(bases.begin(), bases.end(),
                           [](const nlohmann::json& b) { return b.is_number(); }),
           name_, ".load_state_dict: \"base_lrs\" must list ", base_lrs_.size(), " numbers");
  last_epoch_ = epoch.get<int64_t>();
  base_lrs_ = bases.get<std::vector<double>>();
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer, "StepLR"), step_size_(step_size), gamma_(gamma) {
  MT_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
  start();
}

double StepLR::lr_at(int64_t epoch, double base_lr) const {
  const int64_t decays = epoch / step_size_;  // whole steps only
  return base_lr * std::pow(gamma_, static_cast<double>(decays));
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler(optimizer, "ExponentialLR"), gamma_(gamma) {
  start();
}

double ExponentialLR::lr_at(int64_t epoch, double base_lr) const {
  return base_lr * std::pow(gamma_, static_cast<double>(epoch));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min)
    : LRScheduler(optimizer, "CosineAnnealingLR"), t_max_(t_max), eta_min_(eta_min) {
  MT_CHECK(t_max > 0, "CosineAnnealingLR: t_max must be positive, got ", t_max);
  start();
}

double CosineAnnealingLR::lr_at(int64_t epoch, double base_lr) const {
  return eta_min_ +
         (base_lr - eta_min_) *
             (1 + std::cos(M_PI * static_cast<double>(epoch) / static_cast<double>(t_max_))) / 2;
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor,
                   int64_t total_iters)
    : LRScheduler(optimizer, "LinearLR"),
      start_factor_(start_factor),
      end_factor_(end_factor),
      total_iters_(total_iters) {
  MT_CHECK(start_factor > 0 && start_factor <= 1, "LinearLR: start_factor must be in (0, 1], got ",
           start_factor);
  MT_CHECK(end_factor >= 0 && end_factor <= 1, "LinearLR: end_factor must be in [0, 1], got ",
           end_factor);
  MT_CHECK(total_iters >= 0, "LinearLR: total_iters must be >= 0, got ", total_iters);
  start();
}

double LinearLR::lr_at(int64_t epoch, double base_lr) const {
  const double progress = total_iters_ == 0 ? 1
                                            : static_cast<double>(std::min(epoch, total_iters_)) /
                                                  static_cast<double>(total_iters_);
  return base_lr * (start_factor_ + (end_factor_ - start_factor_) * progress);
}

LambdaLR::LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lambda)
    : LRScheduler(optimizer, "LambdaLR"), lambda_(std::move(lambda)) {
  MT_CHECK(lambda_ != nullptr, "LambdaLR: the lambda is empty");
  start();
}

double LambdaLR::lr_at(int64_t epoch, double base_lr) const { return base_lr * lambda_(epoch); }

SequentialLR::SequentialLR(Optimizer& optimizer,
                           std::vector<std::shared_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones)
    : LRScheduler(optimizer, "SequentialLR"),
      schedulers_(std::move(schedulers)),
      milestones_(std::move(milestones)) {
  MT_CHECK(!schedulers_.empty() && milestones_.size() + 1 == schedulers_.size(),
           "SequentialLR: needs one milestone fewer than schedulers, got ", schedulers_.size(),
           " schedulers and ", milestones_.size(), " milestones");
  for (size_t i = 0; i < schedulers_.size(); ++i) {
    MT_CHECK(schedulers_[i] != nullptr, "SequentialLR: scheduler ", i, " is null");
  }
  MT_CHECK(std::is_sorted(milestones_.begin(), milestones_.end()) &&
               (milestones_.empty() || milestones_.front() > 0),
           "SequentialLR: milestones must be positive and increasing");
  // The schedulers' own constructors have set the lr; the base lrs are
  // those the first one found.
  set_base_lrs(schedulers_.front()->base_lrs());
  start();
}

double SequentialLR::lr_at(int64_t epoch, double base_lr) const {
  const auto after = std::upper_bound(milestones_.begin(), milestones_.end(), epoch);
  const auto index = static_cast<size_t>(after - milestones_.begin());
  const int64_t since = index == 0 ? epoch : epoch - milestones_[index - 1];
  return schedulers_[index]->lr_at(since, base_lr);
}

}  // namespace minitorch::optim
