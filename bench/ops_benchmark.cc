// Forward and forward+backward timings of minitorch next to LibTorch, in one
// binary and one run, so every figure is a ratio on the same machine state.
//
// Each workload registers as "<workload>/<dtype>/threads:<n>/<impl>" with
// impl minitorch or libtorch, and reports the bytes it must move or the
// FLOPs it must do per iteration (counters "bytes" and "flops"), from which
// bench/run.sh computes the fraction of the hardware limit. The limits come
// from the probe_* benchmarks in the same run: an FMA loop (peak FLOP/s) and
// a triad over L3-resident arrays (bandwidth).
//
// This is the only translation unit of the benchmarks that includes
// <torch/torch.h>.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "minitorch/minitorch.h"

namespace {

namespace mt = minitorch;

// --- Threads ---------------------------------------------------------------

// Both libraries' intra-op threads, and OpenBLAS's (which neither
// library's setting reaches).
void set_threads(int threads) {
  openblas_set_num_threads(threads);
  mt::set_num_threads(threads);
  torch::set_num_threads(threads);
}

// --- Hardware probes -------------------------------------------------------

// Independent FMA chains (enough to cover FMA latency x throughput), written
// so the compiler vectorises them; compiled for AVX-512 and run only where
// the CPU has it, so the portable library build is unaffected.
template <class T>
__attribute__((target("avx512f,fma"), noinline)) T fma_chains(int64_t iterations, T a, T b) {
  constexpr int kLanes = 64 / sizeof(T);
  constexpr int kChains = 16;
  alignas(64) T acc[kChains][kLanes];
  for (int c = 0; c < kChains; ++c) {
    for (int l = 0; l < kLanes; ++l) acc[c][l] = static_cast<T>(c + l) * b;
  }
  for (int64_t i = 0; i < iterations; ++i) {
    for (int c = 0; c < kChains; ++c) {
      for (int l = 0; l < kLanes; ++l) acc[c][l] = acc[c][l] * a + b;
    }
  }
  T sum = 0;
  for (int c = 0; c < kChains; ++c) {
    for (int l = 0; l < kLanes; ++l) sum += acc[c][l];
  }
  return sum;
}

template <class T>
void probe_fma(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx512f")) {
    state.SkipWithError("no AVX-512 on this CPU");
    return;
  }
  constexpr int64_t kIterations = 1 << 16;
  // Operands from memory the compiler cannot see through, so the loop runs.
  volatile T a = T(0.999999), b = T(1e-7);
  volatile int64_t iterations = kIterations;
  for (auto _ : state) benchmark::DoNotOptimize(fma_chains<T>(iterations, a, b));
  const double flops = 2.0 * kIterations * 16 * (64 / sizeof(T));
  state.counters["flops"] = flops;
}

