// Array kernels of fast_math.h, one clone per instruction set.
#include "kernels/fast_math.h"

#include <algorithm>
#include <cstring>

namespace minitorch::fast {

namespace {

// y[i] = f(x[i]) in whole vectors, then the scalar form for the tail.
template <void (*kVector)(const Vector<float>&, Vector<float>&),
          void (*kScalar)(const float&, float&)>
inline __attribute__((always_inline)) void map_array(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + kLanes<float> <= n; i += kLanes<float>) {
    Vector<float> v, r;
    load(v, x + i);
    kVector(v, r);
    store(y + i, r);
  }
  for (; i < n; ++i) kScalar(x[i], y[i]);
}

}  // namespace

MINITORCH_CLONES void exp_array(const float* x, float* y, int64_t n) {
  exp_of_array<ExpRange::kWhole>(x, 0.0f, y, n);
}

MINITORCH_CLONES void tanh_array(const float* x, float* y, int64_t n) {
  map_array<tanh_into<Vector<float>, IntVector>, tanh_into<float, int32_t>>(x, y, n);
}

MINITORCH_CLONES void sigmoid_array(const float* x, float* y, int64_t n) {
  map_array<sigmoid_into<Vector<float>, IntVector>, sigmoid_into<float, int32_t>>(x, y, n);
}

MINITORCH_CLONES double sum_in_double(const float* x, int64_t n) {
  // Each round adds up to kRound vectors per accumulator in float, then
  // widens the accumulators into double: a float partial never holds more
  // than kRound terms. The double total is two native vectors (a float
  // vector's low and high halves): one 128-byte vector went through the
  // stack at every round, and with the serial sum of its 16 lanes and a
  // scalar tail it made a row of 1000 floats a fifth slower than LibTorch's.
  using Half = float __attribute__((vector_size(32)));
  constexpr int64_t w = kLanes<float>;
  constexpr int64_t kRound = 8;
  Vector<double> low = {}, high = {};
  const auto widen_into_total = [&](const Vector<float>& v) __attribute__((always_inline)) {
    const Half v_low = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7);
    const Half v_high = __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    low += __builtin_convertvector(v_low, Vector<double>);
    high += __builtin_convertvector(v_high, Vector<double>);
  };
  int64_t k = 0;
  while (k + kAccumulators * w <= n) {
    Vector<float> acc[kAccumulators] = {};
    const int64_t end = k + std::min((n - k) / (kAccumulators * w), kRound) * kAccumulators * w;
    for (; k < end; k += kAccumulators * w) {
      for (int64_t a = 0; a < kAccumulators; ++a) {
        Vector<float> v;
        load(v, x + k + a * w);
        acc[a] += v;
      }
    }
    for (const Vector<float>& partial : acc) widen_into_total(partial);
  }
  for (; k + w <= n; k += w) {
    Vector<float> v;
    load(v, x + k);
    widen_into_total(v);
  }
  if (k < n && n >= w) {
    // The tail from the last whole vector, the lanes already added set to
    // 0: a part-filled copy through memory costs a stalled load.
    Vector<float> v;
    load(v, x + n - w);
    const IntVector lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    const auto counted = static_cast<int32_t>(w - (n - k));
    v = lane >= counted ? v : Vector<float>{};
    widen_into_total(v);
  } else if (k < n) {
    Vector<float> v = {};
    std::memcpy(&v, x + k, static_cast<size_t>(n - k) * sizeof(float));
    widen_into_total(v);
  }
  // The lanes pairwise.
  const Vector<double> lanes = low + high;
  using Quarter = double __attribute__((vector_size(32)));
  const Quarter four = __builtin_shufflevector(lanes, lanes, 0, 1, 2, 3) +
                       __builtin_shufflevector(lanes, lanes, 4, 5, 6, 7);
  return (four[0] + four[2]) + (four[1] + four[3]);
}

MINITORCH_CLONES void accumulate_rows_in_double(const float* x, int64_t rows, int64_t stride,
                                                double* acc, int64_t n) {
  // Rows are added in float by groups of eight, pairwise, and each group's
  // sum is widened once: a double add per eight inputs instead of one per
  // input, and a float partial holds at most eight terms (as in
  // sum_in_double).
  int64_t r = 0;
  for (; r + 8 <= rows; r += 8) {
    const float* x0 = x + r * stride;
    const float *x1 = x0 + stride, *x2 = x1 + stride, *x3 = x2 + stride, *x4 = x3 + stride;
    const float *x5 = x4 + stride, *x6 = x5 + stride, *x7 = x6 + stride;
    for (int64_t i = 0; i < n; ++i) {
      const float s = ((x0[i] + x1[i]) + (x2[i] + x3[i])) + ((x4[i] + x5[i]) + (x6[i] + x7[i]));
      acc[i] += static_cast<double>(s);
    }
  }
  for (; r < rows; ++r) {
    const float* row = x + r * stride;
    for (int64_t i = 0; i < n; ++i) acc[i] += static_cast<double>(row[i]);
  }
}

MINITORCH_CLONES void axpy(int64_t n, float alpha, const float* x, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

MINITORCH_CLONES void axpy(int64_t n, double alpha, const double* x, double* y) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

MINITORCH_CLONES void scale(int64_t n, float alpha, const float* x, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = alpha * x[i];
}

MINITORCH_CLONES void scale(int64_t n, double alpha, const double* x, double* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = alpha * x[i];
}

}  // namespace minitorch::fast
