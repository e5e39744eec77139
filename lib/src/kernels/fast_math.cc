// Array kernels of fast_math.h, one clone per instruction set.
#include "kernels/fast_math.h"

#include <algorithm>

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
  map_array<exp_into<Vector<float>, IntVector>, exp_into<float, int32_t>>(x, y, n);
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
  // than kRound terms.
  using Wide = double __attribute__((vector_size(128)));  // a Vector<float>, widened
  constexpr int64_t w = kLanes<float>;
  constexpr int64_t kRound = 8;
  Wide total = {};
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
    for (const Vector<float>& partial : acc) total += __builtin_convertvector(partial, Wide);
  }
  for (; k + w <= n; k += w) {
    Vector<float> v;
    load(v, x + k);
    total += __builtin_convertvector(v, Wide);
  }
  double sum = 0;
  for (int64_t l = 0; l < w; ++l) sum += total[l];
  for (; k < n; ++k) sum += x[k];
  return sum;
}

MINITORCH_CLONES void accumulate_in_double(const float* x, double* acc, int64_t n) {
  for (int64_t i = 0; i < n; ++i) acc[i] += static_cast<double>(x[i]);
}

MINITORCH_CLONES void axpy(int64_t n, float alpha, const float* x, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

MINITORCH_CLONES void axpy(int64_t n, double alpha, const double* x, double* y) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

}  // namespace minitorch::fast
