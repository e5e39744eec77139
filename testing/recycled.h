// Storage the reference AD reuses. A reference run over dual numbers
// allocates an array per step and per operand it reads, of elements hundreds
// of bytes wide (Dual<long double, 16> is about 800), and the verdict makes
// several runs per input. From the allocator each array is a fresh block:
// under ASan one with a stack trace recorded, a quarantine on its release,
// and, above ASan's size classes, pages mapped and faulted in anew: a large
// share of the cost of judging an input (docs/design.md, "Fuzz
// throughput"). Recycled<T> keeps the calling thread's released blocks by
// size class and hands them out again.
//
// Kept blocks stay poisoned for ASan (a read of a released array is still
// reported), as does a block's tail beyond the size asked for.
#ifndef MINITORCH_TESTING_RECYCLED_H_
#define MINITORCH_TESTING_RECYCLED_H_

#include <cstddef>
#include <new>

namespace minitorch::testing {

// A block of at least `bytes` (aligned as operator new aligns), and its
// release; `bytes` must be the same at both.
void* take_block(std::size_t bytes);
void give_block(void* block, std::size_t bytes) noexcept;

template <class T>
struct Recycled {
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  using value_type = T;

  Recycled() = default;
  template <class U>
  Recycled(const Recycled<U>& /*other*/) {}  // NOLINT(google-explicit-constructor): rebinding

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(take_block(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { give_block(p, n * sizeof(T)); }

  template <class U>
  bool operator==(const Recycled<U>& /*other*/) const {
    return true;
  }
};

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTING_RECYCLED_H_
