// The GEMM libraries Debian packages, timed on the shapes minitorch runs:
// OpenBLAS (what the library links), BLIS and oneDNN (sgemm only; it has no
// dgemm), each loaded with dlopen, so none is a build dependency, and bound
// to itself, so their identical BLAS symbol names never meet; a library that
// is not installed is reported as such. Beside them, minitorch's own float64 path: Eigen's
// kernel built for AVX-512, in minitorch's tiles over its threads (where the
// CPU has AVX-512). docs/design.md ("GEMM") has the table and the choice
// made from it.
//
//   gemm_libraries [threads]   (default 1; sets each library's own count)
//
// Every time is the best of 7 medians of 15 calls, in microseconds, on
// row-major operands with the same random values for every library.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "kernels/gemm.h"
#include "minitorch/threads.h"

namespace {

enum Order { kRowMajor = 101 };
enum Transpose { kNoTrans = 111, kTrans = 112 };

using CblasSgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*,
                            int, float, float*, int);
using CblasDgemm = void (*)(int, int, int, int, int, int, double, const double*, int, const double*,
                            int, double, double*, int);
using DnnlSgemm = int (*)(char, char, int64_t, int64_t, int64_t, float, const float*, int64_t,
                          const float*, int64_t, float, float*, int64_t);
using SetThreads = void (*)(int);
using SetThreadsInt64 = void (*)(int64_t);

// One library: its sgemm and dgemm (either may be missing) behind the CBLAS
// signature.
struct Library {
  std::string name;
  bool loaded = false;
  CblasSgemm sgemm = nullptr;
  CblasDgemm dgemm = nullptr;
  const char* missing = "not found";  // printed where it did not load
};

// RTLD_DEEPBIND: a library's calls into its own BLAS symbols (BLIS's
// cblas_sgemm calls its sgemm_) bind within it, not to OpenBLAS's, which
// this program links through minitorch.
void* open_library(const char* path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND); }

template <class F>
F symbol(void* handle, const char* name) {
  return handle == nullptr ? nullptr : reinterpret_cast<F>(dlsym(handle, name));
}

DnnlSgemm g_dnnl_sgemm = nullptr;

// oneDNN's sgemm is row-major with 'N'/'T' flags.
void dnnl_as_cblas(int, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                   int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  g_dnnl_sgemm(trans_a == kTrans ? 'T' : 'N', trans_b == kTrans ? 'T' : 'N', m, n, k, alpha, a, lda,
               b, ldb, beta, c, ldc);
}

// minitorch's float64 GEMM (alpha 1 and beta 0, as every call below).
void minitorch_as_cblas(int, int trans_a, int trans_b, int m, int n, int k, double, const double* a,
                        int lda, const double* b, int ldb, double, double* c, int) {
  using minitorch::MatrixRef;
  const MatrixRef<double> op_a =
      trans_a == kTrans ? MatrixRef<double>{a, m, k, 1, lda} : MatrixRef<double>{a, m, k, lda, 1};
  const MatrixRef<double> op_b =
      trans_b == kTrans ? MatrixRef<double>{b, k, n, 1, ldb} : MatrixRef<double>{b, k, n, ldb, 1};
  minitorch::gemm<double>(op_a, op_b, c);
}

std::vector<Library> load_libraries(int threads) {
  std::vector<Library> libraries;
  {
    void* h = open_library("libopenblas.so.0");
    Library l{"OpenBLAS", h != nullptr, symbol<CblasSgemm>(h, "cblas_sgemm"),
              symbol<CblasDgemm>(h, "cblas_dgemm")};
    if (auto set = symbol<SetThreads>(h, "openblas_set_num_threads")) set(threads);
    libraries.push_back(l);
  }
  {
    void* h = open_library("libblis.so.4");
    Library l{"BLIS", h != nullptr, symbol<CblasSgemm>(h, "cblas_sgemm"),
              symbol<CblasDgemm>(h, "cblas_dgemm")};
    if (auto set = symbol<SetThreadsInt64>(h, "bli_thread_set_num_threads")) set(threads);
    libraries.push_back(l);
  }
  {
    void* h = open_library("libdnnl.so.2");
    g_dnnl_sgemm = symbol<DnnlSgemm>(h, "dnnl_sgemm");
    // Debian's oneDNN runs on OpenMP: its thread count is libgomp's.
    if (auto set = symbol<SetThreads>(open_library("libgomp.so.1"), "omp_set_num_threads")) {
      set(threads);
    }
    libraries.push_back({"oneDNN", h != nullptr, g_dnnl_sgemm ? dnnl_as_cblas : nullptr, nullptr});
  }
  minitorch::set_num_threads(threads);
  libraries.push_back({"Eigen AVX-512",
                       minitorch::dgemm_kernel() == minitorch::DgemmKernel::kEigenAvx512, nullptr,
                       minitorch_as_cblas, "no AVX-512"});
  return libraries;
}

