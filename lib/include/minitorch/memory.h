// Memory limits: a ceiling on the bytes one tensor may allocate.
//
// A shape whose data would exceed the ceiling makes the op throw Error
// before anything is allocated, so a hostile or mistaken shape cannot take
// the process down. The ceiling is per thread (like grad mode) and defaults
// to kDefaultMaxTensorBytes; MaxTensorBytesGuard changes it for a scope.
//
// Example:
//   {
//     minitorch::MaxTensorBytesGuard limit(1 << 20);   // 1 MiB per tensor here
//     minitorch::zeros({1024, 1024});                  // throws: 8 MiB
//   }
#ifndef MINITORCH_MEMORY_H_
#define MINITORCH_MEMORY_H_

#include <cstddef>

namespace minitorch {

inline constexpr size_t kDefaultMaxTensorBytes = size_t{1} << 40;  // 1 TiB

// The current thread's ceiling, in bytes.
size_t max_tensor_bytes();

// Tensor buffers created in this process so far, and their bytes: a
// diagnostic (relaxed atomic counters) for measuring allocations per step.
struct AllocationStats {
  int64_t buffers = 0;
  int64_t bytes = 0;
};
AllocationStats allocation_stats();

class MaxTensorBytesGuard {
 public:
  explicit MaxTensorBytesGuard(size_t max_bytes);
  ~MaxTensorBytesGuard();
  MaxTensorBytesGuard(const MaxTensorBytesGuard&) = delete;
  MaxTensorBytesGuard& operator=(const MaxTensorBytesGuard&) = delete;

 private:
  size_t previous_;
};

}  // namespace minitorch

#endif  // MINITORCH_MEMORY_H_
