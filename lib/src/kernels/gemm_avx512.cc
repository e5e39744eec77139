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
#include <new>

namespace minitorch::avx512 {

namespace {

using Eigen::Index;

// A thread's packing buffer, kept between calls. Eigen allocates its packed
// panels at every product otherwise, and above glibc's mmap threshold each
// call mapped and faulted in fresh pages: a (128 x 256)(256 x 256) product
// took 2.7 ms instead of 0.45 ms on this machine kind. Its size is bounded
// by Eigen's blocking, which fits the panels to the caches.
class PackingBuffer {
 public:
  PackingBuffer() = default;
  PackingBuffer(const PackingBuffer&) = delete;
  PackingBuffer& operator=(const PackingBuffer&) = delete;
  ~PackingBuffer() { release(); }

  double* at_least(Index n) {
    if (n > size_) {
      release();
      data_ =
          static_cast<double*>(::operator new(static_cast<size_t>(n) * sizeof(double), kAlignment));
      size_ = n;
    }
    return data_;
  }

 private:
  static constexpr std::align_val_t kAlignment{64};
  void release() {
    if (data_ != nullptr) ::operator delete(data_, kAlignment);
    data_ = nullptr;
    size_ = 0;
  }
  double* data_ = nullptr;
  Index size_ = 0;
};

thread_local PackingBuffer t_packed_lhs, t_packed_rhs;

// Eigen's block sizes for a product (its cache-size heuristic, one thread),
// over this thread's buffers.
class Blocking : public Eigen::internal::level3_blocking<double, double> {
 public:
  Blocking(Index rows, Index cols, Index depth) {
    m_mc = rows;
    m_nc = cols;
    m_kc = depth;
    Eigen::internal::computeProductBlockingSizes<double, double, 1, Index>(m_kc, m_mc, m_nc, 1);
    m_blockA = t_packed_lhs.at_least(m_mc * m_kc);
    m_blockB = t_packed_rhs.at_least(m_kc * m_nc);
  }
};

template <int AOrder, int BOrder>
void product(Index m, Index n, Index k, const double* a, Index lda, const double* b, Index ldb,
             double* c, Index ldc) {
  // The kernel adds to c.
  for (Index i = 0; i < m; ++i)
    std::memset(c + i * ldc, 0, static_cast<size_t>(n) * sizeof(double));
  // Eigen computes a row-major c as the column-major c^T = b^T a^T, so its
  // blocking is that of an (n x m) result, as Eigen's own products make it.
  Blocking blocking(n, m, k);
  Eigen::internal::general_matrix_matrix_product<Index, double, AOrder, false, double, BOrder,
                                                 false, Eigen::RowMajor, 1>::run(m, n, k, a, lda, b,
                                                                                 ldb, c, 1, ldc,
                                                                                 1.0, blocking);
}

}  // namespace

void dgemm(bool a_transposed, bool b_transposed, int64_t m, int64_t n, int64_t k, const double* a,
           int64_t lda, const double* b, int64_t ldb, double* c, int64_t ldc) {
  using Eigen::ColMajor;
  using Eigen::RowMajor;
  if (!a_transposed && !b_transposed) {
    product<RowMajor, RowMajor>(m, n, k, a, lda, b, ldb, c, ldc);
  } else if (!a_transposed) {
    product<RowMajor, ColMajor>(m, n, k, a, lda, b, ldb, c, ldc);
  } else if (!b_transposed) {
    product<ColMajor, RowMajor>(m, n, k, a, lda, b, ldb, c, ldc);
  } else {
    product<ColMajor, ColMajor>(m, n, k, a, lda, b, ldb, c, ldc);
  }
}

}  // namespace minitorch::avx512
