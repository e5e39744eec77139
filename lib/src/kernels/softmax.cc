// Softmax row kernels (see softmax.h).
#include "kernels/softmax.h"

#include <cmath>
#include <type_traits>
#include <vector>

#include "kernels/fast_math.h"

namespace minitorch {

namespace {

// Softmax (or log-softmax) of each contiguous row of n elements: the max,
// e^(x - max) into the output with its sum, then a scale, or for
// log-softmax (x - max) - log(sum) (that order keeps the log where |max| is
// huge).
template <class T, bool kLog>
inline __attribute__((always_inline)) void softmax_rows(const T* x, T* y, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = x + r * n;
    T* out = y + r * n;
    const T max = fast::max_of(row, n);
    const T sum = fast::exp_shifted(row, max, out, n);
    if constexpr (kLog) {
      const T log_sum = std::log(sum);
      for (int64_t k = 0; k < n; ++k) out[k] = (row[k] - max) - log_sum;
    } else {
      const T inv = T(1) / sum;
      for (int64_t k = 0; k < n; ++k) out[k] *= inv;
    }
  }
}

// The same along the middle dim of a contiguous (outer, n, inner) array:
// each (outer, inner) position is a strided row, gathered into a scratch row.
template <class T, bool kLog>
inline __attribute__((always_inline)) void softmax_strided_rows(const T* x, T* y, int64_t outer,
                                                                int64_t n, int64_t inner) {
  if (inner == 1) {
    softmax_rows<T, kLog>(x, y, outer, n);
    return;
  }
  std::vector<T> in_row(static_cast<size_t>(n)), out_row(static_cast<size_t>(n));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* src = x + o * n * inner + i;
      T* dst = y + o * n * inner + i;
      for (int64_t k = 0; k < n; ++k) in_row[k] = src[k * inner];
      softmax_rows<T, kLog>(in_row.data(), out_row.data(), 1, n);
      for (int64_t k = 0; k < n; ++k) dst[k * inner] = out_row[k];
    }
  }
}

// The float32 kernels, compiled per instruction set.
MINITORCH_CLONES void softmax_float(const float* x, float* y, int64_t outer, int64_t n,
                                    int64_t inner) {
  softmax_strided_rows<float, false>(x, y, outer, n, inner);
}
MINITORCH_CLONES void log_softmax_float(const float* x, float* y, int64_t outer, int64_t n,
                                        int64_t inner) {
  softmax_strided_rows<float, true>(x, y, outer, n, inner);
}

// Fused backward of each contiguous row: softmax: y (g - sum(g y));
// log-softmax: g - e^y sum(g). Two passes over a row (which stays in L1).
template <class T, bool kLog>
inline __attribute__((always_inline)) void backward_rows(const T* y, const T* grad, T* out,
                                                         int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* yr = y + r * n;
    const T* gr = grad + r * n;
    T* o = out + r * n;
    if constexpr (kLog) {
      const T total = fast::sum_of(gr, n);
      for (int64_t k = 0; k < n; ++k) o[k] = gr[k] - fast::exp(yr[k]) * total;
    } else {
      const T dot = fast::dot(gr, yr, n);
      for (int64_t k = 0; k < n; ++k) o[k] = yr[k] * (gr[k] - dot);
    }
  }
}

MINITORCH_CLONES void softmax_backward_float(const float* y, const float* grad, float* out,
                                             int64_t rows, int64_t n) {
  backward_rows<float, false>(y, grad, out, rows, n);
}
MINITORCH_CLONES void log_softmax_backward_float(const float* y, const float* grad, float* out,
                                                 int64_t rows, int64_t n) {
  backward_rows<float, true>(y, grad, out, rows, n);
}

template <class T>
inline __attribute__((always_inline)) void cross_entropy_rows(const T* x, const int64_t* targets,
                                                              int64_t begin, int64_t end,
                                                              int64_t classes, T* probabilities,
                                                              double* losses) {
  std::vector<T> scratch(probabilities == nullptr ? static_cast<size_t>(classes) : 0);
  for (int64_t r = begin; r < end; ++r) {
    const T* row = x + r * classes;
    T* exps = probabilities == nullptr ? scratch.data() : probabilities + r * classes;
    const T max = fast::max_of(row, classes);
    const T sum = fast::exp_shifted(row, max, exps, classes);
    losses[r] = -static_cast<double>((row[targets[r]] - max) - std::log(sum));
    if (probabilities != nullptr) {
      const T inv = T(1) / sum;
      for (int64_t k = 0; k < classes; ++k) exps[k] *= inv;
    }
  }
}

MINITORCH_CLONES void class_cross_entropy_float(const float* x, const int64_t* targets,
                                                int64_t begin, int64_t end, int64_t classes,
                                                float* probabilities, double* losses) {
  cross_entropy_rows<float>(x, targets, begin, end, classes, probabilities, losses);
}

}  // namespace

template <class T, bool kLog>
void softmax_along(const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  if constexpr (std::is_same_v<T, float>) {
    (kLog ? log_softmax_float : softmax_float)(x, y, outer, n, inner);
  } else {
    softmax_strided_rows<T, kLog>(x, y, outer, n, inner);
  }
}

template <class T, bool kLog>
void softmax_backward_rows(const T* y, const T* grad, T* out, int64_t rows, int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    (kLog ? log_softmax_backward_float : softmax_backward_float)(y, grad, out, rows, n);
  } else {
    backward_rows<T, kLog>(y, grad, out, rows, n);
  }
}

template <class T>
void class_cross_entropy_rows(const T* x, const int64_t* targets, int64_t begin, int64_t end,
                              int64_t classes, T* probabilities, double* losses) {
  if constexpr (std::is_same_v<T, float>) {
    class_cross_entropy_float(x, targets, begin, end, classes, probabilities, losses);
  } else {
    cross_entropy_rows<T>(x, targets, begin, end, classes, probabilities, losses);
  }
}

template void softmax_along<float, false>(const float*, float*, int64_t, int64_t, int64_t);
template void softmax_along<float, true>(const float*, float*, int64_t, int64_t, int64_t);
template void softmax_along<double, false>(const double*, double*, int64_t, int64_t, int64_t);
template void softmax_along<double, true>(const double*, double*, int64_t, int64_t, int64_t);
template void softmax_backward_rows<float, false>(const float*, const float*, float*, int64_t,
                                                  int64_t);
template void softmax_backward_rows<float, true>(const float*, const float*, float*, int64_t,
                                                 int64_t);
template void softmax_backward_rows<double, false>(const double*, const double*, double*, int64_t,
                                                   int64_t);
template void softmax_backward_rows<double, true>(const double*, const double*, double*, int64_t,
                                                  int64_t);
template void class_cross_entropy_rows<float>(const float*, const int64_t*, int64_t, int64_t,
                                              int64_t, float*, double*);
template void class_cross_entropy_rows<double>(const double*, const int64_t*, int64_t, int64_t,
                                               int64_t, double*, double*);

}  // namespace minitorch
