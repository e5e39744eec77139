// float64 GEMM by Eigen's kernels built for AVX-512 (docs/design.md, "GEMM",
// has the measurements). gemm_avx512.cc alone is compiled with AVX-512
// flags; call it only where `cpu_has_avx512()` (gemm.cc) holds.
#ifndef MINITORCH_SRC_KERNELS_GEMM_AVX512_H_
#define MINITORCH_SRC_KERNELS_GEMM_AVX512_H_

#include <cstdint>

namespace minitorch::avx512 {

// The doubles of the buffers dgemm needs for Eigen's two packed panels of
// an (m x k) (k x n) product, by Eigen's blocking (its cache-size
// heuristic, one thread): 0 for a panel small enough for Eigen to pack on
// its own stack (EIGEN_STACK_ALLOCATION_LIMIT, 128 KiB).
struct PackedPanels {
  int64_t lhs, rhs;
};
PackedPanels packed_panels(int64_t m, int64_t n, int64_t k);

// c (m x n, row stride ldc) = op(a) (m x k) * op(b) (k x n) on the calling
// thread, where op(a) is a read row-major with row stride lda, or if
// `a_transposed` column-major with column stride lda (likewise b).
// `packed_lhs` and `packed_rhs` hold packed_panels(m, n, k)'s doubles,
// 64-byte aligned (Eigen's AVX-512 packing stores aligned vectors), or are
// null where it says 0.
void dgemm(bool a_transposed, bool b_transposed, int64_t m, int64_t n, int64_t k, const double* a,
           int64_t lda, const double* b, int64_t ldb, double* c, int64_t ldc, double* packed_lhs,
           double* packed_rhs);

}  // namespace minitorch::avx512

#endif  // MINITORCH_SRC_KERNELS_GEMM_AVX512_H_