// a = b + s * c over three 4 MiB arrays... of which 1.33 MiB each: L3-resident.
void probe_bandwidth(benchmark::State& state) {
  const size_t n = (size_t{4} << 20) / 3 / sizeof(float);
  std::vector<float> a(n), b(n, 1.0f), c(n, 2.0f);
  for (auto _ : state) {
    for (size_t i = 0; i < n; ++i) a[i] = b[i] + 0.5f * c[i];
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
  state.counters["bytes"] = 3.0 * n * sizeof(float);
}

// Resident memory of this process, MiB (from /proc/self/statm).
double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  double size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

// --- Workloads ---------------------------------------------------------------

struct Workload {
  std::string name;
  double bytes = 0;  // memory traffic a perfect implementation needs
  double flops = 0;  // arithmetic a perfect implementation needs
  std::function<void(benchmark::State&)> minitorch;
  std::function<void(benchmark::State&)> libtorch;
};

torch::Dtype torch_dtype(mt::DType dtype) {
  return dtype == mt::kFloat32 ? torch::kFloat32 : torch::kFloat64;
}

mt::Tensor mt_randn(mt::Shape shape, mt::DType dtype, uint64_t seed) {
  return mt::randn(shape, seed, dtype);
}

torch::Tensor torch_randn(std::vector<int64_t> shape, mt::DType dtype, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randn(shape, torch::TensorOptions().dtype(torch_dtype(dtype)));
}

// What a loop does with .grad() between iterations: clear it (set_to_none,
// a fresh buffer each backward), leave it (gradients accumulate, as over
// micro-batches), or zero it in place (zero_grad(set_to_none = false)).
enum class Regime { kSetToNone, kAccumulate, kZeroed };
constexpr Regime kRegimes[] = {Regime::kSetToNone, Regime::kAccumulate, Regime::kZeroed};

// The workload name's suffix: none for set_to_none, the regime's otherwise.
std::string suffix(Regime regime) {
  return regime == Regime::kAccumulate ? "_accumulate" : regime == Regime::kZeroed ? "_zeroed" : "";
}

void reset_grad(mt::Tensor& x, Regime regime) {
  if (regime == Regime::kSetToNone) {
    x.set_grad({});
  } else if (regime == Regime::kZeroed && x.grad().defined()) {
    x.grad().zero_();
  }
}

void reset_grad(torch::Tensor& x, Regime regime) {
  if (regime == Regime::kSetToNone) {
    x.mutable_grad() = torch::Tensor();
  } else if (regime == Regime::kZeroed && x.grad().defined()) {
    x.mutable_grad().zero_();
  }
}

std::vector<Workload> workloads() {
  std::vector<Workload> w;
  const mt::DType f32 = mt::kFloat32;
  constexpr double kF = 4;  // bytes per float32

  // Per-op overhead.
  w.push_back({"tiny_add_forward_recorded", 0, 0,
               [=](benchmark::State& state) {
                 mt::Tensor a = mt_randn({2, 3}, f32, 1).requires_grad_();
                 mt::Tensor b = mt_randn({3}, f32, 2);
                 for (auto _ : state) benchmark::DoNotOptimize(a + b);
               },
               [=](benchmark::State& state) {
                 torch::Tensor a = torch_randn({2, 3}, f32, 1).requires_grad_();
                 torch::Tensor b = torch_randn({3}, f32, 2);
                 for (auto _ : state) benchmark::DoNotOptimize(a + b);
               }});
  for (const Regime regime : kRegimes) {
    w.push_back({"tiny_add_sum_forward_backward" + suffix(regime), 0, 0,
                 [=](benchmark::State& state) {
                   mt::Tensor a = mt_randn({2, 3}, f32, 1).requires_grad_();
                   mt::Tensor b = mt_randn({3}, f32, 2).requires_grad_();
                   for (auto _ : state) {
                     reset_grad(a, regime);
                     reset_grad(b, regime);
                     (a + b).sum().backward();
                   }
                 },
                 [=](benchmark::State& state) {
                   torch::Tensor a = torch_randn({2, 3}, f32, 1).requires_grad_();
                   torch::Tensor b = torch_randn({3}, f32, 2).requires_grad_();
                   for (auto _ : state) {
                     reset_grad(a, regime);
                     reset_grad(b, regime);
                     (a + b).sum().backward();
                   }
                 }});
  }

  // Broadcasting (1000, 1000) with (1000,).
  const double big = 1000.0 * 1000.0 * kF;
  for (const char* op : {"add", "mul"}) {
    const bool is_add = std::string(op) == "add";
    w.push_back(
        {std::string("broadcast_") + op + "_forward", 2 * big, 0,
         [=](benchmark::State& state) {
           mt::Tensor a = mt_randn({1000, 1000}, f32, 1), b = mt_randn({1000}, f32, 2);
           for (auto _ : state) benchmark::DoNotOptimize(is_add ? a + b : a * b);
         },
         [=](benchmark::State& state) {
           torch::Tensor a = torch_randn({1000, 1000}, f32, 1), b = torch_randn({1000}, f32, 2);
           for (auto _ : state) benchmark::DoNotOptimize(is_add ? a + b : a * b);
         }});
    // Forward reads a, writes y; sum reads y; backward writes a's gradient
    // (mul also reads b and a).
    for (const Regime regime : kRegimes) {
      w.push_back({std::string("broadcast_") + op + "_sum_forward_backward" + suffix(regime),
                   (is_add ? 4 : 5) * big, 0,
                   [=](benchmark::State& state) {
                     mt::Tensor a = mt_randn({1000, 1000}, f32, 1).requires_grad_();
                     mt::Tensor b = mt_randn({1000}, f32, 2).requires_grad_();
                     for (auto _ : state) {
                       reset_grad(a, regime);
                       reset_grad(b, regime);
                       (is_add ? a + b : a * b).sum().backward();
                     }
                   },
                   [=](benchmark::State& state) {
                     torch::Tensor a = torch_randn({1000, 1000}, f32, 1).requires_grad_();
                     torch::Tensor b = torch_randn({1000}, f32, 2).requires_grad_();
                     for (auto _ : state) {
                       reset_grad(a, regime);
                       reset_grad(b, regime);
                       (is_add ? a + b : a * b).sum().backward();
                     }
                   }});
    }
  }

  // Unary ops on 2^20 elements.
  const double n20 = (1 << 20) * kF;
  for (const char* op : {"exp", "tanh"}) {
    const bool is_exp = std::string(op) == "exp";
    w.push_back({std::string(op) + "_forward", 2 * n20, 0,
                 [=](benchmark::State& state) {
                   mt::Tensor x = mt_randn({1 << 20}, f32, 1);
                   for (auto _ : state) benchmark::DoNotOptimize(is_exp ? mt::exp(x) : mt::tanh(x));
                 },
                 [=](benchmark::State& state) {
                   torch::Tensor x = torch_randn({1 << 20}, f32, 1);
                   for (auto _ : state)
                     benchmark::DoNotOptimize(is_exp ? torch::exp(x) : torch::tanh(x));
                 }});
    for (const Regime regime : kRegimes) {
      w.push_back({std::string(op) + "_forward_backward" + suffix(regime), 4 * n20, 0,
                   [=](benchmark::State& state) {
                     mt::Tensor x = mt_randn({1 << 20}, f32, 1).requires_grad_();
                     for (auto _ : state) {
                       reset_grad(x, regime);
                       (is_exp ? mt::exp(x) : mt::tanh(x)).sum().backward();
                     }
                   },
                   [=](benchmark::State& state) {
                     torch::Tensor x = torch_randn({1 << 20}, f32, 1).requires_grad_();
                     for (auto _ : state) {
                       reset_grad(x, regime);
                       (is_exp ? torch::exp(x) : torch::tanh(x)).sum().backward();
                     }
                   }});
    }
  }

  // softmax over the last dim of (1024, 1024), with a fixed cotangent.
  const double sm = 1024.0 * 1024.0 * kF;
  w.push_back({"softmax_forward", 2 * sm, 0,
               [=](benchmark::State& state) {
                 mt::Tensor x = mt_randn({1024, 1024}, f32, 1);
                 for (auto _ : state) benchmark::DoNotOptimize(mt::softmax(x, -1));
               },
               [=](benchmark::State& state) {
                 torch::Tensor x = torch_randn({1024, 1024}, f32, 1);
                 for (auto _ : state) benchmark::DoNotOptimize(torch::softmax(x, -1));
               }});
  for (const Regime regime : kRegimes) {
    w.push_back({"softmax_forward_backward" + suffix(regime), 5 * sm, 0,
                 [=](benchmark::State& state) {
                   mt::Tensor x = mt_randn({1024, 1024}, f32, 1).requires_grad_();
                   mt::Tensor g = mt_randn({1024, 1024}, f32, 2);
                   for (auto _ : state) {
                     reset_grad(x, regime);
                     mt::softmax(x, -1).backward(g);
                   }
                 },
                 [=](benchmark::State& state) {
                   torch::Tensor x = torch_randn({1024, 1024}, f32, 1).requires_grad_();
                   torch::Tensor g = torch_randn({1024, 1024}, f32, 2);
                   for (auto _ : state) {
                     reset_grad(x, regime);
                     torch::softmax(x, -1).backward(g);
                   }
                 }});
  }

  // cross_entropy of (256, 1000) logits with class targets.
  const double ce = 256.0 * 1000.0 * kF;
  std::vector<double> classes(256);
  for (size_t i = 0; i < classes.size(); ++i) classes[i] = static_cast<double>(i * 37 % 1000);
  w.push_back({"cross_entropy_forward", ce, 0,
               [=](benchmark::State& state) {
                 mt::Tensor x = mt_randn({256, 1000}, f32, 1);
                 mt::Tensor t = mt::tensor(classes, {256}, mt::kInt64);
                 for (auto _ : state) benchmark::DoNotOptimize(mt::cross_entropy(x, t));
               },
               [=](benchmark::State& state) {
                 torch::Tensor x = torch_randn({256, 1000}, f32, 1);
                 torch::Tensor t =
                     torch::tensor(std::vector<int64_t>(classes.begin(), classes.end()));
                 for (auto _ : state)
                   benchmark::DoNotOptimize(torch::nn::functional::cross_entropy(x, t));
               }});
  for (const Regime regime : kRegimes) {
    w.push_back({"cross_entropy_forward_backward" + suffix(regime), 3 * ce, 0,
                 [=](benchmark::State& state) {
                   mt::Tensor x = mt_randn({256, 1000}, f32, 1).requires_grad_();
                   mt::Tensor t = mt::tensor(classes, {256}, mt::kInt64);
                   for (auto _ : state) {
                     reset_grad(x, regime);
                     mt::cross_entropy(x, t).backward();
                   }
                 },
                 [=](benchmark::State& state) {
                   torch::Tensor x = torch_randn({256, 1000}, f32, 1).requires_grad_();
                   torch::Tensor t =
                       torch::tensor(std::vector<int64_t>(classes.begin(), classes.end()));
                   for (auto _ : state) {
                     reset_grad(x, regime);
                     torch::nn::functional::cross_entropy(x, t).backward();
                   }
                 }});
  }

  // sum over one dim of (1000, 1000).
  for (int64_t dim : {0, 1}) {
    w.push_back({"sum_dim" + std::to_string(dim) + "_forward", big, 0,
                 [=](benchmark::State& state) {
                   mt::Tensor x = mt_randn({1000, 1000}, f32, 1);
                   for (auto _ : state) benchmark::DoNotOptimize(mt::sum(x, {dim}));
                 },
                 [=](benchmark::State& state) {
                   torch::Tensor x = torch_randn({1000, 1000}, f32, 1);
                   for (auto _ : state) benchmark::DoNotOptimize(x.sum({dim}));
                 }});
    for (const Regime regime : kRegimes) {
      w.push_back({"sum_dim" + std::to_string(dim) + "_forward_backward" + suffix(regime), 2 * big,
                   0,
                   [=](benchmark::State& state) {
                     mt::Tensor x = mt_randn({1000, 1000}, f32, 1).requires_grad_();
                     mt::Tensor g = mt_randn({1000}, f32, 2);
                     for (auto _ : state) {
                       reset_grad(x, regime);
                       mt::sum(x, {dim}).backward(g);
                     }
                   },
                   [=](benchmark::State& state) {
                     torch::Tensor x = torch_randn({1000, 1000}, f32, 1).requires_grad_();
                     torch::Tensor g = torch_randn({1000}, f32, 2);
                     for (auto _ : state) {
                       reset_grad(x, regime);
                       x.sum({dim}).backward(g);
                     }
                   }});
    }
  }

  // matmul.
  for (mt::DType dtype : {mt::kFloat32, mt::kFloat64}) {
    for (int64_t n : {64, 256, 512}) {
      const std::string size_name = std::to_string(n) + (dtype == mt::kFloat32 ? "_f32" : "_f64");
      const double flops = 2.0 * n * n * n;
      w.push_back(
          {"matmul" + size_name + "_forward", 0, flops,
           [=](benchmark::State& state) {
             mt::Tensor a = mt_randn({n, n}, dtype, 1), b = mt_randn({n, n}, dtype, 2);
             for (auto _ : state) benchmark::DoNotOptimize(mt::matmul(a, b));
           },
           [=](benchmark::State& state) {
             torch::Tensor a = torch_randn({n, n}, dtype, 1), b = torch_randn({n, n}, dtype, 2);
             for (auto _ : state) benchmark::DoNotOptimize(torch::matmul(a, b));
           }});
      for (const Regime regime : kRegimes) {
        w.push_back({"matmul" + size_name + "_forward_backward" + suffix(regime), 0, 3 * flops,
                     [=](benchmark::State& state) {
                       mt::Tensor a = mt_randn({n, n}, dtype, 1).requires_grad_();
                       mt::Tensor b = mt_randn({n, n}, dtype, 2).requires_grad_();
                       mt::Tensor g = mt_randn({n, n}, dtype, 3);
                       for (auto _ : state) {
                         reset_grad(a, regime);
                         reset_grad(b, regime);
                         mt::matmul(a, b).backward(g);
                       }
                     },
                     [=](benchmark::State& state) {
                       torch::Tensor a = torch_randn({n, n}, dtype, 1).requires_grad_();
                       torch::Tensor b = torch_randn({n, n}, dtype, 2).requires_grad_();
                       torch::Tensor g = torch_randn({n, n}, dtype, 3);
                       for (auto _ : state) {
                         reset_grad(a, regime);
                         reset_grad(b, regime);
                         torch::matmul(a, b).backward(g);
                       }
                     }});
      }
    }
  }

  // MLP training step: 784-256-128-10, batch 64, ReLU, cross_entropy, SGD.
  const double mlp_flops = 3 * 2.0 * 64 * (784 * 256 + 256 * 128 + 128 * 10);
  std::vector<double> labels(64);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<double>(i % 10);
  // Accumulating would feed each step the sum of all earlier gradients.
  for (const Regime regime : {Regime::kSetToNone, Regime::kZeroed}) {
    w.push_back(
        {"mlp_train_step" + suffix(regime), 0, mlp_flops,
         [=](benchmark::State& state) {
           const std::vector<int64_t> sizes = {784, 256, 128, 10};
           std::vector<mt::Tensor> params;
           for (size_t l = 0; l + 1 < sizes.size(); ++l) {
             params.push_back((mt_randn({sizes[l], sizes[l + 1]}, f32, l) * 0.05).requires_grad_());
             params.push_back(mt::zeros({sizes[l + 1]}, f32).requires_grad_());
           }
           const mt::Tensor x = mt_randn({64, 784}, f32, 9);
           const mt::Tensor y = mt::tensor(labels, {64}, mt::kInt64);
           const mt::AllocationStats before = mt::allocation_stats();
           const double rss_before = resident_mib();
           for (auto _ : state) {
             mt::Tensor h = x;
             for (size_t l = 0; l < params.size(); l += 2) {
               h = mt::matmul(h, params[l]) + params[l + 1];
               if (l + 2 < params.size()) h = mt::relu(h);
             }
             mt::cross_entropy(h, y).backward();
             mt::NoGradGuard no_grad;
             for (mt::Tensor& p : params) {
               p.sub_(p.grad(), 0.01);
               reset_grad(p, regime);
             }
           }
           // Buffers per step, and whether a long loop grows: resident
           // memory after the loop minus before it.
           const mt::AllocationStats after = mt::allocation_stats();
           const double steps = static_cast<double>(state.iterations());
           state.counters["buffers_per_step"] =
               static_cast<double>(after.buffers - before.buffers) / steps;
           state.counters["mib_per_step"] =
               static_cast<double>(after.bytes - before.bytes) / steps / (1 << 20);
           state.counters["rss_growth_mib"] = resident_mib() - rss_before;
           state.counters["rss_mib"] = resident_mib();
         },
         [=](benchmark::State& state) {
           const std::vector<int64_t> sizes = {784, 256, 128, 10};
           std::vector<torch::Tensor> params;
           for (size_t l = 0; l + 1 < sizes.size(); ++l) {
             params.push_back(
                 (torch_randn({sizes[l], sizes[l + 1]}, f32, l) * 0.05).requires_grad_());
             params.push_back(torch::zeros({sizes[l + 1]}).requires_grad_());
           }
           const torch::Tensor x = torch_randn({64, 784}, f32, 9);
           const torch::Tensor y =
               torch::tensor(std::vector<int64_t>(labels.begin(), labels.end()));
           for (auto _ : state) {
             torch::Tensor h = x;
             for (size_t l = 0; l < params.size(); l += 2) {
               h = torch::matmul(h, params[l]) + params[l + 1];
               if (l + 2 < params.size()) h = torch::relu(h);
             }
             torch::nn::functional::cross_entropy(h, y).backward();
             torch::NoGradGuard no_grad;
             for (torch::Tensor& p : params) {
               p.sub_(p.grad(), 0.01);
               reset_grad(p, regime);
             }
           }
         }});
  }
  return w;
}

void register_all() {
  benchmark::RegisterBenchmark("probe_fma_f32", probe_fma<float>);
  benchmark::RegisterBenchmark("probe_fma_f64", probe_fma<double>);
  benchmark::RegisterBenchmark("probe_bandwidth_l3", probe_bandwidth);
  for (const Workload& w : workloads()) {
    for (int threads : {1, 2}) {
      for (int impl = 0; impl < 2; ++impl) {
        const std::string name = w.name + "/threads:" + std::to_string(threads) +
                                 (impl == 0 ? "/minitorch" : "/libtorch");
        const auto& body = impl == 0 ? w.minitorch : w.libtorch;
        benchmark::RegisterBenchmark(name.c_str(),
                                     [body, threads, w](benchmark::State& state) {
                                       set_threads(threads);
                                       body(state);
                                       state.counters["bytes"] = w.bytes;
                                       state.counters["flops"] = w.flops;
                                     })
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
