// Random tensors: the global generator (manual_seed) and seeded draws.
//
// Every draw is specified bit for bit, so a seed gives the same values on
// every platform (the std:: distributions are not): uniforms from the
// engine's top 53 bits, normals by Box-Muller on those, bounded integers by
// rejection.
#include <cmath>
#include <limits>
#include <mutex>
#include <random>
#include <vector>

#include "check.h"
#include "kernels/elementwise.h"
#include "minitorch/ops.h"
#include "tensor_impl.h"

namespace minitorch {

namespace {

// The seed LibTorch's default CPU generator starts from.
constexpr uint64_t kDefaultSeed = 67280421310721ULL;

// One engine for the process, as LibTorch's default generator: layers built
// one after another draw different weights, and manual_seed makes the whole
// sequence reproducible. The mutex keeps draws from several threads whole.
struct GlobalGenerator {
  std::mutex mutex;
  std::mt19937_64 engine{kDefaultSeed};
};

GlobalGenerator& global_generator() {
  static GlobalGenerator generator;
  return generator;
}

// Runs draw(engine) on the global engine, locked for the whole tensor.
template <class Draw>
Tensor from_global_engine(Draw draw) {
  GlobalGenerator& generator = global_generator();
  const std::lock_guard<std::mutex> lock(generator.mutex);
  return draw(generator.engine);
}

double uniform01(std::mt19937_64& engine) {
  return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

double standard_normal(std::mt19937_64& engine) {
  const double u1 = 1.0 - uniform01(engine);  // (0, 1]: log stays finite
  const double u2 = uniform01(engine);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// Uniform in [0, bound), bound > 0. Draws at or above the largest multiple
// of bound are redrawn, so every residue is equally likely.
uint64_t uniform_below(std::mt19937_64& engine, uint64_t bound) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const uint64_t limit = kMax - kMax % bound;
  uint64_t x = engine();
  while (x >= limit) x = engine();
  return x % bound;
}

// A tensor of `shape` filled by draw(), in row-major order. Allocated (and
// so checked against the ceiling) before any value is drawn.
template <class Draw>
Tensor filled_by(const Shape& shape, DType dtype, const char* op, Draw draw) {
  Tensor out = empty(shape, dtype, op);
  dispatch_all(dtype, [&]<class T>() {
    T* p = out.impl()->data<T>();
    const int64_t n = out.numel();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(draw());
    return 0;
  });
  return out;
}

void check_floating(DType dtype, const char* op) {
  MT_CHECK(is_floating(dtype), op, ": dtype must be float32 or float64, got ", dtype_name(dtype));
}

Tensor rand_from(std::mt19937_64& engine, const Shape& shape, DType dtype) {
  check_floating(dtype, "rand");
  return filled_by(shape, dtype, "rand", [&] { return uniform01(engine); });
}

Tensor randn_from(std::mt19937_64& engine, const Shape& shape, DType dtype) {
  check_floating(dtype, "randn");
  return filled_by(shape, dtype, "randn", [&] { return standard_normal(engine); });
}

// Whether the dtype holds every integer in [low, high] exactly.
bool holds_exactly(DType dtype, int64_t low, int64_t high) {
  if (dtype == kInt64) return true;
  if (dtype == kBool) return low >= 0 && high <= 1;
  const int64_t largest = dtype == kFloat32 ? int64_t{1} << 24 : int64_t{1} << 53;
  return low >= -largest && high <= largest;
}

}  // namespace

void manual_seed(uint64_t seed) {
  GlobalGenerator& generator = global_generator();
  const std::lock_guard<std::mutex> lock(generator.mutex);
  generator.engine.seed(seed);
}

Tensor rand(Shape shape, uint64_t seed, DType dtype) {
  std::mt19937_64 engine(seed);
  return rand_from(engine, shape, dtype);
}

Tensor randn(Shape shape, uint64_t seed, DType dtype) {
  std::mt19937_64 engine(seed);
  return randn_from(engine, shape, dtype);
}

Tensor rand(Shape shape, DType dtype) {
  return from_global_engine(
      [&](std::mt19937_64& engine) { return rand_from(engine, shape, dtype); });
}

Tensor randn(Shape shape, DType dtype) {
  return from_global_engine(
      [&](std::mt19937_64& engine) { return randn_from(engine, shape, dtype); });
}

Tensor randint(int64_t low, int64_t high, Shape shape, DType dtype) {
  MT_CHECK(low < high, "randint: low (", low, ") must be less than high (", high, ")");
  MT_CHECK(holds_exactly(dtype, low, high - 1), "randint: [", low, ", ", high,
           ") is not exactly representable in ", dtype_name(dtype));
  // high - low may exceed int64's range; as unsigned it is exact.
  const uint64_t span = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  return from_global_engine([&](std::mt19937_64& engine) {
    return filled_by(shape, dtype, "randint", [&] {
      return static_cast<int64_t>(static_cast<uint64_t>(low) + uniform_below(engine, span));
    });
  });
}

Tensor randint(int64_t high, Shape shape, DType dtype) { return randint(0, high, shape, dtype); }

Tensor randperm(int64_t n, DType dtype) {
  MT_CHECK(n >= 0, "randperm: n must be >= 0, got ", n);
  MT_CHECK(holds_exactly(dtype, 0, n - 1), "randperm: n = ", n,
           " is too large for the indices to be exact in ", dtype_name(dtype));
  return from_global_engine([&](std::mt19937_64& engine) {
    Tensor out = empty({n}, dtype, "randperm");
    // Fisher-Yates: position i takes a uniform pick among the first i + 1.
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
    for (int64_t i = n - 1; i > 0; --i) {
      const auto j = static_cast<int64_t>(uniform_below(engine, static_cast<uint64_t>(i) + 1));
      std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
    dispatch_all(dtype, [&]<class T>() {
      T* p = out.impl()->data<T>();
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(order[static_cast<size_t>(i)]);
      return 0;
    });
    return out;
  });
}

}  // namespace minitorch
