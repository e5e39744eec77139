// Intra-op parallelism: how many threads one op may split its work over.
#ifndef MINITORCH_THREADS_H_
#define MINITORCH_THREADS_H_

#include <cstdint>

namespace minitorch {

// Sets, for the calling thread only, how many threads the ops it calls may
// use: itself plus n - 1 helper threads it owns (started on first use,
// kept asleep when the setting is lowered, joined when the calling thread
// exits). The default is 1. Elementwise ops,
// reductions over some dims, softmax and log_softmax split their outputs
// into disjoint ranges, so results are bitwise the same for every n; sums
// over all elements and cross_entropy stay on the calling thread. float32
// matrix products split by tiles of the result over these threads too;
// float64 ones follow OpenBLAS's own process-wide setting
// (OPENBLAS_NUM_THREADS or openblas_set_num_threads), not this one.
// Throws Error for n < 1.
void set_num_threads(int n);

// The calling thread's setting.
int get_num_threads();

// Sets, for the calling thread only, the fewest elements an op hands one
// thread (default 32768, chosen by measurement: an op of fewer than twice
// that many elements gains less from a second thread than waking it costs). Tests and fuzzers set a
// grain of a few elements so that small tensors split too and every chunk boundary of the parallel
// kernels is exercised; results stay bitwise the same. Throws Error for
// elements < 1.
void set_parallel_grain(int64_t elements);

// The calling thread's grain.
int64_t get_parallel_grain();

}  // namespace minitorch

#endif  // MINITORCH_THREADS_H_
