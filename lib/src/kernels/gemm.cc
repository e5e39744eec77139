// GEMM: float32 through oneDNN, float64 through Eigen's AVX-512 kernels
// where the CPU has them and OpenBLAS elsewhere (docs/design.md, "GEMM", has
// the measurements behind the choice), plus the reference kernel.
#include "kernels/gemm.h"

#include <cblas.h>
#include <dnnl.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "check.h"
#include "kernels/gemm_avx512.h"
#include "parallel.h"
#include "tensor_impl.h"

// libgomp, the OpenMP runtime Debian's oneDNN threads with.
extern "C" {
int omp_get_max_threads();
void omp_set_num_threads(int n);
}

namespace minitorch {

namespace {

// oneDNN's sgemm and Eigen's dgemm run in tiles of C fixed by the shape,
// each tile one call on one thread, the tiles split over the caller's
// threads (parallel.h): oneDNN's own threads split K for some shapes
// ((64 x 784)(784 x 256)), so its result changed with the thread count, and
// every op of minitorch gives the same bits at any count. Tiles this large
// keep both libraries' single-thread kernels near the FMA peak.
constexpr int64_t kTileRows = 128;
constexpr int64_t kTileCols = 512;

// Calls tile(i, j, rows, cols) for the tiles of an (m x n) C, in parallel.
template <class Tile>
void for_each_tile(int64_t m, int64_t n, const Tile& tile) {
  const int64_t row_tiles = (m + kTileRows - 1) / kTileRows;
  const int64_t col_tiles = (n + kTileCols - 1) / kTileCols;
  parallel_for(row_tiles * col_tiles, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t i = t / col_tiles * kTileRows, j = t % col_tiles * kTileCols;
      tile(i, j, std::min(kTileRows, m - i), std::min(kTileCols, n - j));
    }
  });
}

// Whether this CPU runs gemm_avx512.cc's instructions (and its OS saves
// their registers, which the compiler's check includes).
bool cpu_has_avx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                          __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
  return has;
}

thread_local std::optional<DgemmKernel> t_dgemm_override;

// One oneDNN call on the calling thread alone, leaving the caller's own
// OpenMP setting as it found it.
void sgemm_on_this_thread(char ta, char tb, int64_t m, int64_t n, int64_t k, const float* a,
                          int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc) {
  const int openmp_threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const dnnl_status_t status = dnnl_sgemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
  omp_set_num_threads(openmp_threads);
  MT_INTERNAL_ASSERT(status == dnnl_success, "matmul: oneDNN's sgemm failed with status ",
                     static_cast<int>(status), " for (", m, " x ", k, ") (", k, " x ", n, ")");
}

// How BLAS should read a MatrixRef: as stored (row-major, lead = row
// stride) or transposed (column-major, lead = column stride).
struct BlasLayout {
  bool usable;
  CBLAS_TRANSPOSE trans;
  int64_t lead;
};

template <class T>
BlasLayout layout_of(const MatrixRef<T>& m) {
  // A size-1 dim's stride is never used, so it never disqualifies a layout.
  if ((m.col_stride == 1 || m.cols == 1) &&
      (m.rows == 1 || m.row_stride >= std::max<int64_t>(m.cols, 1))) {
    return {true, CblasNoTrans, m.rows == 1 ? std::max<int64_t>(m.cols, 1) : m.row_stride};
  }
  if ((m.row_stride == 1 || m.rows == 1) &&
      (m.cols == 1 || m.col_stride >= std::max<int64_t>(m.rows, 1))) {
    return {true, CblasTrans, m.cols == 1 ? std::max<int64_t>(m.rows, 1) : m.col_stride};
  }
  return {false, CblasNoTrans, 0};
}

void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k,
               const float* a, int64_t lda, const float* b, int64_t ldb, float* c) {
  const bool a_t = ta == CblasTrans, b_t = tb == CblasTrans;
  for_each_tile(m, n, [&](int64_t i, int64_t j, int64_t rows, int64_t cols) {
    // Rows i.. of op(A) and columns j.. of op(B), as stored.
    sgemm_on_this_thread(a_t ? 'T' : 'N', b_t ? 'T' : 'N', rows, cols, k, a + (a_t ? i : i * lda),
                         lda, b + (b_t ? j * ldb : j), ldb, c + i * n + j, n);
  });
}

