// fuzz_api: arbitrary, mostly invalid, calls of the public API. Every call
// must return or throw minitorch::Error: any other exception, a crash, a
// sanitizer report, a leak or an unbounded allocation is a bug.
//
// Fields after the version byte (see decoder.h):
//   calls    in_range(1, 8), then for each call:
//     kind     one byte: a Call (below), modulo 64 (version 1: modulo 40);
//              a value without a Call skips the call after its operands
//     operands in_range(0, 255) each, modulo the pool of tensors made so far
//              (the pool starts with float64, float32, int64, 0-dim, empty
//              and undefined tensors)
//     args     for kTableOp: op(36), then the op's parameters as
//              call_reader.h reads them; otherwise
//              dims as in_range(-6, 5); shapes as a count in_range(0, 5) then
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
#include <optional>
#include <sstream>

#include "fuzz/call_reader.h"
#include "fuzz/decoder.h"
#include "minitorch/minitorch.h"

namespace {

using minitorch::Shape;
using minitorch::Tensor;

constexpr size_t kMaxTensorBytes = size_t{64} << 20;
constexpr int64_t kMaxPoolElements = int64_t{1} << 16;
// The largest input of a gradcheck call: two forward passes per element.
constexpr int64_t kMaxGradcheckElements = 256;

int64_t read_dim(minitorch::fuzz::ByteReader& in) {
  const int64_t b = in.byte();
  if (b < 8) return b - 1;                     // -1 .. 6
  if (b < 200) return b % 7;                   // mostly small
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

// What a call does. Values are the kind byte's meaning: explicit and
// append-only, so corpus files keep their meaning as kinds are added.
enum class Call : uint8_t {
  kZeros = 0,
  kFull = 1,
  kTensorFromValues = 2,
  kRandn = 3,
  kAdd = 4,
  kSub = 5,
  kMul = 6,
  kDiv = 7,
  kPow = 8,
  kMaximum = 9,
  kMinimum = 10,
  kPowScalar = 11,
  kExpOrLog = 12,
  kUnaryChain = 13,
  kClamp = 14,
  kSum = 15,
  kMean = 16,
  kAmax = 17,
  kLogsumexp = 18,
  kMatmul = 19,
  kReshape = 20,
  kTranspose = 21,
  kPermute = 22,
  kExpand = 23,
  kSqueeze = 24,
  kUnsqueeze = 25,
  kSoftmax = 26,
  kLogSoftmax = 27,
  kCrossEntropy = 28,
  kWhere = 29,
  kTo = 30,
  kItem = 31,
  kSumBackward = 32,
  kBackwardWithGrad = 33,
  kRequiresGrad = 34,
  kAddOrCopyInPlace = 35,
  kMulZeroInPlace = 36,
  kGrad = 37,
  kInspect = 38,
  kGradcheck = 39,
  kTableOp = 40,  // any op of the op table by its fuzz code, via run_call
  kView = 41,
  kRandint = 42,
  kRandperm = 43,
  kGlobalRandn = 44,  // randn or rand from the global generator, after manual_seed
  kCompare = 45,      // eq ... ge, logical_and / logical_or by d0
  kIndexReduce = 46,  // argmax, argmin, any, all, integer sum by d1; dim d0 if flag
  kTopk = 47,         // topk(a, k, d0, largest if flag), then max and min along d0
  kPrint = 48,        // print(a) at a line width read from a byte
};
// Kinds when the format had version 1: version-1 inputs read the kind byte
// modulo this; later versions read it modulo kCallSpace (a value without a kind
// skips the call).
constexpr int kVersion1Calls = 40;
constexpr int kCallSpace = 64;
constexpr int kVersion1Ops = 36;

std::optional<Call> read_kind(minitorch::fuzz::ByteReader& in) {
  const int b = in.byte();
  const int kind = in.version() == 1 ? b % kVersion1Calls : b % kCallSpace;
  if (kind > static_cast<int>(Call::kPrint)) return std::nullopt;
  return static_cast<Call>(kind);
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
    const std::optional<Call> kind = read_kind(in);
    const Tensor& a = pool[static_cast<size_t>(in.in_range(0, 255)) % pool.size()];
    const Tensor& b = pool[static_cast<size_t>(in.in_range(0, 255)) % pool.size()];
    const int64_t d0 = in.in_range(-6, 5), d1 = in.in_range(-6, 5);
    const bool flag = in.flag();
    if (!kind) continue;
    Tensor result;
    try {
      switch (*kind) {
        case Call::kZeros:
          result =
              minitorch::zeros(read_list(in), flag ? minitorch::kFloat32 : minitorch::kFloat64);
          break;
        case Call::kFull:
          result = minitorch::full(read_list(in), in.value(minitorch::fuzz::ValueMode::kRaw));
          break;
        case Call::kTensorFromValues: {
          const std::vector<int64_t> shape = read_list(in);
          std::vector<double> values(static_cast<size_t>(in.in_range(0, 12)));
          for (double& v : values) v = in.value(minitorch::fuzz::ValueMode::kRaw);
          result = minitorch::tensor(values, shape, flag ? minitorch::kInt64 : minitorch::kFloat64);
          break;
        }
        case Call::kRandn:
          result =
              minitorch::randn(read_list(in), 7, flag ? minitorch::kInt64 : minitorch::kFloat32);
          break;
        case Call::kAdd:
          result = a + b;
          break;
        case Call::kSub:
          result = a - b;
          break;
        case Call::kMul:
          result = a * b;
          break;
        case Call::kDiv:
          result = a / b;
          break;
        case Call::kPow:
          result = minitorch::pow(a, b);
          break;
        case Call::kMaximum:
          result = minitorch::maximum(a, b);
          break;
        case Call::kMinimum:
          result = minitorch::minimum(a, b);
          break;
        case Call::kPowScalar:
          result = minitorch::pow(a, in.value(minitorch::fuzz::ValueMode::kRaw));
          break;
        case Call::kExpOrLog:
          result = minitorch::exp(flag ? -a : minitorch::log(a));
          break;
        case Call::kUnaryChain:
          result = minitorch::sqrt(minitorch::abs(a)).tanh().sigmoid().relu();
          break;
        case Call::kClamp:
          result = minitorch::clamp(a, flag ? std::optional<double>(d0) : std::nullopt,
                                    in.flag() ? std::optional<double>(d1) : std::nullopt);
          break;
        case Call::kSum:
          result = minitorch::sum(a, read_axes(in), flag);
          break;
        case Call::kMean:
          result = minitorch::mean(a, read_axes(in), flag);
          break;
        case Call::kAmax:
          result = minitorch::amax(a, read_axes(in), flag);
          break;
        case Call::kLogsumexp:
          result = minitorch::logsumexp(a, read_axes(in), flag);
          break;
        case Call::kMatmul:
          result = minitorch::matmul(a, b);
          break;
        case Call::kReshape:
          result = minitorch::reshape(a, read_list(in));
          break;
        case Call::kView:
          result = a.view(read_list(in));
          break;
        case Call::kRandint:
          result =
              minitorch::randint(d0 * in.in_range(0, 255), d1 * in.in_range(0, 255), read_list(in),
                                 flag ? minitorch::kFloat32 : minitorch::kInt64);
          break;
        case Call::kRandperm:
          result = minitorch::randperm(d0 * in.in_range(0, 255),
                                       flag ? minitorch::kFloat32 : minitorch::kInt64);
          break;
        case Call::kGlobalRandn:
          minitorch::manual_seed(static_cast<uint64_t>(d1));
          result = flag ? minitorch::randn(read_list(in)) : minitorch::rand(read_list(in));
          break;
        case Call::kCompare: {
          using Compare = Tensor (*)(const Tensor&, const Tensor&);
          static constexpr Compare kCompares[] = {
              minitorch::eq, minitorch::ne,          minitorch::lt,         minitorch::le,
              minitorch::gt, minitorch::logical_and, minitorch::logical_or, minitorch::ge};
          result = kCompares[(d0 + 6) % 8](a, flag ? minitorch::logical_not(b) : b);
          break;
        }
        case Call::kIndexReduce: {
          const std::optional<int64_t> dim = flag ? std::optional<int64_t>(d0) : std::nullopt;
          const bool keepdim = in.flag();
          switch ((d1 + 6) % 5) {
            case 0:
              result = minitorch::argmax(a, dim, keepdim);
              break;
            case 1:
              result = minitorch::argmin(a, dim, keepdim);
              break;
            case 2:
              result = dim ? minitorch::any(a, *dim, keepdim) : minitorch::any(a);
              break;
            case 3:
              result = dim ? minitorch::all(a, *dim, keepdim) : minitorch::all(a);
              break;
            default:
              result = dim ? minitorch::sum(a, {*dim}, keepdim) : minitorch::sum(a);
              break;
          }
          break;
        }
        case Call::kTranspose:
          result = minitorch::transpose(a, d0, d1);
          break;
        case Call::kPermute:
          result = minitorch::permute(a, read_axes(in));
          break;
        case Call::kExpand:
          result = minitorch::expand(a, read_list(in));
          break;
        case Call::kSqueeze:
          result = flag ? minitorch::squeeze(a) : minitorch::squeeze(a, d0);
          break;
        case Call::kUnsqueeze:
          result = minitorch::unsqueeze(a, d0);
          break;
        case Call::kSoftmax:
          result = minitorch::softmax(a, d0);
          break;
        case Call::kLogSoftmax:
          result = minitorch::log_softmax(a, d0);
          break;
        case Call::kCrossEntropy:
          result = minitorch::cross_entropy(a, b);
          break;
        case Call::kWhere:
          result = minitorch::where(a, b, pool[0]);
          break;
        case Call::kTo:
          result = a.to(static_cast<minitorch::DType>(in.in_range(0, 2)));
          break;
        case Call::kItem:
          (void)a.item();
          break;
        case Call::kSumBackward:
          a.sum().backward();
          break;
        case Call::kBackwardWithGrad:
          a.backward(b, flag);
          break;
        case Call::kRequiresGrad: {
          Tensor t = a;
          t.requires_grad_(flag);
          break;
        }
        case Call::kAddOrCopyInPlace: {
          Tensor t = a;
          if (flag) {
            minitorch::NoGradGuard no_grad;
            t.add_(b, in.value(minitorch::fuzz::ValueMode::kSmall));
          } else {
            t.copy_(b);
          }
          break;
        }
        case Call::kMulZeroInPlace: {
          Tensor t = a;
          t.mul_(b);
          t.zero_();
          break;
        }
        case Call::kGrad:
          (void)minitorch::grad(a, {b});
          break;
        case Call::kTopk: {
          const int64_t k = in.in_range(-1, 6);
          result = std::get<0>(minitorch::topk(a, k, d0, flag));
          (void)minitorch::max(a, d0);
          (void)minitorch::min(a, d0, flag);
          break;
        }
        case Call::kPrint: {
          std::ostringstream os;
          minitorch::print(os, a, in.in_range(0, 100));
          os << b;
          break;
        }
        case Call::kInspect:
          (void)a.to_vector();
          (void)a.to_string();
          (void)a.size(d0);
          break;
        case Call::kTableOp: {
          const std::optional<minitorch::Op> op = in.op(kVersion1Ops);
          if (!op) break;
          const minitorch::testing::OpCall call = minitorch::fuzz::read_call(in, *op, {a, b});
          std::vector<Tensor> operands = {a, b};
          operands.resize(static_cast<size_t>(minitorch::fuzz::tensor_operands(call)));
          result = minitorch::testing::run_call(call, operands);
          break;
        }
        case Call::kGradcheck: {
          // Its cost grows with the square of the elements: a pooled tensor
          // of thousands took half a minute, which a fuzzer reads as a hang.
          if (a.numel() > kMaxGradcheckElements) break;
          minitorch::GradcheckOptions options;
          options.error_bounded = flag;
          (void)minitorch::gradcheck(
              [](const std::vector<Tensor>& x) { return minitorch::tanh(x[0]); }, {a}, options);
          break;
        }
      }
    } catch (const minitorch::Error&) {
      continue;  // the expected outcome of a bad call
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fuzz_api: call kind %lld threw a non-minitorch exception: %s\n",
                   static_cast<long long>(*kind), e.what());
      std::abort();
    }
    if (result.defined() && result.numel() <= kMaxPoolElements) pool.push_back(result);
  }
  return 0;
}