// C (m x n) = op(A) op(B), op(A) m x k, op(B) k x n, `batch` times.
struct Shape {
  const char* what;
  int m, n, k;
  bool trans_a, trans_b;
  int batch;
};

template <class F>
double best_median_us(F call) {
  double best = 1e300;
  for (int round = 0; round < 7; ++round) {
    std::vector<double> times;
    for (int i = 0; i < 15; ++i) {
      const auto start = std::chrono::steady_clock::now();
      call();
      times.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
    }
    std::nth_element(times.begin(), times.begin() + 7, times.end());
    best = std::min(best, times[7]);
  }
  return best;
}

template <class T, class Gemm>
double time_gemm(Gemm gemm, const Shape& s) {
  std::mt19937 rng(1);
  std::normal_distribution<T> normal;
  const size_t per_a = static_cast<size_t>(s.m) * s.k, per_b = static_cast<size_t>(s.k) * s.n;
  std::vector<T> a(per_a * s.batch), b(per_b * s.batch),
      c(static_cast<size_t>(s.m) * s.n * s.batch);
  for (T& v : a) v = normal(rng);
  for (T& v : b) v = normal(rng);
  const int lda = s.trans_a ? s.m : s.k, ldb = s.trans_b ? s.k : s.n;
  const auto call = [&] {
    for (int i = 0; i < s.batch; ++i) {
      gemm(kRowMajor, s.trans_a ? kTrans : kNoTrans, s.trans_b ? kTrans : kNoTrans, s.m, s.n, s.k,
           T(1), a.data() + i * per_a, lda, b.data() + i * per_b, ldb, T(0),
           c.data() + static_cast<size_t>(i) * s.m * s.n, s.n);
    }
  };
  call();  // first-call set-up (thread pools, packing buffers) is not timed
  return best_median_us(call);
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const std::vector<Library> libraries = load_libraries(threads);
  const std::vector<Shape> shapes = {
      {"square 64", 64, 64, 64, false, false, 1},
      {"square 128", 128, 128, 128, false, false, 1},
      {"square 256", 256, 256, 256, false, false, 1},
      {"square 512", 512, 512, 512, false, false, 1},
      {"square 1024", 1024, 1024, 1024, false, false, 1},
      {"MLP x W^T (64x784)(256x784)^T", 64, 256, 784, false, true, 1},
      {"MLP dX = dY W (64x256)(256x784)", 64, 784, 256, false, false, 1},
      {"MLP dW = dY^T X (64x256)^T(64x784)", 256, 784, 64, true, false, 1},
      {"batched 64 x (32x64)(64x32)", 32, 32, 64, false, false, 64},
      {"batched 256 x (16x16)(16x16)", 16, 16, 16, false, false, 256},
  };
  std::printf("GEMM libraries, %d thread(s); microseconds, best of 7 medians of 15 calls\n",
              threads);
  for (const char* dtype : {"float32", "float64"}) {
    const bool f32 = std::string(dtype) == "float32";
    std::printf("\n%-38s", dtype);
    for (const Library& l : libraries) std::printf(" %12s", l.name.c_str());
    std::printf("\n");
    for (const Shape& s : shapes) {
      std::printf("%-38s", s.what);
      for (const Library& l : libraries) {
        if (!l.loaded) {
          std::printf(" %12s", l.missing);
        } else if (f32 && l.sgemm != nullptr) {
          std::printf(" %12.1f", time_gemm<float>(l.sgemm, s));
        } else if (!f32 && l.dgemm != nullptr) {
          std::printf(" %12.1f", time_gemm<double>(l.dgemm, s));
        } else {
          std::printf(" %12s", "-");
        }
      }
      std::printf("\n");
    }
  }
  return 0;
}
