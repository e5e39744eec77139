// fuzz_api: arbitrary, mostly invalid, calls of the public API. Every call
// must return or throw minitorch::Error: any other exception, a crash, a
// sanitizer report, a leak or an unbounded allocation is a bug.
//
// Fields after the version byte (see decoder.h):
//   calls    in_range(1, 8), then for each call:
//     kind     in_range(0, 39): which API function (see the switch)
//     operands in_range(0, 255) each, modulo the pool of tensors made so far
//              (the pool starts with float64, float32, int64, 0-dim, empty
//              and undefined tensors)
//     args     dims as in_range(-6, 5); shapes as a count in_range(0, 5) then
//              dims, each in_range(0, 255) mapped to -1, 0..6 or a huge value
//              (2^20 .. 2^62) so that element counts overflow; doubles via
//              value(kRaw)
// Tensors of more than 2^16 elements are not kept in the pool, and each
// tensor may allocate at most 64 MiB, so no call grows without bound.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>

#include "fuzz/decoder.h"
#include "minitorch/minitorch.h"

namespace {

using minitorch::Shape;
using minitorch::Tensor;

constexpr size_t kMaxTensorBytes = size_t{64} << 20;
constexpr int64_t kMaxPoolElements = int64_t{1} << 16;

int64_t read_dim(minitorch::fuzz::ByteReader& in) {
  const int64_t b = in.byte();
  if (b < 8) return b - 1;               // -1 .. 6
  if (b < 200) return b % 7;             // mostly small
  return int64_t{1} << (20 + (b - 200) % 43);  // 2^20 .. 2^62
}

std::vector<int64_t> read_list(minitorch::fuzz::ByteReader& in) {
  std::vector<int64_t> dims(static_cast<size_t>(in.in_range(0, 5)));
  for (int64_t& d : dims) d = read_dim(in);
  return dims;
}

std::vector<int64_t> read_axes(minitorch::fuzz::ByteReader& in) {
  std::vector<int64_t> dims(static_cast<size_t>(in.in_range(0, 4)));
  for (int64_t& d : dims) d = in.in_range(-6, 5);
  return dims;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = minitorch::fuzz::ByteReader::Open({data, size});
  if (!reader.ok()) return -1;
  minitorch::fuzz::ByteReader& in = *reader;
  minitorch::MaxTensorBytesGuard limit(kMaxTensorBytes);

  std::vector<Tensor> pool = {
      minitorch::randn({2, 3}, 1),
      minitorch::randn({3}, 2, minitorch::kFloat32),
      minitorch::tensor({0, 2, 1}, {3}, minitorch::kInt64),
      minitorch::scalar_tensor(1.5),
      minitorch::zeros({0, 3}),
      Tensor(),
      minitorch::randn({2, 3}, 3).requires_grad_(),
  };
  const int64_t calls = in.in_range(1, 8);
  for (int64_t c = 0; c < calls; ++c) {
    const int64_t kind = in.in_range(0, 39);
    const Tensor& a = pool[static_cast<size_t>(in.in_range(0, 255)) % pool.size()];
    const Tensor& b = pool[static_cast<size_t>(in.in_range(0, 255)) % pool.size()];
    const int64_t d0 = in.in_range(-6, 5), d1 = in.in_range(-6, 5);
    const bool flag = in.flag();
    Tensor result;
    try {
      switch (kind) {
        case 0: result = minitorch::zeros(read_list(in), flag ? minitorch::kFloat32 : minitorch::kFloat64); break;
        case 1: result = minitorch::full(read_list(in), in.value(minitorch::fuzz::ValueMode::kRaw)); break;
        case 2: {
          const std::vector<int64_t> shape = read_list(in);
          std::vector<double> values(static_cast<size_t>(in.in_range(0, 12)));
          for (double& v : values) v = in.value(minitorch::fuzz::ValueMode::kRaw);
          result = minitorch::tensor(values, shape, flag ? minitorch::kInt64 : minitorch::kFloat64);
          break;
        }
        case 3: result = minitorch::randn(read_list(in), 7, flag ? minitorch::kInt64 : minitorch::kFloat32); break;
        case 4: result = a + b; break;
        case 5: result = a - b; break;
        case 6: result = a * b; break;
        case 7: result = a / b; break;
        case 8: result = minitorch::pow(a, b); break;
        case 9: result = minitorch::maximum(a, b); break;
        case 10: result = minitorch::minimum(a, b); break;
        case 11: result = minitorch::pow(a, in.value(minitorch::fuzz::ValueMode::kRaw)); break;
        case 12: result = minitorch::exp(flag ? -a : minitorch::log(a)); break;
        case 13: result = minitorch::sqrt(minitorch::abs(a)).tanh().sigmoid().relu(); break;
        case 14: result = minitorch::clamp(a, flag ? std::optional<double>(d0) : std::nullopt,
                                           in.flag() ? std::optional<double>(d1) : std::nullopt); break;
        case 15: result = minitorch::sum(a, read_axes(in), flag); break;
        case 16: result = minitorch::mean(a, read_axes(in), flag); break;
        case 17: result = minitorch::amax(a, read_axes(in), flag); break;
        case 18: result = minitorch::logsumexp(a, read_axes(in), flag); break;
        case 19: result = minitorch::matmul(a, b); break;
        case 20: result = minitorch::reshape(a, read_list(in)); break;
        case 21: result = minitorch::transpose(a, d0, d1); break;
        case 22: result = minitorch::permute(a, read_axes(in)); break;
        case 23: result = minitorch::expand(a, read_list(in)); break;
        case 24: result = flag ? minitorch::squeeze(a) : minitorch::squeeze(a, d0); break;
        case 25: result = minitorch::unsqueeze(a, d0); break;
        case 26: result = minitorch::softmax(a, d0); break;
        case 27: result = minitorch::log_softmax(a, d0); break;
        case 28: result = minitorch::cross_entropy(a, b); break;
        case 29: result = minitorch::where(a, b, pool[0]); break;
        case 30: result = a.to(static_cast<minitorch::DType>(in.in_range(0, 2))); break;
        case 31: (void)a.item(); break;
        case 32: a.sum().backward(); break;
        case 33: a.backward(b, flag); break;
        case 34: {
          Tensor t = a;
          t.requires_grad_(flag);
          break;
        }
        case 35: {
          Tensor t = a;
          if (flag) {
            minitorch::NoGradGuard no_grad;
            t.add_(b, in.value(minitorch::fuzz::ValueMode::kSmall));
          } else {
            t.copy_(b);
          }
          break;
        }
        case 36: {
          Tensor t = a;
          t.mul_(b);
          t.zero_();
          break;
        }
        case 37: (void)minitorch::grad(a, {b}); break;
        case 38: (void)a.to_vector(); (void)a.to_string(); (void)a.size(d0); break;
        default: {
          minitorch::GradcheckOptions options;
          options.error_bounded = flag;
          (void)minitorch::gradcheck([](const std::vector<Tensor>& x) { return minitorch::tanh(x[0]); },
                                     {a}, options);
          break;
        }
      }
    } catch (const minitorch::Error&) {
      continue;  // the expected outcome of a bad call
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fuzz_api: call kind %lld threw a non-minitorch exception: %s\n",
                   static_cast<long long>(kind), e.what());
      std::abort();
    }
    if (result.defined() && result.numel() <= kMaxPoolElements) pool.push_back(result);
  }
  return 0;
}
