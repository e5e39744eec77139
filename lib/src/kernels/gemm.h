// Matrix products on strided operands: oneDNN, Eigen and OpenBLAS (gemm.cc
// says which runs where), and the plain reference kernel that tests check
// them against.
#ifndef MINITORCH_SRC_KERNELS_GEMM_H_
#define MINITORCH_SRC_KERNELS_GEMM_H_

#include <cstdint>
#include <optional>

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
// oneDNN's sgemm / the float64 kernel below, passing transposed layouts as
// transposes (no copies); an operand with neither unit stride is copied
// first.
template <class T>
void gemm(const MatrixRef<T>& a, const MatrixRef<T>& b, T* out);

// The float64 kernel: Eigen's built for AVX-512 on CPUs that have it,
// OpenBLAS's dgemm on others.
enum class DgemmKernel { kEigenAvx512, kOpenBlas };
DgemmKernel dgemm_kernel();

// Runs this thread's float64 products on `kernel` while it lives, so tests
// reach both kernels on one CPU. Throws if the CPU cannot run it.
class DgemmKernelOverride {
 public:
  explicit DgemmKernelOverride(DgemmKernel kernel);
  ~DgemmKernelOverride();
  DgemmKernelOverride(const DgemmKernelOverride&) = delete;
  DgemmKernelOverride& operator=(const DgemmKernelOverride&) = delete;

 private:
  std::optional<DgemmKernel> previous_;
};

// The same product by the textbook triple loop, accumulating in double.
template <class T>
void gemm_reference(const MatrixRef<T>& a, const MatrixRef<T>& b, T* out);

}  // namespace minitorch

#endif  // MINITORCH_SRC_KERNELS_GEMM_H_
