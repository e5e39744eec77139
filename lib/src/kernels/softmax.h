// Softmax rows: the stable softmax / log-softmax of rows, their fused
// backward, and the class-target cross-entropy of rows, as plain array
// kernels over float and double. The ops in ops/softmax.cc call them on
// contiguous data; float32 runs code compiled per instruction set
// (AVX-512, AVX2, baseline; MINITORCH_CLONES), chosen at load time.
#ifndef MINITORCH_SRC_KERNELS_SOFTMAX_H_
#define MINITORCH_SRC_KERNELS_SOFTMAX_H_

#include <cstdint>
#include <vector>

namespace minitorch {

// Softmax (or log-softmax with kLog) along the middle dim of a contiguous
// (outer, n, inner) array x, into y. The row maximum is subtracted before
// exp, so no input magnitude overflows; log-softmax is (x - max) - log(sum),
// which keeps the log where |max| is huge.
template <class T, bool kLog>
void softmax_along(const T* x, T* y, int64_t outer, int64_t n, int64_t inner);

// The backward of rows of n: from the outputs y and the gradient `grad`,
// out = y (grad - sum(grad y)) (softmax) or grad - e^y sum(grad)
// (log-softmax, kLog).
template <class T, bool kLog>
void softmax_backward_rows(const T* y, const T* grad, T* out, int64_t rows, int64_t n);

// losses[r] = -log softmax(x_r)[targets[r]] for the rows r in [begin, end)
// of `classes` elements, in one pass per row. With `probabilities`
// non-null, also writes softmax(x) there (the backward's saved value).
// Rows are independent: the caller splits them over threads and adds the
// losses in row order, so the mean has the same bits at every thread count.
template <class T>
void class_cross_entropy_rows(const T* x, const int64_t* targets, int64_t begin, int64_t end,
                              int64_t classes, T* probabilities, double* losses);

}  // namespace minitorch

#endif  // MINITORCH_SRC_KERNELS_SOFTMAX_H_
