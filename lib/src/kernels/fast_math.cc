// Array kernels of fast_math.h, one clone per instruction set.
#include "kernels/fast_math.h"

namespace minitorch::fast {

MINITORCH_CLONES void exp_array(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = exp(x[i]);
}

MINITORCH_CLONES void tanh_array(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = tanh(x[i]);
}

MINITORCH_CLONES void sigmoid_array(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = sigmoid(x[i]);
}

}  // namespace minitorch::fast
