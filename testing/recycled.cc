#include "testing/recycled.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

// Its macros do nothing in a build without ASan.
#include <sanitizer/asan_interface.h>

namespace minitorch::testing {
namespace {

// Blocks come in powers of two from 256 bytes, so a released block serves
// any later request of its class.
constexpr int kSmallestClass = 8;
constexpr int kClasses = 48;
// What a thread keeps at most: a judged program's arrays fit many times
// over; beyond it blocks go back to the allocator.
constexpr std::size_t kMostKept = std::size_t{256} << 20;

int class_of(std::size_t bytes) {
  return std::max(kSmallestClass,
                  static_cast<int>(std::bit_width(std::max<std::size_t>(bytes, 1) - 1)));
}
std::size_t class_size(int c) { return std::size_t{1} << c; }

// Back to the allocator, readable again as it expects.
void release(void* block, int c) noexcept {
  ASAN_UNPOISON_MEMORY_REGION(block, class_size(c));
  ::operator delete(block);
}

// Set when the thread's cache is destroyed (at its exit): an array released
// after that goes straight back to the allocator. Trivially destructible,
// so it can be read throughout.
thread_local bool cache_destroyed = false;

class BlockCache {
 public:
  BlockCache() = default;
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;
  ~BlockCache() {
    cache_destroyed = true;
    for (int c = 0; c < kClasses; ++c) {
      for (void* block : free_[c]) release(block, c);
    }
  }

  void* take(std::size_t bytes) {
    const int c = class_of(bytes);
    if (c >= kClasses) throw std::bad_alloc();
    const std::size_t size = class_size(c);
    void* block;
    if (free_[c].empty()) {
      block = ::operator new(size);
    } else {
      block = free_[c].back();
      free_[c].pop_back();
      kept_ -= size;
    }
    ASAN_UNPOISON_MEMORY_REGION(block, bytes);
    ASAN_POISON_MEMORY_REGION(static_cast<char*>(block) + bytes, size - bytes);
    return block;
  }

  void give(void* block, std::size_t bytes) noexcept {
    const int c = class_of(bytes);
    const std::size_t size = class_size(c);
    if (kept_ + size > kMostKept) {
      release(block, c);
      return;
    }
    try {
      free_[c].push_back(block);
    } catch (...) {
      release(block, c);
      return;
    }
    kept_ += size;
    ASAN_POISON_MEMORY_REGION(block, size);
  }

 private:
  std::vector<void*> free_[kClasses];
  std::size_t kept_ = 0;
};

BlockCache& cache() {
  thread_local BlockCache blocks;
  return blocks;
}

}  // namespace

void* take_block(std::size_t bytes) {
  if (cache_destroyed) return ::operator new(class_size(class_of(bytes)));
  return cache().take(bytes);
}

void give_block(void* block, std::size_t bytes) noexcept {
  if (cache_destroyed) {
    release(block, class_of(bytes));
    return;
  }
  cache().give(block, bytes);
}

}  // namespace minitorch::testing
