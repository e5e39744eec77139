// gradcheck: autograd's Jacobian against central finite differences at FP64,
// with a plain tolerance test or, opt-in, error-bounded verdicts.
#include "minitorch/gradcheck.h"

#include <cmath>
#include <limits>
#include <random>

#include "absl/strings/str_format.h"
#include "check.h"
#include "minitorch/autograd.h"
#include "minitorch/ops.h"

namespace minitorch {

namespace {

constexpr double kMachineEpsilon = std::numeric_limits<double>::epsilon();
// Error-bounded mode: the first step relative to max(1, |x|). Richardson
// extrapolation of central differences is fourth order, so the error is
// smallest near the fifth root of machine epsilon (~7e-4).
constexpr double kRichardsonStep = 1e-3;
// The number of step halvings (h, h/2, h/4).
constexpr int kLevels = 3;
// The largest full Jacobian gradcheck builds (doubles: 128 MiB).
constexpr size_t kMaxJacobianEntries = size_t{1} << 24;
// f is computed through several ops, each rounding; a rounding bound of one
// epsilon per evaluation would be too tight.
constexpr double kRoundingSafety = 64.0;

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

// f at x[j] + offset, all outputs; notes whether the function's branches
// there differ from `base_branches`.
struct Probe {
  const GradcheckFunction& fn;
  const std::vector<Tensor>& leaves;
  size_t input;
  const Shape& out_shape;
  const GradcheckOptions& options;
  const std::vector<int8_t>& base_branches;

