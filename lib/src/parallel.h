// Splitting one op's work over the calling thread and its helper threads
// (the count is the caller's set_num_threads).
#ifndef MINITORCH_SRC_PARALLEL_H_
#define MINITORCH_SRC_PARALLEL_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "minitorch/threads.h"

namespace minitorch {

// The default of set_parallel_grain (threads.h): elements below which
// splitting costs more than it saves. Waking a helper costs microseconds, a
// chunk of this many float32 elements takes tens.
inline constexpr int64_t kDefaultParallelGrain = int64_t{1} << 16;

// Calls fn(begin, end) on disjoint ranges covering [0, n), each of at least
// `grain` indices unless n itself is smaller, on the calling thread and its
// helpers; returns when all are done. fn must not throw. Nested calls (from
// inside fn) run serially.
void parallel_for(int64_t n, int64_t grain, absl::FunctionRef<void(int64_t, int64_t)> fn);

}  // namespace minitorch

#endif  // MINITORCH_SRC_PARALLEL_H_
