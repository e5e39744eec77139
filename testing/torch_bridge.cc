// The LibTorch side of the bridge (testing/torch_bridge.h) and the
// conversions every LibTorch oracle shares (testing/torch_interop.h).
// Compiled by g++ only (see torch_interop.h).
#include "testing/torch_bridge.h"

#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>

#include "testing/op_forms.h"
#include "testing/torch_interop.h"

namespace minitorch::testing {

torch::Dtype torch_dtype(DType dtype) {
  switch (dtype) {
    case kFloat32:
      return torch::kFloat32;
    case kFloat64:
      return torch::kFloat64;
    case kInt64:
      return torch::kInt64;
    case kBool:
      return torch::kBool;
  }
  throw std::invalid_argument("torch_dtype: unknown dtype");
}

torch::Tensor to_torch(const Tensor& t) {
  std::vector<double> values = t.to_vector();
  std::vector<int64_t> shape(t.shape().begin(), t.shape().end());
  return torch::tensor(values, torch::kFloat64).reshape(shape).to(torch_dtype(t.dtype()));
}

RefArray from_torch(const torch::Tensor& t) {
  // LibTorch returns lazy "zero tensors" (no data) for some derivatives.
  const torch::Tensor dense =
      t._is_zerotensor() ? torch::zeros(t.sizes(), torch::kFloat64) : t.detach();
  const torch::Tensor flat = dense.to(torch::kFloat64).contiguous().reshape({-1});
  RefArray out;
  out.shape.assign(t.sizes().begin(), t.sizes().end());
  out.values.assign(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
  return out;
}

namespace {

// The LibTorch side of call_form (testing/op_forms.h).
struct Lib {
  using Tensor = torch::Tensor;
  static Tensor constant(const minitorch::Tensor& t) { return to_torch(t); }
  static Tensor condition(const minitorch::Tensor& t) { return to_torch(t) != 0; }
  static c10::optional<torch::Scalar> bound(const std::optional<double>& v) {
    if (!v) return c10::nullopt;
    return torch::Scalar(*v);
  }
  static Tensor other_float(const Tensor& x) {
    return x.to(x.dtype() == torch::kFloat32 ? torch::kFloat64 : torch::kFloat32);
  }
};

// change_in_place (verdict.h) in LibTorch.
void change_in_place(torch::Tensor& leaf, Execution::InPlace kind) {
  const torch::NoGradGuard no_grad;
  switch (kind) {
    case Execution::InPlace::kNone:
      return;
    case Execution::InPlace::kAdd:
      leaf.add_(torch::tensor(1.0, leaf.scalar_type()), 0.5);
      return;
    case Execution::InPlace::kMul:
      leaf.mul_(3.0);
      return;
    case Execution::InPlace::kCopy:
      leaf.copy_(-leaf - 1);
      return;
    case Execution::InPlace::kFill:
      leaf.fill_(0.25);
      return;
  }
}

// The table's functions that LibTorch spells otherwise.
torch::Tensor expand(const torch::Tensor& x, torch::IntArrayRef shape) { return x.expand(shape); }
torch::Tensor cross_entropy(const torch::Tensor& logits, const torch::Tensor& target) {
  return torch::nn::functional::cross_entropy(logits, target);
}

// LibTorch 1.13's index_select of a 0-dim tensor writes every index value
// into a one-element result, past the end of its allocation. Later LibTorch
// refuses an index of other than one value, and so does the bridge, so no
// oracle ever hands LibTorch that call.
void refuse_what_libtorch_mishandles(const OpCall& c, const std::vector<torch::Tensor>& x) {
  if (c.op == Op::kIndexSelect && x.at(0).dim() == 0 && c.constant.numel() != 1) {
    throw std::invalid_argument("index_select(): Index to scalar can have only 1 value, got " +
                                std::to_string(c.constant.numel()) + " value(s)");
  }
}

}  // namespace

torch::Tensor run_call_torch(const OpCall& c, const std::vector<torch::Tensor>& x) {
  refuse_what_libtorch_mishandles(c, x);
  switch (c.op) { MINITORCH_FOR_EACH_OP(MINITORCH_TESTING_CALL_CASE) }
  throw std::invalid_argument("run_call_torch: op value outside the op table");
}

torch::Tensor run_program_torch(const Program& program, std::vector<torch::Tensor> values) {
  return program_values(program, std::move(values), run_call_torch).back();
}

void single_threaded() {
  static std::once_flag once;
  std::call_once(once, [] { torch::set_num_threads(1); });
}

TorchOutcome torch_outcome(const Program& program, const std::vector<Tensor>& inputs,
                           const Tensor& cotangent, Execution::InPlace in_place,
                           int in_place_input) {
  single_threaded();
  TorchOutcome outcome;
  try {
    std::vector<torch::Tensor> leaves;
    for (const Tensor& t : inputs) {
      torch::Tensor leaf = to_torch(t);
      if (is_floating(t.dtype())) leaf.requires_grad_(true);
      leaves.push_back(leaf);
    }
    const torch::Tensor out = run_program_torch(program, leaves);
    outcome.forward = from_torch(out);
    if (in_place != Execution::InPlace::kNone && !leaves.empty()) {
      change_in_place(leaves[static_cast<size_t>(in_place_input) % leaves.size()], in_place);
    }
    if (out.requires_grad()) {
      out.backward(cotangent.defined() ? to_torch(cotangent).to(out.dtype())
                                       : torch::ones_like(out));
    }
    for (const torch::Tensor& leaf : leaves) {
      if (leaf.grad().defined()) {
        outcome.grads.emplace_back(from_torch(leaf.grad()));
      } else {
        outcome.grads.emplace_back(std::nullopt);
      }
    }
  } catch (const std::exception& e) {  // c10::Error, or minitorch's for a bad constant
    outcome.error = e.what();
  }
  return outcome;
}

std::optional<std::string> torch_rejection(const OpCall& call,
                                           const std::vector<Tensor>& operands) {
  single_threaded();
  try {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> x;
    for (const Tensor& t : operands) x.push_back(to_torch(t));
    run_call_torch(call, x);
    return std::nullopt;
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

}  // namespace minitorch::testing
