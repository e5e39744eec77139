// eps_sweep: the U-shaped error curve of finite differences.
//
// For one op of the registry, one input and one flat index j, sweeps the
// relative step eps from 1e-1 to 1e-12 and prints, for central and forward
// differences of phi(x) = v . f(x) (v a fixed random cotangent) along x_j,
// the error against autograd's derivative. Large steps lose to truncation
// (error ~ h^2 for central, ~ h for forward differences), small ones to
// rounding (~ machine epsilon * |phi| / h): the sum is smallest near
// h ~ eps_machine^(1/3) ~ 6e-6 for central and eps_machine^(1/2) ~ 1.5e-8 for
// forward differences. Writes eps_sweep.csv, and eps_sweep.png when gnuplot
// is installed.
//
// Usage: eps_sweep [--op=softmax_dim1] [--input=0] [--index=0] [--out=DIR]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "minitorch/minitorch.h"
#include "testing/op_registry.h"

ABSL_FLAG(std::string, op, "softmax_dim1", "registry op name (testing/op_registry.cc)");
ABSL_FLAG(int, input, 0, "which input to perturb");
ABSL_FLAG(int, index, 0, "flat index of the perturbed element");
ABSL_FLAG(std::string, out, ".", "directory for eps_sweep.csv and eps_sweep.png");

int main(int argc, char** argv) {
  using namespace minitorch;
  absl::ParseCommandLine(argc, argv);
  const auto& info = testing::find_op(absl::GetFlag(FLAGS_op));
  const int input = absl::GetFlag(FLAGS_input);
  const auto sample = testing::make_sample(info, 0, kFloat64, 1);
  const size_t j = static_cast<size_t>(absl::GetFlag(FLAGS_index));
  const GradcheckFunction f = testing::as_function_of_input(info, sample, input);
  const Tensor x = sample.at(static_cast<size_t>(input));
  const std::vector<double> base = x.to_vector();
  if (j >= base.size()) {
    std::fprintf(stderr, "eps_sweep: index %zu out of range for %zu elements\n", j, base.size());
    return 1;
  }

  // phi(x) = v . f(x) and its autograd derivative along x_j.
  Tensor leaf = x.detach().requires_grad_();
  const Tensor y = f({leaf});
  const Tensor v = randn(y.shape(), 7);
  (y * v).sum().backward();
  const double analytic = leaf.grad().to_vector()[j];
  const auto phi = [&](double offset) {
    std::vector<double> moved = base;
    moved[j] += offset;
    NoGradGuard no_grad;
    return (f({tensor(moved, x.shape())}) * v).sum().item();
  };
  const double phi0 = phi(0);

  std::printf("eps_sweep: %s, input %d, index %zu, x = %.6g, analytic %.17g\n", info.name.c_str(),
              input, j, base[j], analytic);
  std::printf("%10s %14s %14s\n", "eps", "central err", "forward err");
  const std::string csv = absl::GetFlag(FLAGS_out) + "/eps_sweep.csv";
  std::ofstream file(csv);
  file << "eps,central_error,forward_error\n";
  for (int tenth = 10; tenth <= 120; ++tenth) {  // eps = 10^-1 .. 10^-12 in steps of 10^0.1
    const double eps = std::pow(10.0, -tenth / 10.0);
    const double h = eps * std::max(1.0, std::abs(base[j]));
    const double central = (phi(h) - phi(-h)) / (2 * h);
    const double forward = (phi(h) - phi0) / h;
    const double ce = std::abs(central - analytic), fe = std::abs(forward - analytic);
    file << eps << "," << ce << "," << fe << "\n";
    if (tenth % 10 == 0) std::printf("%10.0e %14.3e %14.3e\n", eps, ce, fe);
  }
  file.close();
  std::printf("cube root of machine epsilon: %.2e; square root: %.2e\nwrote %s\n",
              std::cbrt(std::numeric_limits<double>::epsilon()),
              std::sqrt(std::numeric_limits<double>::epsilon()), csv.c_str());
  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
    const std::string png = absl::GetFlag(FLAGS_out) + "/eps_sweep.png";
    const std::string script =
        "set terminal png noenhanced size 800,480; set output '" + png +
        "'; set datafile separator ',';"
        "set logscale xy; set format x '1e%T'; set format y '1e%T'; set grid;"
        "set title 'finite-difference error vs step: " +
        info.name +
        "'; set xlabel 'eps (relative step)';"
        "set ylabel '|numeric - analytic|'; set key top center;"
        "set arrow from 6.06e-6, graph 0 to 6.06e-6, graph 1 nohead dt 2;"
        "set arrow from 1.49e-8, graph 0 to 1.49e-8, graph 1 nohead dt 3;"
        "plot '" +
        csv +
        "' using 1:2 with linespoints pt 7 ps 0.5 title 'central (min near eps^(1/3))',"
        " '' using 1:3 with linespoints pt 5 ps 0.5 title 'forward (min near eps^(1/2))'";
    if (std::system(("gnuplot -e \"" + script + "\"").c_str()) == 0)
      std::printf("wrote %s\n", png.c_str());
  }
  return 0;
}