  std::vector<double> at(std::vector<double> base, size_t j, double offset, double* actual,
                         bool* branch_changed) const {
    const double x = base[j];
    base[j] = x + offset;
    *actual = base[j] - x;  // the step that was representable
    const Tensor perturbed = tensor(base, leaves[input].shape());
    if (options.branches) {
      std::vector<Tensor> at_probe = leaves;
      at_probe[input] = perturbed;
      NoGradGuard no_grad;
      *branch_changed = *branch_changed || options.branches(at_probe) != base_branches;
    }
    return evaluate(fn, leaves, input, perturbed, out_shape);
  }
};

// An entry's numeric derivative with its error bound, from central
// differences at h, h/2, h/4 and one-sided differences at h/2, h/4.
struct BoundedDerivative {
  double value = 0;
  double bound = 0;
  bool finite = true;
  bool converged = true;
  bool kink = false;
  // At a kink: the one-sided derivatives at the finest step. Every
  // subgradient lies between them.
  double left = 0, right = 0;
  // Whether any probe changed the output at all. If none did, the steps
  // were absorbed by rounding somewhere inside f (x + 1e24 with x = 1e252)
  // and a zero difference says nothing about the derivative.
  bool moved = true;
};

// One column of the numeric Jacobian, per output element.
struct Column {
  std::vector<BoundedDerivative> entries;
  bool straddles_kink = false;
};

BoundedDerivative judge_entry(const double* f_plus, const double* f_minus, const double* steps,
                              double f0) {
  // f_plus[l], f_minus[l]: f(x +- h_l); steps[l]: the actual h_l.
  BoundedDerivative d;
  double central[kLevels], forward[kLevels], backward[kLevels];
  double magnitude = std::abs(f0);
  for (int l = 0; l < kLevels; ++l) {
    central[l] = (f_plus[l] - f_minus[l]) / (2 * steps[l]);
    forward[l] = (f_plus[l] - f0) / steps[l];
    backward[l] = (f0 - f_minus[l]) / steps[l];
    magnitude = std::max({magnitude, std::abs(f_plus[l]), std::abs(f_minus[l])});
    d.finite = d.finite && std::isfinite(f_plus[l]) && std::isfinite(f_minus[l]);
  }
  d.finite = d.finite && std::isfinite(f0);
  if (!d.finite) return d;
  d.moved = false;
  for (int l = 0; l < kLevels; ++l) d.moved = d.moved || f_plus[l] != f_minus[l];
  // Richardson: C(h) = f' + c2 h^2 + c4 h^4 + ..., each level written as
  // a correction of the finer estimate ((4b - a) / 3 = b + (b - a) / 3), so
  // derivatives near the largest double do not overflow on the way.
  const double r1_coarse = central[1] + (central[1] - central[0]) / 3;
  const double r1_fine = central[2] + (central[2] - central[1]) / 3;
  const double r2 = r1_fine + (r1_fine - r1_coarse) / 15;
  d.value = r2;
  const double rounding = kRoundingSafety * kMachineEpsilon * magnitude / steps[kLevels - 1];
  const double truncation = std::abs(r1_fine - r1_coarse) + std::abs(r2 - r1_fine);
  d.bound = truncation + rounding;
  // Differences of huge values can overflow even where f is finite.
  d.finite = std::isfinite(d.value) && std::isfinite(d.bound);
  // Smooth f: successive central differences approach each other ~4x per
  // halving. Demand at least 2x unless both are within rounding noise.
  const double diff_coarse = std::abs(central[0] - central[1]);
  const double diff_fine = std::abs(central[1] - central[2]);
  d.converged = diff_fine <= 0.5 * diff_coarse + 2 * rounding;
  // Smooth f: the gap between one-sided derivatives shrinks ~2x per halving
  // (it is ~h f''); at a kink it stays at the jump, and each one-sided
  // derivative settles. Where f changes within far less than the step (a
  // jump, or a feature finer than h), the one-sided differences stay put
  // instead and the derivatives grow as 1/h: no kink, just unresolved.
  const double gap_coarse = std::abs(forward[1] - backward[1]);
  const double gap_fine = std::abs(forward[2] - backward[2]);
  const double noise = 4 * rounding + 1e-12;
  const auto settled = [noise](double coarse, double fine) {
    return std::abs(fine - coarse) <= 0.25 * std::max(std::abs(fine), std::abs(coarse)) + noise;
  };
  d.kink = gap_fine > 0.75 * gap_coarse && gap_fine > noise && settled(forward[1], forward[2]) &&
           settled(backward[1], backward[2]);
  d.left = backward[kLevels - 1];
  d.right = forward[kLevels - 1];
  return d;
}

}  // namespace

const char* verdict_name(GradcheckVerdict verdict) {
  switch (verdict) {
    case GradcheckVerdict::kPass:
      return "pass";
    case GradcheckVerdict::kFail:
      return "fail";
    case GradcheckVerdict::kInconclusive:
      return "inconclusive";
  }
  return "unknown";
}

namespace {

// A random unit vector of `numel` elements (as a tensor of `shape`).
Tensor random_unit(const Shape& shape, uint64_t seed) {
  const Tensor r = randn(shape, seed);
  const double norm = std::sqrt(sum(r * r).item());
  return norm > 0 ? r / norm : r;
}

// Fast mode (see GradcheckOptions::fast_mode): per input, v^T J u against
// the Richardson-extrapolated directional difference of v . f along u.
GradcheckResult fast_gradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& leaves,
                               const Tensor& out, const GradcheckOptions& options) {
  GradcheckResult result;
  const Tensor v = random_unit(out.shape(), options.seed);
  const std::vector<Tensor> grads =
      out.requires_grad() ? grad(out, leaves, v, /*retain_graph=*/true)
                          : std::vector<Tensor>();
  const double f0 = sum(out.detach() * v).item();
  for (size_t i = 0; i < leaves.size(); ++i) {
    const Tensor u = random_unit(leaves[i].shape(), options.seed + 1 + i);
    const double analytic = grads.empty() ? 0.0 : sum(grads[i] * u).item();
    double scale = 1.0;
    for (double x : leaves[i].detach().to_vector()) scale = std::max(scale, std::abs(x));
    double f_plus[kLevels], f_minus[kLevels], steps[kLevels];
    for (int l = 0; l < kLevels; ++l) {
      const double h = kRichardsonStep * scale / (1 << l);
      std::vector<Tensor> at = leaves;
      NoGradGuard no_grad;
      at[i] = leaves[i].detach() + u * h;
      f_plus[l] = sum(fn(at) * v).item();
      at[i] = leaves[i].detach() - u * h;
      f_minus[l] = sum(fn(at) * v).item();
      steps[l] = h;
    }
    const BoundedDerivative d = judge_entry(f_plus, f_minus, steps, f0);
    ++result.entries;
    const double bound = options.atol + options.rtol * std::abs(d.value) + d.bound;
    const double error = std::abs(analytic - d.value);
    if (std::isfinite(error)) result.max_abs_error = std::max(result.max_abs_error, error);
    if (!d.finite || d.kink || !d.converged) {
      ++result.inconclusive_entries;
      continue;
    }
    if (!within(analytic, d.value, options.fail_margin * bound)) {
      result.verdict = GradcheckVerdict::kFail;
      result.message = absl::StrFormat(
          "gradcheck (fast mode) failed: input %d (shape %s): v^T J u analytic %.17g vs numeric %.17g; "
          "|diff| %.3g exceeds %.3g (u, v random unit vectors)",
          i, leaves[i].shape().to_string(), analytic, d.value, error, options.fail_margin * bound);
      return result;
    }
  }
  result.verdict = result.inconclusive_entries > 0 ? GradcheckVerdict::kInconclusive : GradcheckVerdict::kPass;
  result.ok = result.verdict == GradcheckVerdict::kPass;
  result.message = absl::StrFormat("gradcheck (fast mode) %s: %d inputs, v^T J u within bounds",
                                   result.ok ? "passed" : "inconclusive", leaves.size());
  return result;
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
  const auto n_out = static_cast<size_t>(out.numel());
  if (!options.fast_mode) {
    // The full Jacobian is held in memory and costs a backward per output
    // element and two forwards per input element: refuse sizes that would
    // exhaust memory or time rather than grind.
    size_t n_in = 0;
    for (const Tensor& leaf : leaves) n_in += static_cast<size_t>(leaf.numel());
    MT_CHECK(n_out == 0 || n_in <= kMaxJacobianEntries / n_out, "gradcheck: the full Jacobian would have ",
             n_out, " x ", n_in, " entries (more than ", kMaxJacobianEntries,
             "); use options.fast_mode for tensors this large");
  }
  if (options.fast_mode) {
    GradcheckResult fast = fast_gradcheck(fn, leaves, out, options);
    if (fast.verdict != GradcheckVerdict::kFail) return fast;
    // Name the entry with the full check; keep the fast verdict if it passes.
    GradcheckOptions full = options;
    full.fast_mode = false;
    GradcheckResult detail = gradcheck(fn, inputs, full);
    if (detail.verdict == GradcheckVerdict::kFail) {
      detail.message = fast.message + "; the full check: " + detail.message;
      return detail;
    }
    return fast;
  }
  const std::vector<double> f0 = out.detach().to_vector();
  std::vector<int8_t> base_branches;
  if (options.branches) {
    NoGradGuard no_grad;
    base_branches = options.branches(leaves);
  }

  // Analytic Jacobian, one row per output element: analytic[i][k * n_i + j]
  // = d out_k / d input_i[j].
  std::vector<std::vector<double>> analytic(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    analytic[i].assign(n_out * static_cast<size_t>(leaves[i].numel()), 0.0);
  }
  auto backward_with = [&](const Tensor& cotangent) {
    std::vector<Tensor> grads = grad(out, leaves, cotangent, /*retain_graph=*/true);
    std::vector<std::vector<double>> values;
    values.reserve(grads.size());
    for (const Tensor& g : grads) values.push_back(g.to_vector());
    return values;
  };
  // Error-bounded mode: the backward's own rounding noise, per entry. Exact
  // arithmetic is linear in the cotangent, rounding is not: how far
  // backward(3 c) / 3 strays from backward(c), and backward(p) +
  // backward(c - p) for a random part p of c, measures the noise (large
  // where big intermediate gradients cancel), without hiding a backward that
  // is wrong by more than its rounding. Two probes, because rounding can
  // scale exactly with a uniform factor (found by fuzz_broadcast: a residue
  // of 7e283 from terms of 1e300 that tripling reproduced bit for bit).
  std::vector<std::vector<double>> analytic_noise(leaves.size());
  std::mt19937_64 split_rng(options.seed ^ 0x9e3779b97f4a7c15ULL);
  const auto noise_of = [&](const std::vector<double>& cotangent,
                            const std::vector<std::vector<double>>& rows) {
    std::vector<double> tripled = cotangent, part = cotangent, rest = cotangent;
    std::uniform_real_distribution<double> share(0.25, 0.75);
    for (size_t k = 0; k < cotangent.size(); ++k) {
      tripled[k] *= 3;
      part[k] *= share(split_rng);
      rest[k] -= part[k];
    }
    const auto again = backward_with(tensor(tripled, out_shape));
    const auto first = backward_with(tensor(part, out_shape));
    const auto second = backward_with(tensor(rest, out_shape));
    std::vector<std::vector<double>> noise(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      for (size_t j = 0; j < rows[i].size(); ++j) {
        noise[i].push_back(std::max(std::abs(again[i][j] / 3 - rows[i][j]),
                                    std::abs(first[i][j] + second[i][j] - rows[i][j])));
      }
    }
    return noise;
  };
  for (size_t i = 0; i < leaves.size(); ++i) analytic_noise[i].assign(analytic[i].size(), 0.0);
  if (out.requires_grad()) {
    for (size_t k = 0; k < n_out; ++k) {
      std::vector<double> one_hot(n_out, 0.0);
      one_hot[k] = 1.0;
      const auto rows = backward_with(tensor(one_hot, out_shape));
      const auto noise = options.error_bounded ? noise_of(one_hot, rows) : decltype(rows)();
      for (size_t i = 0; i < leaves.size(); ++i) {
        std::copy(rows[i].begin(), rows[i].end(), analytic[i].begin() + k * rows[i].size());
        if (options.error_bounded) {
          std::copy(noise[i].begin(), noise[i].end(), analytic_noise[i].begin() + k * rows[i].size());
        }
      }
    }
  }

  GradcheckResult result;
  const auto tolerance = [&](double numeric) { return options.atol + options.rtol * std::abs(numeric); };
  // Cotangent for the linearity check, and its contraction with the numeric Jacobian.
  const Tensor v = randn(out_shape, options.seed);
  const std::vector<double> v_values = v.to_vector();
  std::vector<std::vector<double>> numeric_vjp(leaves.size());
  std::vector<std::vector<double>> vjp_bound(leaves.size());
  std::vector<std::vector<bool>> vjp_judged(leaves.size());
  std::string first_inconclusive;

  for (size_t i = 0; i < leaves.size(); ++i) {
    const std::vector<double> base = leaves[i].detach().to_vector();
    const Shape& shape = leaves[i].shape();
    const size_t n_in = base.size();
    const Probe probe{fn, leaves, i, out_shape, options, base_branches};
    numeric_vjp[i].assign(n_in, 0.0);
    vjp_bound[i].assign(n_in, 0.0);
    vjp_judged[i].assign(n_in, true);
    for (size_t j = 0; j < n_in; ++j) {
      const double x = base[j];
      const double scale = std::max(1.0, std::abs(x));
      // Column j of the numeric Jacobian from steps first_step, /2, /4
      // (basic mode: one central difference at first_step).
      const auto column = [&](double first_step) {
        Column c;
        const int levels = options.error_bounded ? kLevels : 1;
        std::vector<std::vector<double>> plus(levels), minus(levels);
        double steps[kLevels];
        for (int l = 0; l < levels; ++l) {
          const double h = first_step / (1 << l);
          double up = 0, down = 0;
          plus[l] = probe.at(base, j, h, &up, &c.straddles_kink);
          minus[l] = probe.at(base, j, -h, &down, &c.straddles_kink);
          steps[l] = (up - down) / 2;
        }
        for (size_t k = 0; k < n_out; ++k) {
          if (!options.error_bounded) {
            BoundedDerivative d;
            d.value = (plus[0][k] - minus[0][k]) / (2 * steps[0]);
            c.entries.push_back(d);
            continue;
          }
          double fp[kLevels], fm[kLevels];
          for (int l = 0; l < kLevels; ++l) {
            fp[l] = plus[l][k];
            fm[l] = minus[l][k];
          }
          c.entries.push_back(judge_entry(fp, fm, steps, f0[k]));
        }
        return c;
      };
      const Column primary = column((options.error_bounded ? kRichardsonStep : options.eps) * scale);
      // Second opinions, computed only when the primary estimate would fail:
      // steps relative to |x| itself (a function of tiny x can vary on the
      // scale of x, far below 1e-3) and much smaller steps.
      std::vector<Column> second_opinions;
      const auto second_opinion_passes = [&](size_t k, double a) {
        if (second_opinions.empty()) {
          if (x != 0 && std::abs(x) < 1) second_opinions.push_back(column(kRichardsonStep * std::abs(x)));
          second_opinions.push_back(column(kRichardsonStep * 1e-3 * scale));
        }
        for (const Column& c : second_opinions) {
          const BoundedDerivative& d = c.entries[k];
          if (c.straddles_kink || !d.finite || d.kink || !d.converged) continue;
          if (within(a, d.value, tolerance(d.value) + d.bound)) return true;
        }
        return false;
      };
      for (size_t k = 0; k < n_out; ++k) {
        const double a = analytic[i][k * n_in + j];
        const BoundedDerivative& d = primary.entries[k];
        const double numeric = d.value;
        const double bound = tolerance(numeric) + d.bound + 8 * analytic_noise[i][k * n_in + j];
        bool judged = true;
        bool not_a_subgradient = false;
        std::string why;
        if (primary.straddles_kink) {
          judged = false;
          why = "a kink inside the function lies between the probes (a branch changes)";
        } else if (!d.finite || !std::isfinite(a)) {
          judged = false;
          why = "a value is not finite";
        } else if (d.kink) {
          judged = false;
          why = "the one-sided derivatives differ (a kink)";
          // A value outside [left, right] is no subgradient at all: a wrong
          // gradient even where the point is not differentiable.
          const double slack = options.fail_margin * (tolerance(numeric) + d.bound);
          not_a_subgradient = a < std::min(d.left, d.right) - slack || a > std::max(d.left, d.right) + slack;
        } else if (!d.converged) {
          judged = false;
          why = "the finite differences do not converge";
        } else if (!d.moved && a != 0) {
          judged = false;
          why = "no step changed the output (the perturbation is absorbed by rounding inside the function)";
        }
        ++result.entries;
        const double error = std::abs(a - numeric);
        if (std::isfinite(error)) result.max_abs_error = std::max(result.max_abs_error, error);
        // A kink, a non-finite value or a non-converging estimate is never a
        // pass, even where the values happen to agree.
        const bool passes = judged && within(a, numeric, bound);
        bool fails = (judged && !within(a, numeric, (options.error_bounded ? options.fail_margin : 1.0) * bound)) ||
                     not_a_subgradient;
        if (fails && options.error_bounded && second_opinion_passes(k, a)) {
          fails = false;
          why = "the estimate depends on the step (another step size agrees with the analytic value)";
        }
        if (fails && not_a_subgradient) {
          result.verdict = GradcheckVerdict::kFail;
          result.message = absl::StrFormat(
              "gradcheck failed: input %d (shape %s), flat index %d, output index %d is at a kink "
              "(one-sided derivatives %.17g and %.17g) and the analytic value %.17g is not between "
              "them, so it is no subgradient",
              i, shape.to_string(), j, k, d.left, d.right, a);
          return result;
        }
        if (fails) {
          result.verdict = GradcheckVerdict::kFail;
          result.message = absl::StrFormat(
              "gradcheck failed: input %d (shape %s), flat index %d, output index %d: analytic "
              "%.17g vs numeric %.17g; |diff| %.3g exceeds the bound %.3g = atol %g + rtol %g * "
              "|numeric|%s",
              i, shape.to_string(), j, k, a, numeric, error, bound, options.atol, options.rtol,
              options.error_bounded
                  ? absl::StrFormat(" + error estimate, by more than the margin %g", options.fail_margin)
                  : absl::StrFormat(" (eps %g)", options.eps));
          return result;
        }
        if (!passes) {
          if (why.empty()) why = "the error lies between the bound and the fail margin";
          ++result.inconclusive_entries;
          vjp_judged[i][j] = false;
          if (first_inconclusive.empty()) {
            first_inconclusive = absl::StrFormat(
                "input %d (shape %s), flat index %d, output index %d: analytic %.17g vs numeric "
                "%.17g: %s",
                i, shape.to_string(), j, k, a, numeric, why);
          }
        }
        numeric_vjp[i][j] += v_values[k] * numeric;
        vjp_bound[i][j] += std::abs(v_values[k]) * bound;
      }
    }
  }

  if (out.requires_grad()) {
    const auto vjp = backward_with(v);
    const auto vjp_noise = options.error_bounded ? noise_of(v_values, vjp) : decltype(vjp)();
    for (size_t i = 0; i < leaves.size(); ++i) {
      for (size_t j = 0; j < vjp[i].size(); ++j) {
        if (!vjp_judged[i][j]) continue;
        const double margin = options.error_bounded ? options.fail_margin : 1.0;
        const double noise = options.error_bounded ? 8 * vjp_noise[i][j] : 0.0;
        if (!within(vjp[i][j], numeric_vjp[i][j], margin * vjp_bound[i][j] + noise)) {
          result.verdict = GradcheckVerdict::kFail;
          result.message = absl::StrFormat(
              "gradcheck failed: backward with a random cotangent v disagrees with v^T J: input "
              "%d (shape %s), flat index %d: analytic %.17g vs numeric %.17g; |diff| %.3g exceeds "
              "the bound %.3g (the backward is not linear in its incoming gradient)",
              i, leaves[i].shape().to_string(), j, vjp[i][j], numeric_vjp[i][j],
              std::abs(vjp[i][j] - numeric_vjp[i][j]), margin * vjp_bound[i][j] + noise);
          return result;
        }
      }
    }
  }
  if (result.inconclusive_entries > 0) {
    result.verdict = GradcheckVerdict::kInconclusive;
    result.message = absl::StrFormat(
        "gradcheck inconclusive: no entry failed, %d of %d entries could not be judged; first: %s",
        result.inconclusive_entries, result.entries, first_inconclusive);
    return result;
  }
  result.ok = true;
  result.verdict = GradcheckVerdict::kPass;
  result.message = absl::StrFormat(
      "gradcheck passed: %d inputs, %d Jacobian entries, max |analytic - numeric| %.3g%s",
      leaves.size(), result.entries, result.max_abs_error,
      options.error_bounded ? " (error-bounded)" : "");
  return result;
}

GradcheckResult gradgradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options) {
  MT_CHECK(!inputs.empty(), "gradgradcheck: needs at least one input");
  Shape out_shape;
  {
    NoGradGuard no_grad;
    const Tensor out = fn(inputs);
    MT_CHECK(out.defined(), "gradgradcheck: fn returned an undefined tensor");
    out_shape = out.shape();
  }
  const Tensor cotangent = randn(out_shape, options.seed + 1);
  GradcheckResult last;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto first_derivative = [&](const std::vector<Tensor>& x) {
      // gradcheck probes with grad mode off; the first derivative needs it.
      EnableGradGuard grad_mode;
      std::vector<Tensor> leaves;
      leaves.reserve(x.size());
      for (const Tensor& t : x) leaves.push_back(t.requires_grad() ? t : t.detach().requires_grad_());
      const Tensor y = fn(leaves);
      if (!y.requires_grad()) return zeros(x[i].shape(), x[i].dtype());
      return grad(y, leaves, cotangent, /*retain_graph=*/false, /*create_graph=*/true)[i];
    };
    last = gradcheck(first_derivative, inputs, options);
    if (last.verdict != GradcheckVerdict::kPass) {
      last.message = absl::StrFormat("gradgradcheck, through the gradient of input %d: %s", i, last.message);
      return last;
    }
  }
  last.message = absl::StrFormat("gradgradcheck passed: second derivatives through %d input gradients",
                                 inputs.size());
  return last;
}

}  // namespace minitorch
