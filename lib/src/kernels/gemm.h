// Matrix products on strided operands: OpenBLAS, and the plain reference
// kernel that tests check it against.
#ifndef MINITORCH_SRC_KERNELS_GEMM_H_
#define MINITORCH_SRC_KERNELS_GEMM_H_

#include <cstdint>

namespace minitorch {

// A matrix of rows x cols read as element (r, c) = data[r * row_stride +
// c * col_stride], strides in elements.
template <class T>
struct MatrixRef {
  const T* data;
  int64_t rows, cols;
  int64_t row_stride, col_stride;
};

// out (m x n, row-major contiguous) = a (m x k) * b (k x n). Goes to
// cblas_sgemm / cblas_dgemm, passing transposed layouts as transposes (no
// copies); an operand with neither unit stride is copied first.
template <class T>
void gemm(const MatrixRef<T>& a, const MatrixRef<T>& b, T* out);

// The same product by the textbook triple loop, accumulating in double.
template <class T>
void gemm_reference(const MatrixRef<T>& a, const MatrixRef<T>& b, T* out);

}  // namespace minitorch

#endif  // MINITORCH_SRC_KERNELS_GEMM_H_