void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k,
               const double* a, int64_t lda, const double* b, int64_t ldb, double* c) {
  if (dgemm_kernel() == DgemmKernel::kOpenBlas) {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, n);
    return;
  }
  const bool a_t = ta == CblasTrans, b_t = tb == CblasTrans;
  for_each_tile(m, n, [&](int64_t i, int64_t j, int64_t rows, int64_t cols) {
    // Eigen's packed panels past its stack in this thread's recycled
    // buffers: allocated afresh, above glibc's mmap threshold every product
    // mapped and faulted in new pages (a (128 x 256)(256 x 256) product took
    // 2.7 ms, not 0.45).
    const avx512::PackedPanels panels = avx512::packed_panels(rows, cols, k);
    const ScratchBuffer lhs(static_cast<size_t>(panels.lhs) * sizeof(double));
    const ScratchBuffer rhs(static_cast<size_t>(panels.rhs) * sizeof(double));
    avx512::dgemm(a_t, b_t, rows, cols, k, a + (a_t ? i : i * lda), lda, b + (b_t ? j * ldb : j),
                  ldb, c + i * n + j, n, lhs.as<double>(), rhs.as<double>());
  });
}

// A contiguous row-major copy of `m`, for layouts BLAS cannot read.
template <class T>
MatrixRef<T> packed(const MatrixRef<T>& m, std::vector<T>& buffer) {
  buffer.resize(static_cast<size_t>(m.rows * m.cols));
  for (int64_t r = 0; r < m.rows; ++r) {
    for (int64_t c = 0; c < m.cols; ++c) {
      buffer[r * m.cols + c] = m.data[r * m.row_stride + c * m.col_stride];
    }
  }
  return {buffer.data(), m.rows, m.cols, m.cols, 1};
}

}  // namespace

DgemmKernel dgemm_kernel() {
  if (t_dgemm_override) return *t_dgemm_override;
  return cpu_has_avx512() ? DgemmKernel::kEigenAvx512 : DgemmKernel::kOpenBlas;
}

DgemmKernelOverride::DgemmKernelOverride(DgemmKernel kernel) : previous_(t_dgemm_override) {
  MT_CHECK(kernel == DgemmKernel::kOpenBlas || cpu_has_avx512(),
           "gemm: Eigen's AVX-512 dgemm asked for on a CPU without AVX-512");
  t_dgemm_override = kernel;
}

DgemmKernelOverride::~DgemmKernelOverride() { t_dgemm_override = previous_; }

template <class T>
void gemm(const MatrixRef<T>& a_in, const MatrixRef<T>& b_in, T* out) {
  const int64_t m = a_in.rows, k = a_in.cols, n = b_in.cols;
  if (m == 0 || n == 0) return;
  if (k == 0) {
    std::fill(out, out + m * n, T(0));
    return;
  }
  std::vector<T> a_buffer, b_buffer;
  BlasLayout la = layout_of(a_in);
  const MatrixRef<T> a = la.usable ? a_in : packed(a_in, a_buffer);
  if (!la.usable) la = layout_of(a);
  BlasLayout lb = layout_of(b_in);
  const MatrixRef<T> b = lb.usable ? b_in : packed(b_in, b_buffer);
  if (!lb.usable) lb = layout_of(b);
  blas_gemm(la.trans, lb.trans, m, n, k, a.data, la.lead, b.data, lb.lead, out);
}

template <class T>
void gemm_reference(const MatrixRef<T>& a, const MatrixRef<T>& b, T* out) {
  for (int64_t i = 0; i < a.rows; ++i) {
    for (int64_t j = 0; j < b.cols; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < a.cols; ++p) {
        acc += static_cast<double>(a.data[i * a.row_stride + p * a.col_stride]) *
               static_cast<double>(b.data[p * b.row_stride + j * b.col_stride]);
      }
      out[i * b.cols + j] = static_cast<T>(acc);
    }
  }
}

template void gemm<float>(const MatrixRef<float>&, const MatrixRef<float>&, float*);
template void gemm<double>(const MatrixRef<double>&, const MatrixRef<double>&, double*);
template void gemm_reference<float>(const MatrixRef<float>&, const MatrixRef<float>&, float*);
template void gemm_reference<double>(const MatrixRef<double>&, const MatrixRef<double>&, double*);

}  // namespace minitorch
