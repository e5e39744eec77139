// Element types of minitorch tensors.
//
// kFloat32 and kFloat64 are differentiable; kInt64 holds class indices and
// other index tensors, kBool the results of comparisons (one byte each); they
// never require grad.
//
// Example:
//   minitorch::Tensor x = minitorch::zeros({2, 3}, minitorch::kFloat32);
//   assert(x.dtype() == minitorch::kFloat32);
#ifndef MINITORCH_DTYPE_H_
#define MINITORCH_DTYPE_H_

#include <cstddef>
#include <cstdint>
#include <ostream>

namespace minitorch {

enum class DType : uint8_t { kFloat32, kFloat64, kInt64, kBool };

inline constexpr DType kFloat32 = DType::kFloat32;
inline constexpr DType kFloat64 = DType::kFloat64;
inline constexpr DType kInt64 = DType::kInt64;
inline constexpr DType kBool = DType::kBool;

// "float32", "float64", "int64" or "bool".
const char* dtype_name(DType dtype);

// Bytes per element.
size_t element_size(DType dtype);

// True for the differentiable dtypes.
inline bool is_floating(DType dtype) {
  return dtype == DType::kFloat32 || dtype == DType::kFloat64;
}

std::ostream& operator<<(std::ostream& os, DType dtype);

}  // namespace minitorch

#endif  // MINITORCH_DTYPE_H_
