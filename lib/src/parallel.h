// Splitting one op's work over the calling thread and its helper threads
// (the count is the caller's set_num_threads).
#ifndef MINITORCH_SRC_PARALLEL_H_
#define MINITORCH_SRC_PARALLEL_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "minitorch/threads.h"

namespace minitorch {

// The default of set_parallel_grain (threads.h): an op splits once every
// thread gets this many elements. Measured on 2 cores (float32 add, exp
// and a sum over rows of 256, alone and split in two): add and the sum
// lose when 32768 elements split (1.7 -> 2.3 us), all three win from 65536
// (add 4.6 -> 2.5 us, exp 13.4 -> 7.7 us, sum 3.8 -> 3.2 us).
inline constexpr int64_t kDefaultParallelGrain = int64_t{1} << 15;

// Calls fn(begin, end) on disjoint ranges covering [0, n), each of at least
// `grain` indices unless n itself is smaller, on the calling thread and its
// helpers; returns when all are done. fn must not throw. Nested calls (from
// inside fn) run serially.
void parallel_for(int64_t n, int64_t grain, absl::FunctionRef<void(int64_t, int64_t)> fn);

}  // namespace minitorch

#endif  // MINITORCH_SRC_PARALLEL_H_
