// The GEMM paths (oneDNN for float32; Eigen's AVX-512 kernel and OpenBLAS
// for float64) against the plain reference kernel, over the layouts matmul
// hands them: row-major, transposed, strided, expanded; and over shapes
// that span several of the tiles the work is split into.
#include "kernels/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "minitorch/minitorch.h"

namespace minitorch {
namespace {

template <class T>
void check_layouts(double tol) {
  const int64_t m = 5, k = 7, n = 3;
  std::vector<T> a_store(4 * m * k), b_store(4 * k * n);
  for (size_t i = 0; i < a_store.size(); ++i) a_store[i] = static_cast<T>((i * 37 % 11) - 5.0) / 3;
  for (size_t i = 0; i < b_store.size(); ++i) b_store[i] = static_cast<T>((i * 53 % 13) - 6.0) / 4;
  const std::vector<MatrixRef<T>> as = {
      {a_store.data(), m, k, k, 1},      // row-major
      {a_store.data(), m, k, 1, m},      // column-major (a transposed view)
      {a_store.data(), m, k, 2 * k, 2},  // strided both ways: packed first
      {a_store.data(), m, k, 0, 1},      // rows expanded from one row
      {a_store.data(), m, k, k + 3, 1},  // padded rows
  };
  const std::vector<MatrixRef<T>> bs = {
      {b_store.data(), k, n, n, 1},
      {b_store.data(), k, n, 1, k},
      {b_store.data(), k, n, 3 * n, 3},
      {b_store.data(), k, n, 1, 0},
  };
  for (size_t i = 0; i < as.size(); ++i) {
    for (size_t j = 0; j < bs.size(); ++j) {
      std::vector<T> fast(m * n), slow(m * n);
      gemm<T>(as[i], bs[j], fast.data());
      gemm_reference<T>(as[i], bs[j], slow.data());
      for (size_t e = 0; e < fast.size(); ++e) {
        EXPECT_NEAR(fast[e], slow[e], tol) << "layout a" << i << " b" << j << " element " << e;
      }
    }
  }
}

const char* kernel_name(DgemmKernel kernel) {
  return kernel == DgemmKernel::kOpenBlas ? "OpenBLAS" : "Eigen AVX-512";
}

// The float64 kernels this CPU can run.
std::vector<DgemmKernel> dgemm_kernels() {
  std::vector<DgemmKernel> kernels = {DgemmKernel::kOpenBlas};
  if (dgemm_kernel() == DgemmKernel::kEigenAvx512) kernels.push_back(DgemmKernel::kEigenAvx512);
  return kernels;
}

TEST(Gemm, MatchesReferenceFloat64) {
  for (const DgemmKernel kernel : dgemm_kernels()) {
    SCOPED_TRACE(kernel_name(kernel));
    const DgemmKernelOverride use(kernel);
    check_layouts<double>(1e-12);
  }
}

// (300 x 70)(70 x 600): three row tiles and two column tiles, the last of
// each partial, with either operand transposed, at 1 and 3 threads.
TEST(Gemm, Float64KernelsMatchReferenceAcrossTiles) {
  const int64_t m = 300, k = 70, n = 600;
  std::vector<double> a_store(m * k), b_store(k * n);
  for (size_t i = 0; i < a_store.size(); ++i) {
    a_store[i] = static_cast<double>(i * 37 % 101) / 7 - 7;
  }
  for (size_t i = 0; i < b_store.size(); ++i) {
    b_store[i] = static_cast<double>(i * 53 % 97) / 5 - 9;
  }
  const MatrixRef<double> as[] = {{a_store.data(), m, k, k, 1}, {a_store.data(), m, k, 1, m}};
  const MatrixRef<double> bs[] = {{b_store.data(), k, n, n, 1}, {b_store.data(), k, n, 1, k}};
  for (const DgemmKernel kernel : dgemm_kernels()) {
    const DgemmKernelOverride use(kernel);
    for (const int threads : {1, 3}) {
      set_num_threads(threads);
      for (const MatrixRef<double>& a : as) {
        for (const MatrixRef<double>& b : bs) {
          std::vector<double> fast(m * n), slow(m * n);
          gemm<double>(a, b, fast.data());
          gemm_reference<double>(a, b, slow.data());
          for (size_t e = 0; e < fast.size(); ++e) {
            ASSERT_NEAR(fast[e], slow[e], 1e-9 * (1 + std::abs(slow[e])))
                << kernel_name(kernel) << ", a " << (a.col_stride == 1 ? "row-major" : "transposed")
                << ", b " << (b.col_stride == 1 ? "row-major" : "transposed") << ", " << threads
                << " threads, element " << e;
          }
        }
      }
    }
  }
  set_num_threads(1);
}

TEST(Gemm, MatchesReferenceFloat32) { check_layouts<float>(1e-4); }

TEST(Gemm, EmptyInnerDimGivesZeros) {
  std::vector<double> out(6, 99.0);
  const double* none = nullptr;
  gemm<double>({none, 2, 0, 0, 1}, {none, 0, 3, 3, 1}, out.data());
  for (double v : out) EXPECT_EQ(v, 0.0);
}

TEST(Gemm, LargeMatmulMatchesReference) {
  const Tensor a = randn({64, 48}, 1);
  const Tensor b = randn({48, 80}, 2);
  const Tensor fast = matmul(a, b.transpose(0, 1).contiguous().transpose(0, 1));
  std::vector<double> slow(64 * 80);
  const std::vector<double> av = a.to_vector(), bv = b.to_vector();
  gemm_reference<double>({av.data(), 64, 48, 48, 1}, {bv.data(), 48, 80, 80, 1}, slow.data());
  const std::vector<double> fv = fast.to_vector();
  for (size_t i = 0; i < slow.size(); ++i) EXPECT_NEAR(fv[i], slow[i], 1e-12);
}

}  // namespace
}  // namespace minitorch
