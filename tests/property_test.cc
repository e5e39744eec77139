// Property tests (RapidCheck): random broadcastable shape pairs, reduction
// dims, matmul shapes, view chains and softmax-family inputs, each checked by
// gradcheck and against LibTorch. Every property runs at least 100
// successful draws (more with RC_PARAMS="max_success=N"), prints its count,
// and shrinks a failure to a minimal case with a reproduce= line.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/detail/TestListenerAdapter.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "minitorch/minitorch.h"
#include "test_util.h"
#include "testing/op_registry.h"
#include "torch_oracle.h"

namespace minitorch::testing {
namespace {

constexpr int kMinDraws = 100;

// Runs `property` as a RapidCheck property with at least kMinDraws
// successful draws, failing the current gtest with RapidCheck's report.
template <class Property>
void check_property(Property&& property) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(test->test_suite_name()) + "/" + test->name();
  metadata.description = metadata.id;
  const rc::detail::Configuration& config = rc::detail::configuration();
  rc::detail::TestParams params = config.testParams;
  params.maxSuccess = std::max(params.maxSuccess, kMinDraws);
  rc::detail::TestListenerAdapter listener;
  const rc::detail::TestResult result = rc::detail::checkTestable(
      std::forward<Property>(property), metadata, params, listener, config.reproduce);
  if (result.template is<rc::detail::SuccessResult>()) {
    const int draws = result.template get<rc::detail::SuccessResult>().numSuccess;
    std::cout << "[property] " << metadata.id << ": " << draws << " successful draws\n";
    EXPECT_GE(draws, kMinDraws);
  } else {
    std::ostringstream report;
    rc::detail::printResultMessage(result, report);
    FAIL() << report.str();
  }
}

// A random base shape: rank 1 to 4, dims 1 to 5.
Shape draw_shape(int min_rank = 1, int max_rank = 4) {
  const int rank = *rc::gen::inRange(min_rank, max_rank + 1);
  Shape shape;
  for (int i = 0; i < rank; ++i) shape.push_back(*rc::gen::inRange(1, 6));
  return shape;
}

// A partner that broadcasts with `base`: each dim 1 or equal, leading dims
// possibly dropped.
Shape draw_partner(const Shape& base) {
  const int drop = *rc::gen::inRange(0, static_cast<int>(base.size()) + 1);
  Shape partner;
  for (size_t i = static_cast<size_t>(drop); i < base.size(); ++i) {
    partner.push_back(*rc::gen::element<int64_t>(1, base[i]));
  }
  return partner;
}

uint64_t draw_seed() { return *rc::gen::inRange<uint64_t>(0, 1000000); }

// gradcheck on every input and the LibTorch oracle on forward and every
// gradient.
void check_program(const Program& program, const Inputs& inputs, double oracle_tol = 1e-7) {
  const GradcheckResult r =
      gradcheck([&](const Inputs& x) { return run_program(program, x); }, inputs);
  RC_LOG() << describe(program, inputs.size());
  RC_ASSERT(r.ok);
  std::vector<Tensor> leaves;
  for (const Tensor& x : inputs) leaves.push_back(x.detach().clone().requires_grad_());
  const Tensor out = run_program(program, leaves);
  const Tensor cotangent = randn(out.shape(), 17);
  out.backward(cotangent);
  const OracleResult expected = torch_run(program, inputs, cotangent);
  const auto forward = all_close(out, expected.forward, oracle_tol, oracle_tol);
  RC_LOG() << forward.message();
  RC_ASSERT(static_cast<bool>(forward));
  for (size_t i = 0; i < leaves.size(); ++i) {
    RC_ASSERT(expected.grads[i].has_value());
    const auto grad = all_close(leaves[i].grad(), *expected.grads[i], oracle_tol, oracle_tol);
    RC_LOG() << "input " << i << ": " << grad.message();
    RC_ASSERT(static_cast<bool>(grad));
  }
}

// check_program for a one-call program.
void check_call(const OpCall& call, const Inputs& inputs, double oracle_tol = 1e-7) {
  Program program = {{call, {}}};
  for (size_t i = 0; i < inputs.size(); ++i) program[0].args.push_back(static_cast<int>(i));
  check_program(program, inputs, oracle_tol);
}

class BroadcastProperty : public ::testing::TestWithParam<const OpInfo*> {};

TEST_P(BroadcastProperty, GradcheckAndLibTorchOnRandomShapePairs) {
  const OpInfo& info = *GetParam();
  check_property([&] {
    const Shape base = draw_shape();
    const Shape partner = draw_partner(base);
    const bool swap = *rc::gen::arbitrary<bool>();
    const Shape& sa = swap ? partner : base;
    const Shape& sb = swap ? base : partner;
    RC_TAG(swap ? "partner first" : "base first");
    RC_LOG() << info.name << " of " << sa << " and " << sb;
    const uint64_t seed = draw_seed();
    check_call(info.call, {sample_values(sa, info.domains[0], kFloat64, seed),
                           sample_values(sb, info.domains[1], kFloat64, seed + 1)});
  });
}

// Registry entries of the table's elementwise binary ops (one per op).
std::vector<const OpInfo*> broadcasting_ops() {
  std::vector<const OpInfo*> ops;
  for (const OpInfo& info : op_registry()) {
    const bool first_of_its_op = std::none_of(
        ops.begin(), ops.end(), [&](const OpInfo* seen) { return seen->op() == info.op(); });
    if (op_family(info.op()) == OpFamily::kElementwise && info.arity() == 2 && first_of_its_op) {
      ops.push_back(&info);
    }
  }
  return ops;
}

// The table's reductions.
std::vector<Op> reduction_ops() {
  std::vector<Op> ops;
  for (int i = 0; i < kNumOps; ++i) {
    if (op_family(static_cast<Op>(i)) == OpFamily::kReduction) ops.push_back(static_cast<Op>(i));
  }
  return ops;
}

INSTANTIATE_TEST_SUITE_P(Ops, BroadcastProperty, ::testing::ValuesIn(broadcasting_ops()),
                         [](const auto& p) { return p.param->name; });

class UnaryProperty : public ::testing::TestWithParam<const OpInfo*> {};

// Every elementwise unary entry of the registry, on random shapes, contiguous
// or not: gradcheck and LibTorch.
TEST_P(UnaryProperty, GradcheckAndLibTorchOnRandomShapes) {
  const OpInfo& info = *GetParam();
  check_property([&] {
    const Shape shape = draw_shape(0, 4);
    const bool strided = *rc::gen::arbitrary<bool>();
    RC_TAG(strided ? "non-contiguous" : "contiguous");
    RC_LOG() << info.name << " of " << shape;
    const Tensor x =
        clear_of_kinks(info, sample_values(shape, info.domains[0], kFloat64, draw_seed()));
    check_call(info.call, {strided ? non_contiguous(x) : x});
  });
}

std::vector<const OpInfo*> unary_entries() {
  std::vector<const OpInfo*> entries;
  for (const OpInfo& info : op_registry()) {
    if (op_family(info.op()) == OpFamily::kElementwise && info.arity() == 1) {
      entries.push_back(&info);
    }
  }
  return entries;
}

INSTANTIATE_TEST_SUITE_P(Ops, UnaryProperty, ::testing::ValuesIn(unary_entries()),
                         [](const auto& p) { return p.param->name; });

class ReductionProperty : public ::testing::TestWithParam<Op> {};

TEST_P(ReductionProperty, RandomDimsKeepdimNegativeDims) {
  const Op op = GetParam();
  check_property([&] {
    const Shape shape = draw_shape();
    const int rank = static_cast<int>(shape.size());
    std::vector<int64_t> dims;
    for (int d = 0; d < rank; ++d) {
      if (*rc::gen::arbitrary<bool>()) dims.push_back(*rc::gen::arbitrary<bool>() ? d : d - rank);
    }
    if (dims.empty() && op_form(op) == OpForm::kDimsRequired) dims.push_back(0);
    const OpCall call{.op = op, .dims = dims, .keepdim = *rc::gen::arbitrary<bool>()};
    RC_LOG() << describe(call) << " of " << shape;
    check_call(call, {randn(shape, draw_seed())});
  });
}

INSTANTIATE_TEST_SUITE_P(Ops, ReductionProperty, ::testing::ValuesIn(reduction_ops()),
                         [](const auto& p) { return std::string(op_name(p.param)); });

TEST(IndexSelectProperty, RandomDimsAndIndicesWithRepeats) {
  check_property([] {
    const Shape shape = draw_shape();
    const int rank = static_cast<int>(shape.size());
    const int64_t dim = *rc::gen::inRange(-rank, rank);
    const int64_t size = shape[static_cast<size_t>((dim + rank) % rank)];
    std::vector<double> index(*rc::gen::inRange<size_t>(0, 7));
    for (double& i : index) i = static_cast<double>(*rc::gen::inRange<int64_t>(0, size));
    const OpCall call{.op = Op::kIndexSelect,
                      .dims = {dim},
                      .constant = tensor(index, {static_cast<int64_t>(index.size())}, kInt64)};
    RC_LOG() << describe(call) << " of " << shape;
    check_call(call, {randn(shape, draw_seed())});
  });
}

// An int64 index of shape's rank along a random dim, as gather and
// scatter_add take: any size along the dim, at most shape's elsewhere, its
// values in range (with repeats).
struct IndexAlongDim {
  int64_t dim;
  Tensor index;
};
IndexAlongDim draw_index_along(const Shape& shape) {
  const int rank = static_cast<int>(shape.size());
  const int64_t dim = *rc::gen::inRange(-rank, rank);
  const auto d = static_cast<size_t>((dim + rank) % rank);
  Shape index_shape;
  for (size_t i = 0; i < shape.size(); ++i) {
    index_shape.push_back(i == d ? *rc::gen::inRange<int64_t>(0, 5)
                                 : *rc::gen::inRange<int64_t>(1, shape[i] + 1));
  }
  std::vector<double> index(static_cast<size_t>(numel(index_shape)));
  for (double& i : index) i = static_cast<double>(*rc::gen::inRange<int64_t>(0, shape[d]));
  return {dim, tensor(index, index_shape, kInt64)};
}

TEST(GatherProperty, RandomIndexShapesAndValues) {
  check_property([] {
    const Shape shape = draw_shape();
    const auto [dim, index] = draw_index_along(shape);
    RC_LOG() << "gather of " << shape << " along " << dim << " by " << index.shape();
    check_call({.op = Op::kGather, .dims = {dim}, .constant = index}, {randn(shape, draw_seed())});
  });
}

// src as large as the index (LibTorch refuses the gradient of a larger one;
// ScatterAdd.GradientOfSrcLargerThanIndex covers that by gradcheck).
TEST(ScatterAddProperty, RandomIndexShapesAndValuesWithRepeats) {
  check_property([] {
    const Shape shape = draw_shape();
    const auto [dim, index] = draw_index_along(shape);
    RC_LOG() << "scatter_add into " << shape << " along " << dim << " by " << index.shape();
    const uint64_t seed = draw_seed();
    check_call({.op = Op::kScatterAdd, .dims = {dim}, .constant = index},
               {randn(shape, seed), randn(index.shape(), seed + 1)});
  });
}

// topk of random (tie-free: randn) values: LibTorch's values, positions and
// gradient, and gradcheck.
TEST(TopkProperty, RandomShapesDimsAndK) {
  check_property([] {
    const Shape shape = draw_shape();
    const int rank = static_cast<int>(shape.size());
    const int64_t dim = *rc::gen::inRange(-rank, rank);
    const int64_t k =
        *rc::gen::inRange<int64_t>(0, shape[static_cast<size_t>((dim + rank) % rank)] + 1);
    const bool largest = *rc::gen::arbitrary<bool>();
    RC_LOG() << "topk " << k << " of " << shape << " along " << dim << (largest ? "" : " smallest");
    const Tensor x = randn(shape, draw_seed());
    const auto f = [&](const std::vector<Tensor>& in) {
      return std::get<0>(topk(in[0], k, dim, largest));
    };
    RC_ASSERT(gradcheck(f, {x}).ok);
    const Tensor leaf = x.clone().requires_grad_();
    const auto [values, indices] = topk(leaf, k, dim, largest);
    const Tensor cotangent = randn(values.shape(), 3);
    (values * cotangent).sum().backward();
    const TorchIndexed want = torch_topk(x, k, dim, largest, cotangent);
    RC_ASSERT(indices.to_vector() == want.indices.values);
    RC_ASSERT(static_cast<bool>(all_close(values, want.values, 0, 0)));
    RC_ASSERT(static_cast<bool>(all_close(leaf.grad(), want.grad, 0, 0)));
  });
}

// Dropout in training mode over random shapes and p: every element is
// dropped (0, and gradient 0) or kept and scaled by 1 / (1 - p) (gradient
// the same factor); the kept fraction is within 5 binomial standard
// deviations of 1 - p, as LibTorch's is at the same p; the output's
// expectation is the input (a mean of ones near 1 for both libraries).
TEST(DropoutProperty, MaskStatisticsAndExpectationMatchLibTorch) {
  check_property([] {
    Shape shape = draw_shape(1, 3);
    shape.push_back(*rc::gen::inRange(64, 400));
    const double p = *rc::gen::element(0.1, 0.25, 0.5, 0.8);
    const DType dtype = *rc::gen::element(kFloat64, kFloat32);
    const uint64_t seed = draw_seed();
    RC_LOG() << shape.to_string() << " p " << p << " " << dtype_name(dtype) << " seed " << seed;
    const Tensor x = (rand(shape, seed, dtype) + 0.5).requires_grad_();
    manual_seed(seed);
    const Tensor y = nn::functional::dropout(x, nn::functional::DropoutFuncOptions().p(p));
    y.backward(ones(shape, dtype));
    const std::vector<double> in = x.to_vector(), out = y.to_vector(), grad = x.grad().to_vector();
    const double scale = 1 / (1 - p);
    const double tol = dtype == kFloat64 ? 1e-15 : 1e-6;
    int64_t kept = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      if (out[i] == 0) {
        RC_ASSERT(grad[i] == 0);
      } else {
        ++kept;
        RC_ASSERT(std::abs(out[i] - in[i] * scale) <= tol * out[i]);
        RC_ASSERT(std::abs(grad[i] - scale) <= tol * scale);
      }
    }
    const auto n = static_cast<double>(in.size());
    const double sigma = std::sqrt(n * p * (1 - p));
    const auto within = [&](double count) { return std::abs(count - n * (1 - p)) <= 5 * sigma; };
    RC_ASSERT(within(static_cast<double>(kept)));
    const RefArray theirs = torch_dropout(x.detach(), p, seed);
    int64_t torch_kept = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      if (theirs.values[i] != 0) {
        ++torch_kept;
        RC_ASSERT(std::abs(theirs.values[i] - in[i] * scale) <= tol * theirs.values[i]);
      }
    }
    RC_ASSERT(within(static_cast<double>(torch_kept)));
    // The expectation: dropout of ones averages 1 within 5 standard errors.
    const double mean_sigma = std::sqrt(p / (1 - p) / n);
    manual_seed(seed + 1);
    const double ours =
        mean(nn::functional::dropout(ones(shape, dtype), nn::functional::DropoutFuncOptions().p(p)))
            .item();
    RC_ASSERT(std::abs(ours - 1) <= 5 * mean_sigma);
    double sum = 0;
    for (const double v : torch_dropout(ones(shape, dtype), p, seed + 1).values) sum += v;
    RC_ASSERT(std::abs(sum / n - 1) <= 5 * mean_sigma);
  });
}

