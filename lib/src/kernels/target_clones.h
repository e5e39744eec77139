// Functions compiled for AVX-512, AVX2 and the baseline, the best picked
// at load time (GCC/clang target_clones), so the portable build still runs
// wide on capable CPUs.
#ifndef MINITORCH_SRC_KERNELS_TARGET_CLONES_H_
#define MINITORCH_SRC_KERNELS_TARGET_CLONES_H_

#ifndef __has_feature
#define __has_feature(x) 0
#endif

// Clones are made on x86 and not under sanitizers (their runtimes and ifunc
// resolution do not mix).
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && \
    !__has_feature(address_sanitizer) && !__has_feature(thread_sanitizer)
#define MINITORCH_CLONE_TARGETS target_clones("avx512f", "avx2", "default")
#endif

// Marks a kernel to be compiled for AVX-512, AVX2 and the baseline.
#ifdef MINITORCH_CLONE_TARGETS
#define MINITORCH_CLONES __attribute__((MINITORCH_CLONE_TARGETS))
#else
#define MINITORCH_CLONES
#endif

// The same for the function templates that run an op's scalar functor over
// a row, which GCC multiversions and clang 14 does not (there they stay
// baseline code). They never contract a * b + c into a fused multiply-add,
// which the AVX-512 clone would otherwise do: an op rounds as its baseline
// code does, so every CPU gets the same bits as the sanitizer builds the
// fuzzers judge (tanh's backward, 1 - y * y, moved 27 ulp with an FMA).
#if defined(MINITORCH_CLONE_TARGETS) && defined(__GNUC__) && !defined(__clang__)
#define MINITORCH_TEMPLATE_CLONES \
  __attribute__((MINITORCH_CLONE_TARGETS, optimize("fp-contract=off")))
#else
#define MINITORCH_TEMPLATE_CLONES
#endif

#endif  // MINITORCH_SRC_KERNELS_TARGET_CLONES_H_
