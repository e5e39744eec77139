// gradcheck: autograd's Jacobian against central finite differences at FP64,
// with a plain tolerance test or, opt-in, error-bounded verdicts.
#include "minitorch/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <utility>

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
      out.requires_grad() ? grad(out, leaves, v, /*retain_graph=*/true) : std::vector<Tensor>();
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
          "gradcheck (fast mode) failed: input %d (shape %s): v^T J u analytic %.17g vs numeric "
          "%.17g; "
          "|diff| %.3g exceeds %.3g (u, v random unit vectors)",
          i, leaves[i].shape().to_string(), analytic, d.value, error, options.fail_margin * bound);
      return result;
    }
  }
  result.verdict =
      result.inconclusive_entries > 0 ? GradcheckVerdict::kInconclusive : GradcheckVerdict::kPass;
  result.ok = result.verdict == GradcheckVerdict::kPass;
  result.message = absl::StrFormat("gradcheck (fast mode) %s: %d inputs, v^T J u within bounds",
                                   result.ok ? "passed" : "inconclusive", leaves.size());
  return result;
}

}  // namespace

namespace {

// Rows of the Jacobian per input: rows[i][k * n_i + j] = d out_k / d input_i[j]
// (or, for one backward, rows[i][j]).
using PerInput = std::vector<std::vector<double>>;

// The leaves gradcheck differentiates: detached float64 copies of the inputs.
std::vector<Tensor> checked_leaves(const std::vector<Tensor>& inputs) {
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
  return leaves;
}

// fn at the leaves, recorded, checked to be a defined float64 tensor.
Tensor recorded_output(const GradcheckFunction& fn, const std::vector<Tensor>& leaves) {
  Tensor out;
  {
    EnableGradGuard grad_mode;
    out = fn(leaves);
  }
  MT_CHECK(out.defined(), "gradcheck: fn returned an undefined tensor");
  MT_CHECK(out.dtype() == kFloat64, "gradcheck: fn returned ", dtype_name(out.dtype()),
           "; keep the checked function in float64");
  return out;
}

// The full Jacobian is held in memory and costs a backward per output
// element and two forwards per input element: refuse sizes that would
// exhaust memory or time rather than grind.
void check_jacobian_size(const std::vector<Tensor>& leaves, size_t n_out) {
  size_t n_in = 0;
  for (const Tensor& leaf : leaves) n_in += static_cast<size_t>(leaf.numel());
  MT_CHECK(n_out == 0 || n_in <= kMaxJacobianEntries / n_out,
           "gradcheck: the full Jacobian would have ", n_out, " x ", n_in, " entries (more than ",
           kMaxJacobianEntries, "); use options.fast_mode for tensors this large");
}

// Backward passes of the checked output, and their rounding noise.
class Backward {
 public:
  Backward(const Tensor& out, const std::vector<Tensor>& leaves, uint64_t seed)
      : out_(out), leaves_(leaves), split_rng_(seed ^ 0x9e3779b97f4a7c15ULL) {}

  // The gradient of every leaf for `cotangent`, as doubles.
  PerInput run(const Tensor& cotangent) const {
    std::vector<Tensor> grads = grad(out_, leaves_, cotangent, /*retain_graph=*/true);
    PerInput values;
    values.reserve(grads.size());
    for (const Tensor& g : grads) values.push_back(g.to_vector());
    return values;
  }

  // The backward's own rounding noise for `cotangent`, per entry of `rows`
  // (its gradients). Exact arithmetic is linear in the cotangent, rounding
  // is not: how far backward(3 c) / 3 strays from backward(c), and
  // backward(p) + backward(c - p) for a random part p of c, measures the
  // noise (large where big intermediate gradients cancel), without hiding a
  // backward that is wrong by more than its rounding. Two probes, because
  // rounding can scale exactly with a uniform factor (found by
  // fuzz_broadcast: a residue of 7e283 from terms of 1e300 that tripling
  // reproduced bit for bit).
  PerInput noise(const std::vector<double>& cotangent, const PerInput& rows) {
    std::vector<double> tripled = cotangent, part = cotangent, rest = cotangent;
    std::uniform_real_distribution<double> share(0.25, 0.75);
    for (size_t k = 0; k < cotangent.size(); ++k) {
      tripled[k] *= 3;
      part[k] *= share(split_rng_);
      rest[k] -= part[k];
    }
    const PerInput again = run(tensor(tripled, out_.shape()));
    const PerInput first = run(tensor(part, out_.shape()));
    const PerInput second = run(tensor(rest, out_.shape()));
    PerInput noise(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      for (size_t j = 0; j < rows[i].size(); ++j) {
        noise[i].push_back(std::max(std::abs(again[i][j] / 3 - rows[i][j]),
                                    std::abs(first[i][j] + second[i][j] - rows[i][j])));
      }
    }
    return noise;
  }