TEST(JoinProperty, CatAndStackOfRandomShapesAlongRandomDims) {
  check_property([] {
    const Shape shape = draw_shape();
    const int rank = static_cast<int>(shape.size());
    const uint64_t seed = draw_seed();
    if (*rc::gen::arbitrary<bool>()) {
      const int64_t dim = *rc::gen::inRange(-rank, rank);
      Shape other = shape;
      other[static_cast<size_t>((dim + rank) % rank)] = *rc::gen::inRange<int64_t>(0, 4);
      RC_LOG() << "cat of " << shape << " and " << other << " along " << dim;
      check_call({.op = Op::kCat, .dims = {dim}}, {randn(shape, seed), randn(other, seed + 1)});
    } else {
      const int64_t dim = *rc::gen::inRange(-rank - 1, rank + 1);
      RC_LOG() << "stack of two " << shape << " along " << dim;
      check_call({.op = Op::kStack, .dims = {dim}}, {randn(shape, seed), randn(shape, seed + 1)});
    }
  });
}

TEST(MatmulProperty, RandomVectorMatrixAndBroadcastBatchShapes) {
  check_property([] {
    const int64_t m = *rc::gen::inRange(1, 6), k = *rc::gen::inRange(1, 6),
                  n = *rc::gen::inRange(1, 6);
    const int rank_a = *rc::gen::inRange(1, 5), rank_b = *rc::gen::inRange(1, 5);
    // Batch dims of the longer operand; the other takes a broadcastable suffix.
    const Shape batch = draw_shape(0, 2);
    const Shape partner_batch = draw_partner(batch);
    const bool a_long = *rc::gen::arbitrary<bool>();
    auto with_batch = [](Shape b, std::initializer_list<int64_t> tail) {
      for (int64_t t : tail) b.push_back(t);
      return b;
    };
    const Shape sa =
        rank_a == 1 ? Shape{k}
                    : with_batch(rank_a > 2 ? (a_long ? batch : partner_batch) : Shape{}, {m, k});
    const Shape sb =
        rank_b == 1 ? Shape{k}
                    : with_batch(rank_b > 2 ? (a_long ? partner_batch : batch) : Shape{}, {k, n});
    RC_LOG() << "matmul of " << sa << " and " << sb;
    const uint64_t seed = draw_seed();
    check_call({.op = Op::kMatmul}, {randn(sa, seed), randn(sb, seed + 1)});
  });
}

