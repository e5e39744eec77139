// gradcheck: autograd's Jacobian against central finite differences at FP64.
#include "minitorch/gradcheck.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "check.h"
#include "minitorch/autograd.h"
#include "minitorch/ops.h"

namespace minitorch {

namespace {

// fn at `inputs` with input `which` replaced by `perturbed`, as doubles.
std::vector<double> evaluate(const GradcheckFunction& fn, std::vector<Tensor> inputs, size_t which,
                             const Tensor& perturbed, const Shape& expected_shape) {
  inputs[which] = perturbed;
  NoGradGuard no_grad;
  const Tensor out = fn(inputs);
  MT_CHECK(out.defined() && out.shape() == expected_shape, "gradcheck: fn returned shape ",
           out.defined() ? out.shape().to_string() : "undefined", " at a perturbed input, but ",
           expected_shape.to_string(), " at the original one");
  return out.to_vector();
}

// The pass test, written so that NaN on either side fails.
bool within(double analytic, double numeric, double bound) {
  return std::abs(analytic - numeric) <= bound;
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options) {
  MT_CHECK(!inputs.empty(), "gradcheck: needs at least one input");
  std::vector<Tensor> leaves;
  for (size_t i = 0; i < inputs.size(); ++i) {
    MT_CHECK(inputs[i].defined(), "gradcheck: input ", i, " is undefined");
    MT_CHECK(inputs[i].dtype() == kFloat64, "gradcheck: input ", i, " of shape ",
             inputs[i].shape().to_string(), " is ", dtype_name(inputs[i].dtype()),
             "; gradcheck needs float64 inputs (a float32 finite difference has too few correct "
             "digits to judge a gradient)");
    leaves.push_back(inputs[i].detach().clone().requires_grad_());
  }

  Tensor out;
  {
    EnableGradGuard grad_mode;
    out = fn(leaves);
  }
  MT_CHECK(out.defined(), "gradcheck: fn returned an undefined tensor");
  MT_CHECK(out.dtype() == kFloat64, "gradcheck: fn returned ", dtype_name(out.dtype()),
           "; keep the checked function in float64");
  const Shape out_shape = out.shape();
  const size_t n_out = static_cast<size_t>(out.numel());

  // Analytic Jacobian, one row per output element: analytic[i][k * n_i + j]
  // = d out_k / d input_i[j].
  std::vector<std::vector<double>> analytic(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    analytic[i].assign(n_out * static_cast<size_t>(leaves[i].numel()), 0.0);
  }
  auto backward_with = [&](const Tensor& cotangent) {
    std::vector<Tensor> grads = grad(out, leaves, cotangent, /*retain_graph=*/true);
    std::vector<std::vector<double>> values;
    for (const Tensor& g : grads) values.push_back(g.to_vector());
    return values;
  };
  if (out.requires_grad()) {
    for (size_t k = 0; k < n_out; ++k) {
      std::vector<double> one_hot(n_out, 0.0);
      one_hot[k] = 1.0;
      const auto rows = backward_with(tensor(one_hot, out_shape));
      for (size_t i = 0; i < leaves.size(); ++i) {
        std::copy(rows[i].begin(), rows[i].end(), analytic[i].begin() + k * rows[i].size());
      }
    }
  }

  GradcheckResult result;
  const auto bound_for = [&](double numeric) { return options.atol + options.rtol * std::abs(numeric); };
  // Cotangent for the linearity check, and its contraction with the numeric Jacobian.
  const Tensor v = randn(out_shape, options.seed);
  const std::vector<double> v_values = v.to_vector();
  std::vector<std::vector<double>> numeric_vjp(leaves.size());
  std::vector<std::vector<double>> vjp_bound(leaves.size());
  size_t entries = 0;

  for (size_t i = 0; i < leaves.size(); ++i) {
    const std::vector<double> base = leaves[i].detach().to_vector();
    const Shape& shape = leaves[i].shape();
    const size_t n_in = base.size();
    numeric_vjp[i].assign(n_in, 0.0);
    vjp_bound[i].assign(n_in, 0.0);
    for (size_t j = 0; j < n_in; ++j) {
      const double h = options.eps * std::max(1.0, std::abs(base[j]));
      std::vector<double> plus = base, minus = base;
      plus[j] += h;
      minus[j] -= h;
      const std::vector<double> f_plus = evaluate(fn, leaves, i, tensor(plus, shape), out_shape);
      const std::vector<double> f_minus = evaluate(fn, leaves, i, tensor(minus, shape), out_shape);
      // The actual step (plus[j] - minus[j]) is what was representable.
      const double step = plus[j] - minus[j];
      for (size_t k = 0; k < n_out; ++k) {
        const double numeric = (f_plus[k] - f_minus[k]) / step;
        const double a = analytic[i][k * n_in + j];
        result.max_abs_error = std::max(result.max_abs_error, std::abs(a - numeric));
        ++entries;
        if (!within(a, numeric, bound_for(numeric))) {
          result.ok = false;
          result.message = absl::StrFormat(
              "gradcheck failed: input %d (shape %s), flat index %d, output index %d: analytic "
              "%.17g vs numeric %.17g; |diff| %.3g exceeds the bound %.3g = atol %g + rtol %g * "
              "|numeric| (eps %g)",
              i, shape.to_string(), j, k, a, numeric, std::abs(a - numeric), bound_for(numeric),
              options.atol, options.rtol, options.eps);
          return result;
        }
        numeric_vjp[i][j] += v_values[k] * numeric;
        vjp_bound[i][j] += std::abs(v_values[k]) * bound_for(numeric);
      }
    }
  }

  if (out.requires_grad()) {
    const auto vjp = backward_with(v);
    for (size_t i = 0; i < leaves.size(); ++i) {
      for (size_t j = 0; j < vjp[i].size(); ++j) {
        if (!within(vjp[i][j], numeric_vjp[i][j], vjp_bound[i][j])) {
          result.ok = false;
          result.message = absl::StrFormat(
              "gradcheck failed: backward with a random cotangent v disagrees with v^T J: input "
              "%d (shape %s), flat index %d: analytic %.17g vs numeric %.17g; |diff| %.3g exceeds "
              "the bound %.3g (the backward is not linear in its incoming gradient)",
              i, leaves[i].shape().to_string(), j, vjp[i][j], numeric_vjp[i][j],
              std::abs(vjp[i][j] - numeric_vjp[i][j]), vjp_bound[i][j]);
          return result;
        }
      }
    }
  }
  result.ok = true;
  result.message = absl::StrFormat(
      "gradcheck passed: %d inputs, %d Jacobian entries, max |analytic - numeric| %.3g",
      leaves.size(), entries, result.max_abs_error);
  return result;
}

}  // namespace minitorch
