// GEMM through OpenBLAS, plus the reference kernel.
#include "kernels/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <vector>

namespace minitorch {

namespace {

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
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n);
}

void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k,
               const double* a, int64_t lda, const double* b, int64_t ldb, double* c) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, n);
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