// One random view op on a tensor of `shape`, as a call, and the shape it makes.
std::pair<OpCall, Shape> draw_view(const Shape& shape) {
  const int rank = static_cast<int>(shape.size());
  auto random_dim = [&](int r) { return static_cast<int64_t>(*rc::gen::inRange(-r, r)); };
  switch (*rc::gen::inRange(0, 9)) {
    case 0: {  // reshape: flatten or split the element count as [-1, last]
      const int64_t n = numel(shape);
      if (*rc::gen::arbitrary<bool>() || shape.empty())
        return {{.op = Op::kReshape, .dims = {-1}}, {n}};
      const int64_t last = shape.back();
      return {{.op = Op::kReshape, .dims = {-1, last}}, {n / std::max<int64_t>(last, 1), last}};
    }
    case 1: {
      if (rank < 1) break;
      const int64_t d0 = random_dim(rank), d1 = random_dim(rank);
      Shape out = shape;
      std::swap(out[(d0 + rank) % rank], out[(d1 + rank) % rank]);
      return {{.op = Op::kTranspose, .dims = {d0, d1}}, out};
    }
    case 2: {
      std::vector<int64_t> perm(rank);
      for (int i = 0; i < rank; ++i) perm[i] = i;
      perm = *rc::gen::just(perm);
      for (int i = rank - 1; i > 0; --i) std::swap(perm[i], perm[*rc::gen::inRange(0, i + 1)]);
      Shape out;
      for (int64_t p : perm) out.push_back(shape[p]);
      return {{.op = Op::kPermute, .dims = perm}, out};
    }
    case 3: {  // expand: grow size-1 dims, maybe add a leading dim
      if (rank >= 5) break;
      Shape target;
      if (*rc::gen::arbitrary<bool>()) target.push_back(*rc::gen::inRange(1, 4));
      for (int64_t d : shape)
        target.push_back(d == 1 ? *rc::gen::inRange(1, 4) : (*rc::gen::arbitrary<bool>() ? -1 : d));
      Shape out = target;
      for (size_t i = 0; i < shape.size(); ++i) {
        if (out[out.size() - shape.size() + i] == -1) out[out.size() - shape.size() + i] = shape[i];
      }
      return {{.op = Op::kExpand, .dims = std::vector<int64_t>(target.begin(), target.end())}, out};
    }
    case 4: {
      Shape out;
      for (int64_t d : shape) {
        if (d != 1) out.push_back(d);
      }
      return {{.op = Op::kSqueeze}, out};
    }
    case 5: {  // narrow: a non-empty in-range window, maybe counted from the end
      if (rank < 1) break;
      const int64_t d = random_dim(rank), size = shape[(d + rank) % rank];
      const int64_t start = *rc::gen::inRange<int64_t>(0, size);
      const int64_t length = *rc::gen::inRange<int64_t>(1, size - start + 1);
      const bool from_end = *rc::gen::arbitrary<bool>();
      Shape out = shape;
      out[(d + rank) % rank] = length;
      return {{.op = Op::kNarrow, .dims = {d, from_end ? start - size : start, length}}, out};
    }
    case 6: {  // slice: non-empty, bounds past the end or from it, a step of 1 to 3
      if (rank < 1) break;
      const int64_t d = random_dim(rank), size = shape[(d + rank) % rank];
      const int64_t first = *rc::gen::inRange<int64_t>(0, size);
      const int64_t last = *rc::gen::inRange<int64_t>(first + 1, size + 3);  // may pass the end
      const int64_t step = *rc::gen::inRange<int64_t>(1, 4);
      const int64_t start = *rc::gen::arbitrary<bool>() ? first - size : first;
      const int64_t end = last < size && *rc::gen::arbitrary<bool>() ? last - size : last;
      Shape out = shape;
      out[(d + rank) % rank] = (std::min(last, size) - first + step - 1) / step;
      return {{.op = Op::kSlice, .dims = {d, start, end, step}}, out};
    }
    case 7: {  // select
      if (rank < 1) break;
      const int64_t d = random_dim(rank), size = shape[(d + rank) % rank];
      if (size < 1) break;
      const int64_t index = *rc::gen::inRange<int64_t>(-size, size);
      Shape out = shape;
      out.erase(out.begin() + (d + rank) % rank);
      return {{.op = Op::kSelect, .dims = {d, index}}, out};
    }
    default:
      break;
  }
  if (rank >= 5)
    return {{.op = Op::kSqueeze}, [&] {
              Shape out;
              for (int64_t d : shape)
                if (d != 1) out.push_back(d);
              return out;
            }()};
  const int64_t d = random_dim(rank + 1);
  Shape out = shape;
  out.insert(out.begin() + (d + rank + 1) % (rank + 1), 1);
  return {{.op = Op::kUnsqueeze, .dims = {d}}, out};
}

