// The op registry (see op_registry.h).
#include "testing/op_registry.h"

#include <cmath>
#include <stdexcept>

#include "tensor_impl.h"

namespace minitorch::testing {

namespace {

using ShapeList = std::vector<std::vector<Shape>>;

// Broadcastable pairs, both orders, including every case the core issue names.
const ShapeList kBinaryShapes = {
    {{2, 3}, {2, 3}},    {{3}, {4, 3}},    {{4, 3}, {3}}, {{4, 1}, {1, 3}},
    {{2, 1, 3}, {4, 3}}, {{1}, {2, 3, 4}}, {{}, {2, 3}},  {{2, 3}, {}},
};
const ShapeList kUnaryShapes = {{{}}, {{5}}, {{4, 5}}, {{2, 3, 4}}};
const ShapeList kReduceShapes = {{{4, 5}}, {{2, 3, 4}}};

const Binary kPlus = [](double a, double v) { return a + v; };
const Binary kMax = [](double a, double v) { return std::max(a, v); };
const Binary kIdentity = [](double s, double) { return s; };
const Binary kMean = [](double s, double n) { return s / n; };

OpInfo binary(std::string name, Op op, const Binary& ref, Domain first = Domain::kReal,
              Domain second = Domain::kReal) {
  return {.name = std::move(name),
          .call = {.op = op},
          .shapes = kBinaryShapes,
          .domains = {first, second},
          .reference = [ref](const Refs& x) { return ref_binary(x[0], x[1], ref); }};
}

OpInfo unary(std::string name, OpCall call, const Unary& ref, Domain domain = Domain::kReal) {
  return {.name = std::move(name),
          .call = std::move(call),
          .shapes = kUnaryShapes,
          .domains = {domain},
          .reference = [ref](const Refs& x) { return ref_unary(x[0], ref); }};
}

// A reduction's reference over (x, dims, keepdim).
using ReduceRef = std::function<RefArray(const RefArray&, const std::vector<int64_t>&, bool)>;
const ReduceRef kSumRef = [](const RefArray& x, const std::vector<int64_t>& dims, bool keepdim) {
  return ref_reduce(x, dims, keepdim, 0.0, kPlus, kIdentity);
};
const ReduceRef kMeanRef = [](const RefArray& x, const std::vector<int64_t>& dims, bool keepdim) {
  return ref_reduce(x, dims, keepdim, 0.0, kPlus, kMean);
};
const ReduceRef kAmaxRef = [](const RefArray& x, const std::vector<int64_t>& dims, bool keepdim) {
  return ref_reduce(x, dims, keepdim, -INFINITY, kMax, kIdentity);
};
const ReduceRef kLogsumexpRef = [](const RefArray& x, const std::vector<int64_t>& dims,
                                   bool keepdim) { return ref_logsumexp(x, dims, keepdim); };

OpInfo reduction(std::string name, Op op, const ReduceRef& ref, std::vector<int64_t> dims,
                 bool keepdim) {
  return {.name = std::move(name),
          .call = {.op = op, .dims = dims, .keepdim = keepdim},
          .shapes = kReduceShapes,
          .domains = {Domain::kReal},
          .reference = [ref, dims, keepdim](const Refs& x) { return ref(x[0], dims, keepdim); }};
}

// A one-input op whose reference is a plain function of the input.
OpInfo shaped(std::string name, OpCall call, ShapeList shapes,
              std::function<RefArray(const RefArray&)> ref) {
  return {.name = std::move(name),
          .call = std::move(call),
          .shapes = std::move(shapes),
          .domains = {Domain::kReal},
          .reference = [ref](const Refs& x) { return ref(x[0]); }};
}

RefArray with_shape(const RefArray& a, std::vector<int64_t> shape) {
  return {std::move(shape), a.values};
}

std::string dim_name(const char* op, int64_t dim) {
  return std::string(op) + (dim < 0 ? "_dim_last" : "_dim" + std::to_string(dim));
}

std::vector<OpInfo> build_registry() {
  std::vector<OpInfo> ops = {
      binary("add", Op::kAdd, [](double a, double b) { return a + b; }),
      binary("sub", Op::kSub, [](double a, double b) { return a - b; }),
      binary("mul", Op::kMul, [](double a, double b) { return a * b; }),
      binary(
          "div", Op::kDiv, [](double a, double b) { return a / b; }, Domain::kReal,
          Domain::kAwayFromZero),
      binary(
          "pow", Op::kPow, [](double a, double b) { return std::pow(a, b); }, Domain::kPositive),
      binary("maximum", Op::kMaximum, [](double a, double b) { return std::max(a, b); }),
      binary("minimum", Op::kMinimum, [](double a, double b) { return std::min(a, b); }),
      unary(
          "pow_scalar", {.op = Op::kPowScalar, .exponent = 2.5},
          [](double v) { return std::pow(v, 2.5); }, Domain::kPositive),
      unary("pow_scalar_int", {.op = Op::kPowScalar, .exponent = 3.0},
            [](double v) { return v * v * v; }),
      // LibTorch computes these two exponents as sqrt and rsqrt (at -inf and -0 unlike pow).
      unary(
          "pow_scalar_sqrt", {.op = Op::kPowScalar, .exponent = 0.5},
          [](double v) { return std::sqrt(v); }, Domain::kPositive),
      unary(
          "pow_scalar_rsqrt", {.op = Op::kPowScalar, .exponent = -0.5},
          [](double v) { return 1 / std::sqrt(v); }, Domain::kPositive),
      unary("neg", {.op = Op::kNeg}, [](double v) { return -v; }),
      unary("exp", {.op = Op::kExp}, [](double v) { return std::exp(v); }),
      unary(
          "log", {.op = Op::kLog}, [](double v) { return std::log(v); }, Domain::kPositive),
      unary(
          "sqrt", {.op = Op::kSqrt}, [](double v) { return std::sqrt(v); }, Domain::kPositive),
      unary("abs", {.op = Op::kAbs}, [](double v) { return std::abs(v); }),
      unary("tanh", {.op = Op::kTanh}, [](double v) { return std::tanh(v); }),
      unary("sigmoid", {.op = Op::kSigmoid}, [](double v) { return 1 / (1 + std::exp(-v)); }),
      unary("relu", {.op = Op::kRelu}, [](double v) { return std::max(v, 0.0); }),
      reduction("sum", Op::kSum, kSumRef, {}, false),
      reduction("sum_dim1_keepdim", Op::kSum, kSumRef, {1}, true),
      reduction("sum_dims_0_last", Op::kSum, kSumRef, {0, -1}, false),
      reduction("mean", Op::kMean, kMeanRef, {}, false),
      reduction("mean_dim_last", Op::kMean, kMeanRef, {-1}, false),
      reduction("mean_dims_0_1_keepdim", Op::kMean, kMeanRef, {0, 1}, true),
      reduction("amax", Op::kAmax, kAmaxRef, {}, false),
      reduction("amax_dim1", Op::kAmax, kAmaxRef, {1}, false),
      reduction("amax_dims_0_last_keepdim", Op::kAmax, kAmaxRef, {0, -1}, true),
      reduction("logsumexp_dim1", Op::kLogsumexp, kLogsumexpRef, {1}, false),
      reduction("logsumexp_dim_last_keepdim", Op::kLogsumexp, kLogsumexpRef, {-1}, true),
      reduction("logsumexp_dims_0_1", Op::kLogsumexp, kLogsumexpRef, {0, 1}, false),
  };

  struct ClampCase {
    const char* name;
    std::optional<double> lo, hi;
  };
  for (const ClampCase& clamp_case :
       {ClampCase{"clamp", -0.5, 0.7}, ClampCase{"clamp_min", -0.3, std::nullopt},
        ClampCase{"clamp_max", std::nullopt, 0.4}}) {
    const char* name = clamp_case.name;
    const std::optional<double> lo = clamp_case.lo, hi = clamp_case.hi;
    ops.push_back(unary(name, {.op = Op::kClamp, .min = lo, .max = hi}, [lo, hi](double v) {
      return std::min(std::max(v, lo.value_or(-INFINITY)), hi.value_or(INFINITY));
    }));
  }

  const std::vector<std::tuple<const char*, Shape, Shape>> matmuls = {
      {"matmul_2d", {3, 4}, {4, 2}},
      {"matmul_dot", {4}, {4}},
      {"matmul_vec_mat", {4}, {4, 3}},
      {"matmul_mat_vec", {3, 4}, {4}},
      {"matmul_batched", {2, 3, 4}, {2, 4, 2}},
      {"matmul_broadcast_batch", {2, 1, 3, 4}, {3, 4, 2}},
      {"matmul_batched_vec", {2, 3, 4}, {4}},
  };
  for (const auto& [name, a, b] : matmuls) {
    ops.push_back({.name = name,
                   .call = {.op = Op::kMatmul},
                   .shapes = {{a, b}},
                   .domains = {Domain::kReal, Domain::kReal},
                   .reference = [](const Refs& x) { return ref_matmul(x[0], x[1]); }});
  }

  ops.push_back(shaped(
      "reshape_flat", {.op = Op::kReshape, .dims = {-1}}, {{{4, 5}}, {{2, 3, 4}}},
      [](const RefArray& a) { return with_shape(a, {static_cast<int64_t>(a.values.size())}); }));
  ops.push_back(shaped("reshape_infer", {.op = Op::kReshape, .dims = {2, -1, 3}},
                       {{{4, 6}}, {{2, 3, 4}}}, [](const RefArray& a) {
                         return with_shape(a, {2, static_cast<int64_t>(a.values.size()) / 6, 3});
                       }));
  ops.push_back(shaped("transpose", {.op = Op::kTranspose, .dims = {0, -1}},
                       {{{4, 5}}, {{2, 3, 4}}}, [](const RefArray& a) {
                         std::vector<int64_t> dims(a.shape.size());
                         for (size_t i = 0; i < dims.size(); ++i) dims[i] = static_cast<int64_t>(i);
                         std::swap(dims.front(), dims.back());
                         return ref_permute(a, dims);
                       }));
  ops.push_back(shaped("permute", {.op = Op::kPermute, .dims = {2, 0, 1}}, {{{2, 3, 4}}},
                       [](const RefArray& a) {
                         return ref_permute(a, {2, 0, 1});
                       }));
  ops.push_back(
      shaped("expand", {.op = Op::kExpand, .dims = {2, 3, 4}}, {{{3, 1}}}, [](const RefArray& a) {
        return ref_expand(a, {2, 3, 4});
      }));
  ops.push_back(shaped("expand_keep", {.op = Op::kExpand, .dims = {3, -1}}, {{{1, 4}}},
                       [](const RefArray& a) {
                         return ref_expand(a, {3, 4});
                       }));
  ops.push_back(shaped("squeeze", {.op = Op::kSqueeze}, {{{1, 3, 1, 4}}}, [](const RefArray& a) {
    return with_shape(a, {3, 4});
  }));
  ops.push_back(shaped("squeeze_dim", {.op = Op::kSqueeze, .dims = {-2}}, {{{3, 1, 4}}},
                       [](const RefArray& a) {
                         return with_shape(a, {3, 4});
                       }));
  ops.push_back(
      shaped("unsqueeze", {.op = Op::kUnsqueeze, .dims = {1}}, {{{3, 4}}}, [](const RefArray& a) {
        return with_shape(a, {3, 1, 4});
      }));
  ops.push_back(shaped("unsqueeze_last", {.op = Op::kUnsqueeze, .dims = {-1}}, {{{3, 4}}},
                       [](const RefArray& a) {
                         return with_shape(a, {3, 4, 1});
                       }));

  for (int64_t dim : {1, 0, -1}) {
    const ShapeList shapes =
        dim == -1 ? ShapeList{{{5}}, {{2, 3, 4}}} : ShapeList{{{4, 5}}, {{2, 3, 4}}};
    ops.push_back(shaped(dim_name("softmax", dim), {.op = Op::kSoftmax, .dims = {dim}}, shapes,
                         [dim](const RefArray& a) { return ref_softmax(a, dim, false); }));
    ops.push_back(shaped(dim_name("log_softmax", dim), {.op = Op::kLogSoftmax, .dims = {dim}},
                         shapes, [dim](const RefArray& a) { return ref_softmax(a, dim, true); }));
  }

  const Tensor classes = tensor({1, 0, 4, 2}, {4}, kInt64);
  ops.push_back({.name = "cross_entropy_class",
                 .call = {.op = Op::kCrossEntropy, .constant = classes},
                 .shapes = {{{4, 5}}},
                 .domains = {Domain::kReal},
                 .reference = [classes](const Refs& x) {
                   return ref_cross_entropy(x[0], to_ref(classes), true);
                 }});
  ops.push_back({.name = "cross_entropy_prob",
                 .call = {.op = Op::kCrossEntropy},
                 .shapes = {{{4, 5}, {4, 5}}, {{5}, {5}}},
                 .domains = {Domain::kReal, Domain::kPositive},
                 .reference = [](const Refs& x) { return ref_cross_entropy(x[0], x[1], false); }});
  const Tensor condition = tensor({1, 0, 1}, {3});
  ops.push_back({.name = "where",
                 .call = {.op = Op::kWhere, .constant = condition},
                 .shapes = {{{4, 3}, {3}}, {{2, 3}, {2, 3}}},
                 .domains = {Domain::kReal, Domain::kReal},
                 .reference = [condition](const Refs& x) {
                   const RefArray c = to_ref(condition);
                   const RefArray a_or_nan =
                       ref_binary(x[0], c, [](double a, double k) { return k != 0 ? a : NAN; });
                   return ref_binary(a_or_nan, x[1],
                                     [](double a, double b) { return std::isnan(a) ? b : a; });
                 }});
  const Tensor rows = tensor({2, 0, 2, 1}, {2, 2}, kInt64);
  ops.push_back({.name = "embedding",
                 .call = {.op = Op::kEmbedding, .constant = rows},
                 .shapes = {{{3, 4}}},
                 .domains = {Domain::kReal},
                 .reference = [rows](const Refs& x) {
                   RefArray out{{2, 2, 4}, {}};
                   for (double r : rows.to_vector()) {
                     for (int64_t c = 0; c < 4; ++c)
                       out.values.push_back(x[0].values[static_cast<size_t>(r) * 4 + c]);
                   }
                   return out;
                 }});
  // Ops whose reference is the reference interpreter's own (reference.h).
  const auto interpreted = [&](std::string name, OpCall call, ShapeList shapes) {
    const int operands = op_operands(call.op);
    ops.push_back({.name = std::move(name),
                   .call = call,
                   .shapes = std::move(shapes),
                   .domains = std::vector<Domain>(static_cast<size_t>(operands), Domain::kReal),
                   .reference = [call](const Refs& x) { return ref::call<double>(call, x); }});
  };
  interpreted("slice_step", {.op = Op::kSlice, .dims = {1, 1, 5, 2}}, {{{4, 5}}, {{2, 5, 3}}});
  interpreted("slice_clamped", {.op = Op::kSlice, .dims = {-1, -3, 100, 1}}, {{{4, 5}}});
  interpreted("narrow", {.op = Op::kNarrow, .dims = {0, 1, 2}}, {{{4, 5}}, {{3, 2, 4}}});
  interpreted("narrow_from_end", {.op = Op::kNarrow, .dims = {-1, -2, 2}}, {{{4, 5}}});
  interpreted("select", {.op = Op::kSelect, .dims = {1, 2}}, {{{4, 5}}, {{2, 3, 4}}});
  interpreted("select_from_end", {.op = Op::kSelect, .dims = {0, -1}}, {{{3}}, {{4, 5}}});
  interpreted("index_select",
              {.op = Op::kIndexSelect, .dims = {0}, .constant = tensor({2, 0, 2}, {3}, kInt64)},
              {{{4, 5}}, {{3, 2, 3}}});
  interpreted("index_select_last",
              {.op = Op::kIndexSelect, .dims = {-1}, .constant = tensor({3, 0, 3, 1}, {4}, kInt64)},
              {{{4, 5}}, {{2, 3, 4}}});
  const auto joining = [&](std::string name, Op op, int64_t dim, ShapeList shapes) {
    interpreted(std::move(name), {.op = op, .dims = {dim}}, std::move(shapes));
  };
  interpreted("gather",
              {.op = Op::kGather,
               .dims = {1},
               .constant = tensor({2, 0, 0, 1, 1, 1, 0, 2}, {4, 2}, kInt64)},
              {{{4, 3}}, {{5, 4}}});
  interpreted("gather_first",
              {.op = Op::kGather, .dims = {0}, .constant = tensor({3, 0, 1, 3}, {2, 2}, kInt64)},
              {{{4, 3}}});
  const auto scatter_add = [&](std::string name, int64_t dim, const Tensor& index,
                               ShapeList shapes) {
    interpreted(std::move(name), {.op = Op::kScatterAdd, .dims = {dim}, .constant = index},
                std::move(shapes));
  };
  // src as large as the index: LibTorch (1.13) refuses a larger src's
  // gradient (docs/design.md); ScatterAdd.GradientOfSrcLargerThanIndex
  // checks it by gradcheck.
  scatter_add("scatter_add", 1, tensor({2, 0, 0, 0, 1, 1, 0, 2}, {4, 2}, kInt64),
              {{{4, 3}, {4, 2}}, {{5, 3}, {4, 2}}});
  scatter_add("scatter_add_first", 0, tensor({3, 0, 3, 1}, {2, 2}, kInt64), {{{4, 3}, {2, 2}}});
  joining("cat", Op::kCat, 0, {{{2, 3}, {4, 3}}, {{3}, {2}}});
  joining("cat_last", Op::kCat, -1, {{{2, 3}, {2, 1}}, {{2, 1, 2}, {2, 1, 3}}});
  joining("stack", Op::kStack, 0, {{{2, 3}, {2, 3}}, {{}, {}}});
  joining("stack_last", Op::kStack, -1, {{{3}, {3}}, {{2, 2}, {2, 2}}});
  return ops;
}

}  // namespace

const std::vector<OpInfo>& op_registry() {
  static const std::vector<OpInfo> registry = build_registry();
  return registry;
}

std::vector<const OpInfo*> registry_entries() {
  std::vector<const OpInfo*> entries;
  for (const OpInfo& info : op_registry()) entries.push_back(&info);
  return entries;
}

const OpInfo& find_op(const std::string& name) {
  for (const OpInfo& info : op_registry()) {
    if (info.name == name) return info;
  }
  throw std::invalid_argument("no op named " + name + " in the registry");
}

GradcheckFunction as_function_of_input(const OpInfo& info, const Inputs& sample, int which) {
  return [&info, sample, which](const std::vector<Tensor>& x) {
    Inputs all = sample;
    all[static_cast<size_t>(which)] = x[0];
    return info.fn(all);
  };
}

Tensor sample_values(const Shape& shape, Domain domain, DType dtype, uint64_t seed) {
  switch (domain) {
    case Domain::kReal:
      return randn(shape, seed, dtype);
    case Domain::kPositive:
      return rand(shape, seed, dtype) * 2.0 + 0.5;
    case Domain::kAwayFromZero: {
      std::vector<double> signs = randn(shape, seed + 1).to_vector();
      for (double& s : signs) s = s < 0 ? -1.0 : 1.0;
      return (rand(shape, seed, dtype) * 2.0 + 0.5) * tensor(signs, shape, dtype);
    }
  }
  return Tensor();
}

Tensor clear_of_kinks(const OpInfo& info, const Tensor& x) {
  std::vector<double> values = x.to_vector();
  for (double& v : values) {
    switch (op_kinks(info.op())) {
      case OpKinks::kNone:
      case OpKinks::kTies:
      case OpKinks::kTiesAlongDims:
        break;
      case OpKinks::kAtZero:
        if (std::abs(v) < 1e-3) v = 0.1;
        break;
      case OpKinks::kClampBounds:
        if (info.call.min && std::abs(v - *info.call.min) < 1e-3) v = *info.call.min + 0.1;
        if (info.call.max && std::abs(v - *info.call.max) < 1e-3) v = *info.call.max - 0.1;
        break;
    }
  }
  return tensor(values, x.shape(), x.dtype());
}

Inputs make_sample(const OpInfo& info, size_t index, DType dtype, uint64_t seed) {
  const std::vector<Shape>& shapes = info.shapes.at(index);
  Inputs inputs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    inputs.push_back(
        clear_of_kinks(info, sample_values(shapes[i], info.domains[i], dtype, seed * 7919 + i)));
  }
  return inputs;
}

Tensor non_contiguous(const Tensor& t) {
  if (t.dim() >= 2 && t.size(-1) > 1 && t.size(-2) > 1) {
    return t.transpose(-1, -2).contiguous().transpose(-1, -2);
  }
  // Every other element of a buffer twice as long, at offset 1.
  const std::vector<double> values = t.to_vector();
  std::vector<double> spread(values.size() * 2 + 1, -999.0);
  for (size_t i = 0; i < values.size(); ++i) spread[2 * i + 1] = values[i];
  const Tensor buffer = tensor(spread, {static_cast<int64_t>(spread.size())}, t.dtype());
  Shape strides = contiguous_strides(t.shape());
  for (int64_t& s : strides) s *= 2;
  return make_view(buffer, t.shape(), strides, 1);
}

}  // namespace minitorch::testing
