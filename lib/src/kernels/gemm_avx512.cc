// float64 GEMM through Eigen's general matrix product, this file alone
// compiled for AVX-512 (-mavx512f -mavx512dq -mavx512vl -mavx512bw -mfma).
// Nothing here may be reached on a CPU without those instructions. An
// inline function this file shares with others could be linked from here
// for all of them, so it uses C functions and Eigen's templates, which no
// other file instantiates; the one standard-library inline it emits,
// std::bad_alloc's constructor (Eigen throws it), stores a pointer.
#define EIGEN_DONT_PARALLELIZE  // gemm.cc splits the work into fixed tiles
#include "kernels/gemm_avx512.h"

// g++ 12 warns that its own AVX-512 intrinsics' deliberately undefined
// vectors are used uninitialised wherever Eigen's kernels inline them.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Eigen/Core>
#include <cstring>

namespace minitorch::avx512 {

namespace {

using Eigen::Index;

// Eigen's block sizes (its cache-size heuristic, one thread) for a row-major
// (m x n) = (m x k)(k x n) product. Eigen computes it as the column-major
// c^T = b^T a^T, so they are those of an (n x m) result, as Eigen's own
// products make them.
struct BlockSizes {
  Index kc, mc, nc;
};
BlockSizes block_sizes(Index m, Index n, Index k) {
  BlockSizes s{k, n, m};
  Eigen::internal::computeProductBlockingSizes<double, double, 1, Index>(s.kc, s.mc, s.nc, 1);
  return s;
}

// Those sizes over the caller's packing buffers (null: Eigen packs on its
// stack, or allocates at every product if the panel is larger).
class Blocking : public Eigen::internal::level3_blocking<double, double> {
 public:
  Blocking(const BlockSizes& s, double* packed_lhs, double* packed_rhs) {
    m_kc = s.kc;
    m_mc = s.mc;
    m_nc = s.nc;
    m_blockA = packed_lhs;
    m_blockB = packed_rhs;
  }
};

template <int AOrder, int BOrder>
void product(Index m, Index n, Index k, const double* a, Index lda, const double* b, Index ldb,
             double* c, Index ldc, Blocking& blocking) {
  // The kernel adds to c.
  for (Index i = 0; i < m; ++i) {
    std::memset(c + i * ldc, 0, static_cast<size_t>(n) * sizeof(double));
  }
  Eigen::internal::general_matrix_matrix_product<Index, double, AOrder, false, double, BOrder,
                                                 false, Eigen::RowMajor, 1>::run(m, n, k, a, lda, b,
                                                                                 ldb, c, 1, ldc,
                                                                                 1.0, blocking);
}

}  // namespace

PackedPanels packed_panels(int64_t m, int64_t n, int64_t k) {
  const BlockSizes s = block_sizes(m, n, k);
  const auto off_the_stack = [](Index doubles) {
    return doubles * Index{sizeof(double)} <= EIGEN_STACK_ALLOCATION_LIMIT ? 0 : doubles;
  };
  return {off_the_stack(s.mc * s.kc), off_the_stack(s.kc * s.nc)};
}

void dgemm(bool a_transposed, bool b_transposed, int64_t m, int64_t n, int64_t k, const double* a,
           int64_t lda, const double* b, int64_t ldb, double* c, int64_t ldc, double* packed_lhs,
           double* packed_rhs) {
  using Eigen::ColMajor;
  using Eigen::RowMajor;
  Blocking blocking(block_sizes(m, n, k), packed_lhs, packed_rhs);
  if (!a_transposed && !b_transposed) {
    product<RowMajor, RowMajor>(m, n, k, a, lda, b, ldb, c, ldc, blocking);
  } else if (!a_transposed) {
    product<RowMajor, ColMajor>(m, n, k, a, lda, b, ldb, c, ldc, blocking);
  } else if (!b_transposed) {
    product<ColMajor, RowMajor>(m, n, k, a, lda, b, ldb, c, ldc, blocking);
  } else {
    product<ColMajor, ColMajor>(m, n, k, a, lda, b, ldb, c, ldc, blocking);
  }
}

}  // namespace minitorch::avx512