TEST(ViewChainProperty, RandomChainsThenElementwiseMatchLibTorch) {
  check_property([] {
    const Shape base = draw_shape(1, 3);
    Program program;
    Shape shape = base;
    const int length = *rc::gen::inRange(2, 7);
    for (int i = 0; i < length; ++i) {
      auto [call, next] = draw_view(shape);
      program.push_back({call, {static_cast<int>(program.size())}});
      shape = next;
    }
    // Then an elementwise op with a second input of the final shape.
    const Op final_op = *rc::gen::element(Op::kMul, Op::kAdd, Op::kMaximum);
    program.push_back({{.op = final_op}, {static_cast<int>(program.size()), -1}});
    // Input 1 is the second operand: renumber (inputs come first).
    for (Step& step : program) {
      for (int& a : step.args) a = a == -1 ? 1 : (a == 0 ? 0 : a + 1);
    }
    const uint64_t seed = draw_seed();
    check_program(program, {randn(base, seed), randn(shape, seed + 1)});
  });
}

TEST(SoftmaxFamilyProperty, WideMagnitudesRandomShapesAndDims) {
  check_property([] {
    const Shape shape = draw_shape(1, 3);
    const int rank = static_cast<int>(shape.size());
    const int64_t dim = *rc::gen::inRange(-rank, rank);
    const double scale = std::pow(10.0, *rc::gen::inRange(0, 5));  // up to 1e4
    RC_TAG(scale);
    const uint64_t seed = draw_seed();
    const Tensor x = randn(shape, seed) * scale;
    // Relative tolerance for values of magnitude ~scale.
    const double tol = 1e-7;
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        check_call({.op = Op::kSoftmax, .dims = {dim}}, {x}, tol);
        break;
      case 1:
        check_call({.op = Op::kLogSoftmax, .dims = {dim}}, {x}, tol);
        break;
      default: {
        const int64_t rows = *rc::gen::inRange(1, 5), classes = *rc::gen::inRange(1, 6);
        const Tensor logits = randn({rows, classes}, seed) * scale;
        std::vector<double> targets;
        for (int64_t r = 0; r < rows; ++r)
          targets.push_back(*rc::gen::inRange<int64_t>(0, classes));
        const Tensor target = tensor(targets, {rows}, kInt64);
        const Tensor loss = cross_entropy(logits, target);
        RC_ASSERT(std::isfinite(loss.item()));
        check_call({.op = Op::kCrossEntropy, .constant = target}, {logits}, tol);
      }
    }
    const Tensor p = softmax(x, dim);
    for (double v : p.to_vector()) RC_ASSERT(std::isfinite(v) && v >= 0 && v <= 1);
  });
}

}  // namespace
}  // namespace minitorch::testing