 private:
  const Tensor& out_;
  const std::vector<Tensor>& leaves_;
  std::mt19937_64 split_rng_;
};

// The analytic Jacobian, one backward per output element with a one-hot
// cotangent, and (error-bounded mode) each entry's rounding noise.
struct AnalyticJacobian {
  PerInput values;
  PerInput noise;
};

AnalyticJacobian analytic_jacobian(Backward& backward, const Tensor& out,
                                   const std::vector<Tensor>& leaves, bool error_bounded) {
  const auto n_out = static_cast<size_t>(out.numel());
  AnalyticJacobian jacobian{PerInput(leaves.size()), PerInput(leaves.size())};
  for (size_t i = 0; i < leaves.size(); ++i) {
    jacobian.values[i].assign(n_out * static_cast<size_t>(leaves[i].numel()), 0.0);
    jacobian.noise[i].assign(jacobian.values[i].size(), 0.0);
  }
  if (!out.requires_grad()) return jacobian;
  for (size_t k = 0; k < n_out; ++k) {
    std::vector<double> one_hot(n_out, 0.0);
    one_hot[k] = 1.0;
    const PerInput rows = backward.run(tensor(one_hot, out.shape()));
    const PerInput noise = error_bounded ? backward.noise(one_hot, rows) : PerInput();
    for (size_t i = 0; i < leaves.size(); ++i) {
      std::copy(rows[i].begin(), rows[i].end(), jacobian.values[i].begin() + k * rows[i].size());
      if (error_bounded) {
        std::copy(noise[i].begin(), noise[i].end(), jacobian.noise[i].begin() + k * rows[i].size());
      }
    }
  }
  return jacobian;
}

// Column j of input `probe.input`'s numeric Jacobian from steps first_step,
// /2, /4 (basic mode: one central difference at first_step). `f0` is the
// output at the unperturbed inputs.
Column numeric_column(const Probe& probe, const std::vector<double>& base, size_t j,
                      double first_step, const std::vector<double>& f0) {
  const bool error_bounded = probe.options.error_bounded;
  Column c;
  const int levels = error_bounded ? kLevels : 1;
  std::vector<std::vector<double>> plus(levels), minus(levels);
  double steps[kLevels];
  for (int l = 0; l < levels; ++l) {
    const double h = first_step / (1 << l);
    double up = 0, down = 0;
    plus[l] = probe.at(base, j, h, &up, &c.straddles_kink);
    minus[l] = probe.at(base, j, -h, &down, &c.straddles_kink);
    steps[l] = (up - down) / 2;
  }
  for (size_t k = 0; k < f0.size(); ++k) {
    if (!error_bounded) {
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
}

// Second opinions on a column, computed only when the primary estimate
// would fail: steps relative to |x| itself (a function of tiny x can vary
// on the scale of x, far below 1e-3) and much smaller steps.
class SecondOpinions {
 public:
  SecondOpinions(const Probe& probe, const std::vector<double>& base, size_t j,
                 const std::vector<double>& f0)
      : probe_(probe), base_(base), j_(j), f0_(f0) {}

  // Whether a converged second estimate of entry k agrees with `analytic`.
  template <class Tolerance>
  bool agree(size_t k, double analytic, const Tolerance& tolerance) {
    if (columns_.empty()) {
      const double x = base_[j_];
      const double scale = std::max(1.0, std::abs(x));
      if (x != 0 && std::abs(x) < 1) {
        columns_.push_back(numeric_column(probe_, base_, j_, kRichardsonStep * std::abs(x), f0_));
      }
      columns_.push_back(numeric_column(probe_, base_, j_, kRichardsonStep * 1e-3 * scale, f0_));
    }
    for (const Column& c : columns_) {
      const BoundedDerivative& d = c.entries[k];
      if (c.straddles_kink || !d.finite || d.kink || !d.converged) continue;
      if (within(analytic, d.value, tolerance(d.value) + d.bound)) return true;
    }
    return false;
  }

 private:
  const Probe& probe_;
  const std::vector<double>& base_;
  size_t j_;
  const std::vector<double>& f0_;
  std::vector<Column> columns_;
};

// Why an entry cannot be judged ("" if it can), and whether the analytic
// value is outside the one-sided derivatives at a kink (no subgradient).
struct EntryClass {
  std::string why;
  bool not_a_subgradient = false;
  bool judged() const { return why.empty(); }
};

EntryClass classify_entry(const Column& column, const BoundedDerivative& d, double analytic,
                          double slack) {
  EntryClass c;
  if (column.straddles_kink) {
    c.why = "a kink inside the function lies between the probes (a branch changes)";
  } else if (!d.finite || !std::isfinite(analytic)) {
    c.why = "a value is not finite";
  } else if (d.kink) {
    c.why = "the one-sided derivatives differ (a kink)";
    // A value outside [left, right] is no subgradient at all: a wrong
    // gradient even where the point is not differentiable.
    c.not_a_subgradient = analytic < std::min(d.left, d.right) - slack ||
                          analytic > std::max(d.left, d.right) + slack;
  } else if (!d.converged) {
    c.why = "the finite differences do not converge";
  } else if (!d.moved && analytic != 0) {
    c.why =
        "no step changed the output (the perturbation is absorbed by rounding inside the function)";
  }
  return c;
}

// What the per-entry comparison leaves for the linearity check and the
// summary: v^T J from the numeric Jacobian, its bound, the entries judged.
struct NumericSide {
  PerInput vjp, vjp_bound;
  std::vector<std::vector<bool>> judged;
  std::string first_inconclusive;
};

// One input's gradient check: every entry of its Jacobian, column by
// column. Sets result.verdict to kFail with its message on a failure.
class InputCheck {
 public:
  InputCheck(const Probe& probe, const AnalyticJacobian& analytic, const std::vector<double>& f0,
             const std::vector<double>& v, GradcheckResult* result, NumericSide* numeric)
      : probe_(probe),
        options_(probe.options),
        analytic_(analytic.values[probe.input]),
        noise_(analytic.noise[probe.input]),
        f0_(f0),
        v_(v),
        result_(result),
        numeric_(numeric) {}

  // Returns false on a failure.
  bool run() {
    const size_t i = probe_.input;
    const std::vector<double> base = probe_.leaves[i].detach().to_vector();
    numeric_->vjp[i].assign(base.size(), 0.0);
    numeric_->vjp_bound[i].assign(base.size(), 0.0);
    numeric_->judged[i].assign(base.size(), true);
    for (size_t j = 0; j < base.size(); ++j) {
      const double scale = std::max(1.0, std::abs(base[j]));
      const Column primary = numeric_column(
          probe_, base, j, (options_.error_bounded ? kRichardsonStep : options_.eps) * scale, f0_);
      SecondOpinions second_opinions(probe_, base, j, f0_);
      for (size_t k = 0; k < f0_.size(); ++k) {
        if (!judge(primary, &second_opinions, j, k)) return false;
      }
    }
    return true;
  }

 private:
  double tolerance(double numeric) const {
    return options_.atol + options_.rtol * std::abs(numeric);
  }

  // Entry (k, j): pass, inconclusive (counted, first one described) or
  // fail. Returns false on a failure.
  bool judge(const Column& primary, SecondOpinions* second_opinions, size_t j, size_t k) {
    const size_t i = probe_.input;
    const size_t n_in = numeric_->vjp[i].size();
    const double a = analytic_[k * n_in + j];
    const BoundedDerivative& d = primary.entries[k];
    const double numeric = d.value;
    const double bound = tolerance(numeric) + d.bound + 8 * noise_[k * n_in + j];
    const double slack = options_.fail_margin * (tolerance(numeric) + d.bound);
    EntryClass entry = classify_entry(primary, d, a, slack);
    ++result_->entries;
    const double error = std::abs(a - numeric);
    if (std::isfinite(error)) result_->max_abs_error = std::max(result_->max_abs_error, error);
    // A kink, a non-finite value or a non-converging estimate is never a
    // pass, even where the values happen to agree.
    const bool passes = entry.judged() && within(a, numeric, bound);
    const double margin = options_.error_bounded ? options_.fail_margin : 1.0;
    bool fails = (entry.judged() && !within(a, numeric, margin * bound)) || entry.not_a_subgradient;
    if (fails && options_.error_bounded &&
        second_opinions->agree(k, a, [this](double x) { return tolerance(x); })) {
      fails = false;
      entry.why =
          "the estimate depends on the step (another step size agrees with the analytic value)";
    }
    if (fails) {
      fail(entry.not_a_subgradient ? kink_failure(d, a, j, k)
                                   : value_failure(a, numeric, bound, j, k));
      return false;
    }
    if (!passes) count_inconclusive(entry.why, a, numeric, j, k);
    numeric_->vjp[i][j] += v_[k] * numeric;
    numeric_->vjp_bound[i][j] += std::abs(v_[k]) * bound;
    return true;
  }

  void count_inconclusive(std::string why, double a, double numeric, size_t j, size_t k) {
    if (why.empty()) why = "the error lies between the bound and the fail margin";
    ++result_->inconclusive_entries;
    numeric_->judged[probe_.input][j] = false;
    if (numeric_->first_inconclusive.empty()) {
      numeric_->first_inconclusive = absl::StrFormat(
          "input %d (shape %s), flat index %d, output index %d: analytic %.17g vs numeric "
          "%.17g: %s",
          probe_.input, shape_string(), j, k, a, numeric, why);
    }
  }

  std::string kink_failure(const BoundedDerivative& d, double a, size_t j, size_t k) const {
    return absl::StrFormat(
        "gradcheck failed: input %d (shape %s), flat index %d, output index %d is at a kink "
        "(one-sided derivatives %.17g and %.17g) and the analytic value %.17g is not between "
        "them, so it is no subgradient",
        probe_.input, shape_string(), j, k, d.left, d.right, a);
  }

  std::string value_failure(double a, double numeric, double bound, size_t j, size_t k) const {
    return absl::StrFormat(
        "gradcheck failed: input %d (shape %s), flat index %d, output index %d: analytic "
        "%.17g vs numeric %.17g; |diff| %.3g exceeds the bound %.3g = atol %g + rtol %g * "
        "|numeric|%s",
        probe_.input, shape_string(), j, k, a, numeric, std::abs(a - numeric), bound, options_.atol,
        options_.rtol,
        options_.error_bounded
            ? absl::StrFormat(" + error estimate, by more than the margin %g", options_.fail_margin)
            : absl::StrFormat(" (eps %g)", options_.eps));
  }

  void fail(std::string message) {
    result_->verdict = GradcheckVerdict::kFail;
    result_->message = std::move(message);
  }

  std::string shape_string() const { return probe_.leaves[probe_.input].shape().to_string(); }

  const Probe& probe_;
  const GradcheckOptions& options_;
  const std::vector<double>& analytic_;
  const std::vector<double>& noise_;
  const std::vector<double>& f0_;
  const std::vector<double>& v_;
  GradcheckResult* result_;
  NumericSide* numeric_;
};

// The linearity check: backward with the random cotangent v against v^T J
// of the numeric Jacobian, on the entries that were judged. It catches a
// backward that ignores the values of its incoming gradient, which one-hot
// cotangents can hide. Sets the failure in `result`; returns false then.
bool check_cotangent_linearity(Backward& backward, const Tensor& v, const NumericSide& numeric,
                               const std::vector<Tensor>& leaves, const GradcheckOptions& options,
                               GradcheckResult* result) {
  const std::vector<double> v_values = v.to_vector();
  const PerInput vjp = backward.run(v);
  const PerInput vjp_noise = options.error_bounded ? backward.noise(v_values, vjp) : PerInput();
  const double margin = options.error_bounded ? options.fail_margin : 1.0;
  for (size_t i = 0; i < leaves.size(); ++i) {
    for (size_t j = 0; j < vjp[i].size(); ++j) {
      if (!numeric.judged[i][j]) continue;
      const double noise = options.error_bounded ? 8 * vjp_noise[i][j] : 0.0;
      const double bound = margin * numeric.vjp_bound[i][j] + noise;
      if (!within(vjp[i][j], numeric.vjp[i][j], bound)) {
        result->verdict = GradcheckVerdict::kFail;
        result->message = absl::StrFormat(
            "gradcheck failed: backward with a random cotangent v disagrees with v^T J: input "
            "%d (shape %s), flat index %d: analytic %.17g vs numeric %.17g; |diff| %.3g exceeds "
            "the bound %.3g (the backward is not linear in its incoming gradient)",
            i, leaves[i].shape().to_string(), j, vjp[i][j], numeric.vjp[i][j],
            std::abs(vjp[i][j] - numeric.vjp[i][j]), bound);
        return false;
      }
    }
  }
  return true;
}

// The verdict of a check in which no entry failed.
GradcheckResult summary(GradcheckResult result, const NumericSide& numeric, size_t num_inputs,
                        const GradcheckOptions& options) {
  if (result.inconclusive_entries > 0) {
    result.verdict = GradcheckVerdict::kInconclusive;
    result.message = absl::StrFormat(
        "gradcheck inconclusive: no entry failed, %d of %d entries could not be judged; first: %s",
        result.inconclusive_entries, result.entries, numeric.first_inconclusive);
    return result;
  }
  result.ok = true;
  result.verdict = GradcheckVerdict::kPass;
  result.message = absl::StrFormat(
      "gradcheck passed: %d inputs, %d Jacobian entries, max |analytic - numeric| %.3g%s",
      num_inputs, result.entries, result.max_abs_error,
      options.error_bounded ? " (error-bounded)" : "");
  return result;
}

// Fast mode, with the full check naming the entry when it fails.
GradcheckResult fast_gradcheck_with_detail(const GradcheckFunction& fn,
                                           const std::vector<Tensor>& inputs,
                                           const std::vector<Tensor>& leaves, const Tensor& out,
                                           const GradcheckOptions& options) {
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

}  // namespace

GradcheckResult gradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options) {
  const std::vector<Tensor> leaves = checked_leaves(inputs);
  const Tensor out = recorded_output(fn, leaves);
  const Shape& out_shape = out.shape();
  if (options.fast_mode) return fast_gradcheck_with_detail(fn, inputs, leaves, out, options);
  check_jacobian_size(leaves, static_cast<size_t>(out.numel()));
  const std::vector<double> f0 = out.detach().to_vector();
  std::vector<int8_t> base_branches;
  if (options.branches) {
    NoGradGuard no_grad;
    base_branches = options.branches(leaves);
  }

  Backward backward(out, leaves, options.seed);
  const AnalyticJacobian analytic = analytic_jacobian(backward, out, leaves, options.error_bounded);
  // The cotangent of the linearity check.
  const Tensor v = randn(out_shape, options.seed);
  const std::vector<double> v_values = v.to_vector();
  GradcheckResult result;
  NumericSide numeric{PerInput(leaves.size()), PerInput(leaves.size()),
                      std::vector<std::vector<bool>>(leaves.size()), ""};
  for (size_t i = 0; i < leaves.size(); ++i) {
    const Probe probe{fn, leaves, i, out_shape, options, base_branches};
    if (!InputCheck(probe, analytic, f0, v_values, &result, &numeric).run()) return result;
  }
  if (out.requires_grad() &&
      !check_cotangent_linearity(backward, v, numeric, leaves, options, &result)) {
    return result;
  }
  return summary(result, numeric, leaves.size(), options);
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
      for (const Tensor& t : x)
        leaves.push_back(t.requires_grad() ? t : t.detach().requires_grad_());
      const Tensor y = fn(leaves);
      if (!y.requires_grad()) return zeros(x[i].shape(), x[i].dtype());
      return grad(y, leaves, cotangent, /*retain_graph=*/false, /*create_graph=*/true)[i];
    };
    last = gradcheck(first_derivative, inputs, options);
    if (last.verdict != GradcheckVerdict::kPass) {
      last.message =
          absl::StrFormat("gradgradcheck, through the gradient of input %d: %s", i, last.message);
      return last;
    }
  }
  last.message = absl::StrFormat(
      "gradgradcheck passed: second derivatives through %d input gradients", inputs.size());
  return last;
}

}  // namespace minitorch
