// Plain reference implementations of every op, for forward-value tests.
//
// They share no code with the library: arrays are (shape, row-major values)
// and every op walks multi-indices with textbook loops, so a bug in the
// library's strides, broadcasting or kernels cannot hide in both.
#ifndef MINITORCH_TESTING_REFERENCE_H_
#define MINITORCH_TESTING_REFERENCE_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "minitorch/minitorch.h"

namespace minitorch::testing {

struct RefArray {
  std::vector<int64_t> shape;
  std::vector<double> values;  // row-major
};

RefArray to_ref(const Tensor& t);

using Unary = std::function<double(double)>;
using Binary = std::function<double(double, double)>;

RefArray ref_unary(const RefArray& a, const Unary& f);
// NumPy broadcasting, written out index by index.
RefArray ref_binary(const RefArray& a, const RefArray& b, const Binary& f);
// Folds the dims in `dims` (empty: all) with `f` from `init`; `finish` maps
// (accumulated value, count of reduced elements) to the result.
RefArray ref_reduce(const RefArray& a, std::vector<int64_t> dims, bool keepdim, double init,
                    const Binary& f, const Binary& finish);
RefArray ref_logsumexp(const RefArray& a, std::vector<int64_t> dims, bool keepdim);
RefArray ref_matmul(const RefArray& a, const RefArray& b);
RefArray ref_permute(const RefArray& a, const std::vector<int64_t>& dims);
RefArray ref_expand(const RefArray& a, const std::vector<int64_t>& shape);
RefArray ref_softmax(const RefArray& a, int64_t dim, bool log);
// Mean cross-entropy; `target` holds class indices (shape (N,)) or
// probabilities (logits' shape).
RefArray ref_cross_entropy(const RefArray& logits, const RefArray& target, bool class_target);

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTING_REFERENCE_H_
