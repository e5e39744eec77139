// LibTorch as the second oracle: for every registry op, every sample, both
// float dtypes, contiguous and non-contiguous inputs, the forward value and
// the gradient of every input (with a random, not all-ones, cotangent) match
// LibTorch's: within 1e-7 (absolute plus relative) at float64 and 1e-5
// relative at float32.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <optional>
#include <sstream>

#include "minitorch/minitorch.h"
#include "test_util.h"
#include "testing/differences.h"
#include "testing/op_registry.h"
#include "testing/torch_bridge.h"
#include "torch_oracle.h"

namespace minitorch::testing {
namespace {

struct OracleCase {
  const OpInfo* info;
  DType dtype;
  bool strided;
};

void PrintTo(const OracleCase& c, std::ostream* os) {
  *os << c.info->name << " " << dtype_name(c.dtype) << (c.strided ? " non-contiguous" : "");
}

class Oracle : public ::testing::TestWithParam<OracleCase> {};

TEST_P(Oracle, ForwardAndEveryInputGradientMatchLibTorch) {
  const auto& [info, dtype, strided] = GetParam();
  const double rtol = dtype == kFloat64 ? 1e-7 : 1e-5;
  const double atol = dtype == kFloat64 ? 1e-7 : 1e-6;
  Program program = {{info->call, {}}};
  for (int i = 0; i < info->arity(); ++i) program[0].args.push_back(i);
  for (size_t s = 0; s < info->shapes.size(); ++s) {
    Inputs inputs = make_sample(*info, s, dtype, /*seed=*/300 + s);
    std::vector<Tensor> leaves;
    for (Tensor& x : inputs) {
      Tensor leaf = (strided ? non_contiguous(x) : x).requires_grad_();
      leaves.push_back(leaf);
    }
    const Tensor out = info->fn(leaves);
    const Tensor cotangent = randn(out.shape(), 400 + s, dtype);
    out.backward(cotangent);
    const OracleResult expected = torch_run(program, inputs, cotangent);
    EXPECT_TRUE(all_close(out, expected.forward, rtol, atol))
        << info->name << " sample " << s << " forward";
    for (size_t i = 0; i < leaves.size(); ++i) {
      ASSERT_TRUE(expected.grads[i].has_value()) << info->name << " input " << i;
      ASSERT_TRUE(leaves[i].grad().defined()) << info->name << " input " << i;
      EXPECT_TRUE(all_close(leaves[i].grad(), *expected.grads[i], rtol, atol))
          << info->name << " sample " << s << " gradient of input " << i;
    }
  }
}

std::vector<OracleCase> cases() {
  std::vector<OracleCase> out;
  for (const OpInfo& info : op_registry()) {
    for (DType dtype : {kFloat64, kFloat32}) {
      for (bool strided : {false, true}) out.push_back({&info, dtype, strided});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Ops, Oracle, ::testing::ValuesIn(cases()), [](const auto& p) {
  return test_name(p.param.info->name + "_" + dtype_name(p.param.dtype) +
                   (p.param.strided ? "_strided" : ""));
});

// The oracle can fail: a deliberately wrong "gradient" is caught.
TEST(Oracle, DetectsAWrongGradient) {
  const Tensor x = randn({3, 4}, 1);
  Tensor leaf = x.detach().requires_grad_();
  (leaf * leaf.detach()).backward(ones({3, 4}));  // gradient x instead of 2x
  const OracleResult expected = torch_run({{OpCall{.op = Op::kMul}, {0, 0}}}, {x}, ones({3, 4}));
  EXPECT_FALSE(all_close(leaf.grad(), *expected.grads[0], 1e-7, 1e-7));
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// At the points where an op is not differentiable, minitorch's subgradient
// is LibTorch's: relu and abs at 0, maximum / minimum / amax ties, clamp at
// its bounds (finite differences cannot judge these points; see the
// error-bounded gradcheck).
TEST(OracleAtKinks, SubgradientsMatchLibTorch) {
  for (const KinkCase& c : kink_cases()) {
    const Program program = single_call(c.call, static_cast<int>(c.inputs.size()));
    std::vector<Tensor> leaves;
    for (const Tensor& x : c.inputs) leaves.push_back(x.detach().clone().requires_grad_());
    const Tensor out = run_program(program, leaves);
    const Tensor cotangent = randn(out.shape(), 5);
    out.backward(cotangent);
    const OracleResult expected = torch_run(program, c.inputs, cotangent);
    for (size_t i = 0; i < leaves.size(); ++i) {
      EXPECT_TRUE(all_close(leaves[i].grad(), *expected.grads[i], 1e-12, 1e-12))
          << describe(c.call) << " input " << i;
    }
  }
}

// Every way to view small permuted and expanded tensors: minitorch's view
// succeeds exactly where LibTorch's does, with LibTorch's strides, and
// reshape gives the same values either way.
TEST(ViewOracle, ViewsExactlyWhereLibTorchDoesWithItsStrides) {
  // The shapes of `numel` elements with up to 3 dims.
  const auto shapes_of = [](int64_t numel) {
    std::vector<std::vector<int64_t>> out = {{numel}};
    for (int64_t a = 1; a <= numel; ++a) {
      if (numel % a != 0) continue;
      out.push_back({a, numel / a});
      for (int64_t b = 1; b <= numel / a; ++b) {
        if ((numel / a) % b == 0) out.push_back({a, b, numel / a / b});
      }
    }
    return out;
  };
  int views = 0, refusals = 0;
  for (const std::vector<int64_t>& shape :
       std::vector<std::vector<int64_t>>{{6}, {2, 3}, {3, 1, 2}, {2, 2, 3}, {2, 1}, {4, 1, 3}}) {
    std::vector<int64_t> dims(shape.size());
    std::iota(dims.begin(), dims.end(), 0);
    do {
      std::vector<int64_t> permuted;
      for (int64_t d : dims) permuted.push_back(shape[static_cast<size_t>(d)]);
      // Unexpanded, and with every size-1 dim expanded to 2.
      std::vector<int64_t> expanded = permuted;
      for (int64_t& size : expanded) size = size == 1 ? 2 : size;
      for (const std::vector<int64_t>& to : {std::vector<int64_t>{}, expanded}) {
        Tensor x =
            arange(std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>()),
                   kFloat64)
                .reshape(shape)
                .permute(dims);
        if (!to.empty()) x = x.expand(to);
        for (const std::vector<int64_t>& target : shapes_of(x.numel())) {
          const auto expected = torch_view_strides(shape, dims, to, target);
          std::optional<Shape> got;
          try {
            got = x.view(target).strides();
          } catch (const Error&) {
          }
          const std::string what = "view of " + x.shape().to_string() + " with strides " +
                                   x.strides().to_string() + " as " + Shape(target).to_string();
          ASSERT_EQ(got.has_value(), expected.has_value()) << what;
          if (got) {
            EXPECT_EQ(*got, Shape(*expected)) << what;
            EXPECT_EQ(x.view(target).to_vector(), x.contiguous().to_vector()) << what;
            ++views;
          } else {
            ++refusals;
          }
          EXPECT_EQ(x.reshape(target).to_vector(), x.contiguous().to_vector()) << what;
        }
      }
    } while (std::next_permutation(dims.begin(), dims.end()));
  }
  EXPECT_GT(views, 100);
  EXPECT_GT(refusals, 100);
}

// Comparisons, logical ops, any/all, argmax/argmin and integer sums against
// LibTorch: values, shapes and result dtypes, over ties, NaN, -0.0, mixed
// dtypes, broadcasting and 0-dim tensors, every dim and keepdim.
TEST(NonDifferentiableOracle, ComparisonsLogicalOpsAndArgReductionsMatchLibTorch) {
  const Tensor a = tensor({1, NAN, 2, 2, -0.0, 3}, {2, 3});
  const Tensor b = tensor({1, 2, NAN, 2, 0, 1}, {2, 3}, kFloat32);
  const Tensor c = tensor({2, 0, 1}, {3}, kInt64);
  const Tensor d = tensor({1, 0, 1}, {3}, kBool);
  const Tensor e = scalar_tensor(2, kInt64);
  Tensor ties = randn({3, 4, 5}, 3);
  ties.narrow(2, 1, 2).fill_(5);  // equal maxima along dim 2
  ties.select(1, 2).fill_(-5);    // equal minima along dim 1
  const std::vector<std::pair<Tensor, Tensor>> pairs = {{a, b}, {a, c}, {c, d}, {b, c},
                                                        {a, e}, {d, d}, {e, c}};
  int checked = 0;
  const auto check = [&](const std::string& op, const std::vector<Tensor>& inputs,
                         std::optional<int64_t> dim, bool keepdim, const Tensor& got) {
    const TorchValue want = torch_nondifferentiable(op, inputs, dim, keepdim);
    const std::string what =
        op + " of " + inputs[0].shape().to_string() + " " + dtype_name(inputs[0].dtype()) +
        (dim ? " dim " + std::to_string(*dim) : "") + (keepdim ? " keepdim" : "");
    EXPECT_EQ(got.dtype(), want.dtype) << what;
    EXPECT_EQ(std::vector<int64_t>(got.shape().begin(), got.shape().end()), want.values.shape)
        << what;
    EXPECT_EQ(got.to_vector(), want.values.values) << what;
    ++checked;
  };
  for (const auto& [x, y] : pairs) {
    check("eq", {x, y}, std::nullopt, false, eq(x, y));
    check("ne", {x, y}, std::nullopt, false, ne(x, y));
    check("lt", {x, y}, std::nullopt, false, x < y);
    check("le", {x, y}, std::nullopt, false, x <= y);
    check("gt", {x, y}, std::nullopt, false, x > y);
    check("ge", {x, y}, std::nullopt, false, x >= y);
    check("logical_and", {x, y}, std::nullopt, false, logical_and(x, y));
    check("logical_or", {x, y}, std::nullopt, false, logical_or(x, y));
  }
  for (const Tensor& x : {a, b, c, d, e, ties, zeros({2, 0})}) {
    check("logical_not", {x}, std::nullopt, false, logical_not(x));
    for (const std::optional<int64_t> dim :
         {std::optional<int64_t>(), std::optional<int64_t>(0), std::optional<int64_t>(-1),
          std::optional<int64_t>(1)}) {
      if (dim && *dim == 1 && x.dim() < 2) continue;
      for (const bool keepdim : {false, true}) {
        check("any", {x}, dim, keepdim, dim ? any(x, *dim, keepdim) : any(x));
        check("all", {x}, dim, keepdim, dim ? all(x, *dim, keepdim) : all(x));
        if (!is_floating(x.dtype()))
          check("sum", {x}, dim, keepdim, dim ? sum(x, {*dim}, keepdim) : sum(x));
        if (x.dtype() == kBool || x.numel() == 0) continue;
        check("argmax", {x}, dim, keepdim, argmax(x, dim, keepdim));
        check("argmin", {x}, dim, keepdim, argmin(x, dim, keepdim));
      }
    }
  }
  EXPECT_GT(checked, 250);
}

// max(dim) / min(dim): values, int64 positions (the first of ties, NaN as
// the extreme) and the values' gradient, which goes to that position only.
TEST(IndexedReductionOracle, MaxAndMinAlongADimMatchLibTorch) {
  Tensor x = randn({3, 4, 5}, 8);
  x.narrow(2, 1, 3).select(1, 2).fill_(4);  // ties along dim 2
  x.select(0, 1).select(1, 3).fill_(NAN);   // a NaN along dims 0 and 1
  for (const bool is_max : {true, false}) {
    for (int64_t dim = -3; dim < 3; ++dim) {
      for (const bool keepdim : {false, true}) {
        const Tensor leaf = x.clone().requires_grad_();
        const auto [values, indices] = is_max ? max(leaf, dim, keepdim) : min(leaf, dim, keepdim);
        const Tensor cotangent = randn(values.shape(), 9);
        (values * cotangent).sum().backward();
        const TorchIndexed want = torch_max_dim(x, dim, keepdim, is_max, cotangent);
        const std::string what = std::string(is_max ? "max" : "min") + " dim " +
                                 std::to_string(dim) + (keepdim ? " keepdim" : "");
        EXPECT_EQ(indices.dtype(), kInt64) << what;
        EXPECT_EQ(indices.to_vector(), want.indices.values) << what;
        EXPECT_TRUE(all_close(values, want.values, 0, 0)) << what;
        EXPECT_TRUE(all_close(leaf.grad(), want.grad, 0, 0)) << what;
      }
    }
  }
}

// topk over every dim, k from 0 to the dim's size, both directions, with a
// NaN (the largest value) and the values' gradient. Equal values come in an
// order LibTorch leaves unspecified, so the inputs here have none.
TEST(IndexedReductionOracle, TopkAlongEveryDimMatchesLibTorch) {
  Tensor x = randn({3, 4, 5}, 12);
  x.index({2, 1, 3}).fill_(NAN);
  for (const bool largest : {true, false}) {
    for (int64_t dim = -3; dim < 3; ++dim) {
      for (int64_t k = 0; k <= x.size(dim); ++k) {
        const Tensor leaf = x.clone().requires_grad_();
        const auto [values, indices] = topk(leaf, k, dim, largest);
        const Tensor cotangent = randn(values.shape(), 13);
        (values * cotangent).sum().backward();
        const TorchIndexed want = torch_topk(x, k, dim, largest, cotangent);
        const std::string what = std::string(largest ? "largest " : "smallest ") +
                                 std::to_string(k) + " along " + std::to_string(dim);
        EXPECT_EQ(indices.dtype(), kInt64) << what;
        EXPECT_EQ(indices.shape(), Shape(want.indices.shape)) << what;
        EXPECT_EQ(indices.to_vector(), want.indices.values) << what;
        EXPECT_TRUE(all_close(values, want.values, 0, 0)) << what;
        EXPECT_TRUE(all_close(leaf.grad(), want.grad, 0, 0)) << what;
      }
    }
  }
  // A 0-dim input and an int64 one.
  const Tensor scalar = scalar_tensor(2.5).requires_grad_();
  const auto [top, position] = topk(scalar, 1);
  top.backward();
  const TorchIndexed want = torch_topk(scalar_tensor(2.5), 1, -1, true, scalar_tensor(1.0));
  EXPECT_EQ(top.shape(), Shape{});
  EXPECT_TRUE(all_close(top, want.values, 0, 0));
  EXPECT_TRUE(all_close(scalar.grad(), want.grad, 0, 0));
  const Tensor counts = tensor({4, 9, 1, 7}, {4}, kInt64);
  EXPECT_EQ(std::get<0>(counts.topk(2)).to_vector(), (std::vector<double>{9, 7}));
  EXPECT_EQ(std::get<0>(counts.topk(2)).dtype(), kInt64);
}

// Ties come first by position here; whatever order LibTorch gives them, its
// values are the same and its positions hold those values.
TEST(IndexedReductionOracle, TopkOfTiesPicksEqualValues) {
  const Tensor x = tensor({1, 3, 3, 0, 3, 2}, {6});
  const auto [values, indices] = topk(x, 3);
  EXPECT_EQ(indices.to_vector(), (std::vector<double>{1, 2, 4}));
  const TorchIndexed want = torch_topk(x, 3, 0, true, ones({3}));
  EXPECT_TRUE(all_close(values, want.values, 0, 0));
  for (const double i : want.indices.values) EXPECT_EQ(x.to_vector()[static_cast<size_t>(i)], 3);
}

// Found by fuzz_api: an empty tensor with a huge dim beside its empty one
// (its dims' product does not fit in int64) ranks nothing, where the ranking
// scratch once took the huge dim's size. LibTorch 1.13's own topk walks the
// huge dim here for minutes, so the shapes are stated: the input's, with k
// along dim.
TEST(IndexedReductionOracle, TopkOfAnEmptyTensorWithAHugeDimRanksNothing) {
  const int64_t huge = int64_t{1} << 40;
  const Tensor x = zeros({0, huge, 3}).requires_grad_();
  for (const auto& [k, dim, want] : std::vector<std::tuple<int64_t, int64_t, Shape>>{
           {3, 1, {0, 3, 3}}, {2, 2, {0, huge, 2}}, {0, 0, {0, huge, 3}}}) {
    const auto [values, indices] = topk(x, k, dim);
    EXPECT_EQ(values.shape(), want) << k << " along " << dim;
    EXPECT_EQ(indices.shape(), want) << k << " along " << dim;
    EXPECT_EQ(indices.dtype(), kInt64);
    values.sum().backward();
    EXPECT_EQ(x.grad().shape(), x.shape());
  }
  EXPECT_EQ(softmax(x, 1).shape(), x.shape());
  EXPECT_EQ(std::get<0>(max(x, 2)).shape(), (Shape{0, huge}));
}

// cat skips LibTorch's legacy empty tensors (1-D, no element), also where
// every input is one: then any dim is accepted and the result is one too
// (found by fuzz_torch). minitorch, LibTorch and the reference agree on the
// values and the gradients.
TEST(JoinOracle, CatSkipsLegacyEmptyTensorsAsLibTorch) {
  for (const auto& [a, b, dim] : std::vector<std::tuple<Shape, Shape, int64_t>>{{{0}, {2, 3}, 1},
                                                                                {{2, 1}, {0}, -1},
                                                                                {{0}, {3}, 0},
                                                                                {{0}, {0}, 0},
                                                                                {{0}, {0}, 1},
                                                                                {{0}, {0}, 5},
                                                                                {{0}, {0}, -3}}) {
    const Program program = {{OpCall{.op = Op::kCat, .dims = {dim}}, {0, 1}}};
    const std::vector<Tensor> inputs = {randn(a, 20), randn(b, 21)};
    std::vector<Tensor> leaves;
    for (const Tensor& x : inputs) leaves.push_back(x.clone().requires_grad_());
    const Tensor out = run_program(program, leaves);
    const Tensor cotangent = randn(out.shape(), 22);
    out.backward(cotangent);
    const OracleResult want = torch_run(program, inputs, cotangent);
    const std::string label = a.to_string() + " " + b.to_string() + " along " + std::to_string(dim);
    EXPECT_TRUE(all_close(out, want.forward, 0, 0)) << label;
    std::vector<RefArray> ref_inputs;
    for (const Tensor& x : inputs) ref_inputs.push_back(to_ref(x));
    const RefArray ref = reference_program(program, ref_inputs, [](size_t, const RefArray&) {});
    EXPECT_TRUE(all_close(out, ref, 0, 0)) << label << " (the reference)";
    for (size_t i = 0; i < leaves.size(); ++i) {
      ASSERT_TRUE(want.grads[i].has_value()) << label << " input " << i;
      EXPECT_TRUE(all_close(leaves[i].grad(), *want.grads[i], 0, 0)) << label << " input " << i;
    }
  }
}

TEST(IndexedReductionOracle, MaskedFillAndItsGradientMatchLibTorch) {
  const Tensor x = randn({3, 4}, 10);
  for (const Tensor& mask :
       {x > 0.0, tensor({1, 0, 0, 1}, {4}, kBool), tensor({0, 1, 1}, {3, 1}, kBool)}) {
    const Tensor leaf = x.clone().requires_grad_();
    const Tensor out = masked_fill(leaf, mask, -2.5);
    const Tensor cotangent = randn(out.shape(), 11);
    (out * cotangent).sum().backward();
    const TorchIndexed want = torch_masked_fill(x, mask, -2.5, cotangent);
    EXPECT_TRUE(all_close(out, want.values, 0, 0)) << mask.shape();
    EXPECT_TRUE(all_close(leaf.grad(), want.grad, 0, 0)) << mask.shape();
  }
}

// x.index({...}) and x.index_put_({...}, v) against LibTorch over integer,
// slice, None and Ellipsis expressions; the result is a view of x.
TEST(ViewOracle, IndexExpressionsAndIndexPutMatchLibTorch) {
  using namespace indexing;
  using K = IndexSpec::Kind;
  const auto integer = [](int64_t i) { return IndexSpec{.kind = K::kInteger, .integer = i}; };
  const auto slice_of = [](std::optional<int64_t> start, std::optional<int64_t> stop,
                           std::optional<int64_t> step) {
    return IndexSpec{.kind = K::kSlice, .start = start, .stop = stop, .step = step};
  };
  const IndexSpec none{.kind = K::kNone}, ellipsis{.kind = K::kEllipsis};
  struct Case {
    std::vector<IndexSpec> spec;
    std::function<Tensor(const Tensor&)> index;
    std::function<void(Tensor&)> put;
  };
  const std::vector<Case> cases = {
      {{integer(1)},
       [](const Tensor& x) { return x.index({1}); },
       [](Tensor& x) { x.index_put_({1}, 7.0); }},
      {{slice_of(1, std::nullopt, std::nullopt), integer(-1)},
       [](const Tensor& x) {
         return x.index({Slice(1, None), -1});
       },
       [](Tensor& x) {
         x.index_put_({Slice(1, None), -1}, 7.0);
       }},
      {{ellipsis, integer(0)},
       [](const Tensor& x) {
         return x.index({Ellipsis, 0});
       },
       [](Tensor& x) {
         x.index_put_({Ellipsis, 0}, 7.0);
       }},
      {{none, slice_of(std::nullopt, std::nullopt, 2), ellipsis, none},
       [](const Tensor& x) {
         return x.index({None, Slice(None, None, 2), Ellipsis, None});
       },
       [](Tensor& x) {
         x.index_put_({None, Slice(None, None, 2), Ellipsis, None}, 7.0);
       }},
      {{integer(0), slice_of(-3, 100, 2), integer(2)},
       [](const Tensor& x) {
         return x.index({0, Slice(-3, 100, 2), 2});
       },
       [](Tensor& x) {
         x.index_put_({0, Slice(-3, 100, 2), 2}, 7.0);
       }},
      {{slice_of(5, 1, std::nullopt)},
       [](const Tensor& x) { return x.index({Slice(5, 1)}); },
       [](Tensor& x) { x.index_put_({Slice(5, 1)}, 7.0); }},
  };
  const Tensor x = arange(60, kFloat64).reshape({3, 4, 5});
  for (size_t c = 0; c < cases.size(); ++c) {
    const Tensor got = cases[c].index(x);
    const RefArray want = torch_index(x, cases[c].spec);
    EXPECT_EQ(std::vector<int64_t>(got.shape().begin(), got.shape().end()), want.shape) << c;
    EXPECT_EQ(got.to_vector(), want.values) << c;
    // A view: its first element lies in x's buffer.
    const double* base = x.data_ptr<double>();
    EXPECT_TRUE(got.numel() == 0 ||
                (got.data_ptr<double>() >= base && got.data_ptr<double>() < base + x.numel()))
        << c;
    Tensor target = x.clone();
    cases[c].put(target);
    EXPECT_EQ(target.to_vector(), torch_index_put(x, cases[c].spec, 7.0).values) << c;
  }
  EXPECT_THROW(x.index({0, 0, 0, 0}), Error);
  EXPECT_THROW(x.index({Ellipsis, Ellipsis}), Error);
}

TEST(ViewOracle, WritesThroughNarrowSelectAndSliceReachTheBase) {
  Tensor base = arange(12, kFloat64).reshape({3, 4});
  base.narrow(1, 1, 2).fill_(-1);
  base.select(0, -1).mul_(10);
  base.slice(1, 0, std::nullopt, 2).add_(scalar_tensor(100));
  base.slice(0, 1).select(1, 3).fill_(7);
  const RefArray expected = torch_writes_through_views();
  EXPECT_EQ(base.to_vector(), expected.values);
  EXPECT_NE(base.to_vector(), arange(12, kFloat64).to_vector());
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

class DoubleBackwardOracle : public ::testing::TestWithParam<const OpInfo*> {};

// d/dx of (w . dL/dx) where L = v . f(x): the recorded backward of every op,
// differentiated again, against LibTorch's double backward at FP64.
TEST_P(DoubleBackwardOracle, SecondDerivativesMatchLibTorch) {
  const OpInfo& info = *GetParam();
  Program program = {{info.call, {}}};
  for (int i = 0; i < info.arity(); ++i) program[0].args.push_back(i);
  const Inputs inputs = make_sample(info, 0, kFloat64, 700);
  std::vector<Tensor> leaves;
  for (const Tensor& x : inputs) leaves.push_back(x.detach().clone().requires_grad_());
  const Tensor out = run_program(program, leaves);
  const Tensor v = randn(out.shape(), 701);
  const std::vector<Tensor> first = grad(out, leaves, v, false, /*create_graph=*/true);
  std::vector<Tensor> weights;
  Tensor total = scalar_tensor(0.0);
  for (size_t i = 0; i < leaves.size(); ++i) {
    weights.push_back(randn(leaves[i].shape(), 710 + i));
    total = total + (first[i] * weights[i]).sum();
  }
  const auto expected = torch_double_backward(program, inputs, v, weights);
  if (!total.requires_grad()) {
    // Linear in x: LibTorch has no second derivative either.
    for (const auto& e : expected) {
      if (!e) continue;
      for (double value : e->values) EXPECT_EQ(value, 0.0) << info.name;
    }
    return;
  }
  const std::vector<Tensor> second = grad(total, leaves);
  for (size_t i = 0; i < leaves.size(); ++i) {
    const RefArray want = expected[i] ? *expected[i] : to_ref(zeros(leaves[i].shape()));
    EXPECT_TRUE(all_close(second[i], want, 1e-7, 1e-7)) << info.name << " input " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, DoubleBackwardOracle, ::testing::ValuesIn(registry_entries()),
                         [](const auto& p) { return test_name(p.param->name); });

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// Which of NaN, +inf, -inf or finite each value is.
std::vector<int> classes_of(const std::vector<double>& values) {
  std::vector<int> out;
  for (double v : values) out.push_back(value_class(v));
  return out;
}

// The result dtype of binary ops is LibTorch's result_type for every pair of
// float dtypes, 0-dim or not on either side.
TEST(DtypeOracle, ResultTypeMatchesLibTorch) {
  for (DType da : {kFloat32, kFloat64, kInt64, kBool}) {
    for (DType db : {kFloat32, kFloat64, kInt64, kBool}) {
      for (const bool a_scalar : {false, true}) {
        for (const bool b_scalar : {false, true}) {
          const Tensor a = a_scalar ? scalar_tensor(1, da) : ones({3}, da);
          const Tensor b = b_scalar ? scalar_tensor(1, db) : ones({2, 3}, db);
          const std::string pair = std::string(dtype_name(da)) + (a_scalar ? " 0-dim, " : ", ") +
                                   dtype_name(db) + (b_scalar ? " 0-dim" : "");
          if (!is_floating(da) || !is_floating(db)) continue;  // arithmetic takes floats only
          EXPECT_EQ((a + b).dtype(), torch_result_dtype("add", a, b)) << pair;
          EXPECT_EQ((a * b).dtype(), torch_result_dtype("mul", a, b)) << pair;
        }
      }
    }
  }
}

// LibTorch 1.13 writes past a one-element result for index_select of a
// 0-dim tensor by several indices, so the bridge refuses that call as later
// LibTorch does; by one index LibTorch still runs it (the deliberate
// difference index-select-of-a-scalar).
TEST(TorchBridge, IndexSelectOfAScalarBySeveralIndicesNeverReachesLibTorch) {
  const Tensor x = scalar_tensor(2.5, kFloat64);
  const OpCall by_three{.op = Op::kIndexSelect, .dims = {0}, .constant = zeros({3}, kInt64)};
  const OpCall by_one{.op = Op::kIndexSelect, .dims = {0}, .constant = zeros({1}, kInt64)};
  const std::optional<std::string> refused = torch_rejection(by_three, {x});
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->find("Index to scalar can have only 1 value, got 3"), std::string::npos)
      << *refused;
  EXPECT_FALSE(torch_rejection(by_one, {x}).has_value());
}

// sum-order-overflow excuses an inf met by a NaN (or the other inf) only
// where a sum's terms add past the range: then the order of summation
// decides what the overflowing partial sums reach.
TEST(DeliberateDifferences, SumOrderOverflowNeedsASumPastTheRange) {
  const Program program = {{OpCall{.op = Op::kSum}, {0}}};
  const auto excuse = [&](const std::vector<Tensor>& inputs, double mine, double theirs) {
    const std::vector<Disagreement> differing = {{"forward", 0, mine, theirs, true}};
    const Difference* d =
        excusing_difference(ProgramCase{program, inputs, std::nullopt, std::nullopt, differing});
    return d == nullptr ? std::string() : std::string(d->key);
  };
  const std::vector<Tensor> huge = {tensor({1.4e308, 1.4e308, -1.4e308, -1.4e308}, {4})};
  const std::vector<Tensor> small = {tensor({1, 2, -3, 4}, {4})};
  EXPECT_EQ(excuse(huge, -INFINITY, NAN), "sum-order-overflow");
  EXPECT_EQ(excuse(huge, INFINITY, -INFINITY), "sum-order-overflow");
  EXPECT_EQ(excuse(huge, 1e308, NAN), "");  // a finite side is judged, not excused
  EXPECT_EQ(excuse(small, INFINITY, NAN), "");
  // A gradient that differs in any way, only beside a forward value that so
  // differs: the gradients of two other forwards.
  const auto excuse_gradient = [&](const std::vector<Tensor>& inputs, double forward_mine,
                                   double forward_theirs) {
    std::vector<Disagreement> differing = {{"gradient of v0", 0, -9e171, NAN, true}};
    if (forward_mine != forward_theirs)
      differing.push_back({"forward", 0, forward_mine, forward_theirs, true});
    const Difference* d =
        excusing_difference(ProgramCase{program, inputs, std::nullopt, std::nullopt, differing});
    return d == nullptr ? std::string() : std::string(d->key);
  };
  EXPECT_EQ(excuse_gradient(huge, INFINITY, NAN), "sum-order-overflow");
  EXPECT_EQ(excuse_gradient(huge, 0, 0), "");  // the forwards agree: the gradient is judged
  EXPECT_EQ(excuse_gradient(huge, 1e308, NAN), "");
  EXPECT_EQ(excuse_gradient(small, INFINITY, NAN), "");
}

TEST(DeliberateDifferences, PowPromotedBaseNeedsAPromotion) {
  // pow(sum(v1), v0 as float32): the float64 base 1.1e252 is inf in float32.
  const std::vector<Tensor> inputs = {tensor({1e8, 1.8e-64, -1.9e-128}, {3}),
                                      tensor({1.1e252}, {1})};
  const std::vector<Disagreement> differing = {{"gradient of v0", 1, NAN, 0, true}};
  const auto excuse = [&](const Program& program) {
    const Difference* d =
        excusing_difference(ProgramCase{program, inputs, std::nullopt, std::nullopt, differing});
    return d == nullptr ? std::string() : std::string(d->key);
  };
  EXPECT_EQ(excuse({{OpCall{.op = Op::kSum}, {1}},
                    {OpCall{.op = Op::kToDtype}, {0}},
                    {OpCall{.op = Op::kPow}, {2, 3}}}),
            "pow-promoted-base");
  EXPECT_EQ(excuse({{OpCall{.op = Op::kSum}, {1}}, {OpCall{.op = Op::kPow}, {2, 0}}}), "");
}

class NonFiniteOracle : public ::testing::TestWithParam<const OpInfo*> {};

// With NaN, +-inf and +-0 among the inputs, the pattern of NaN / inf in the
// outputs and in every input gradient is LibTorch's.
TEST_P(NonFiniteOracle, NaNAndInfPatternsMatchLibTorch) {
  const OpInfo& info = *GetParam();
  Program program = {{info.call, {}}};
  for (int i = 0; i < info.arity(); ++i) program[0].args.push_back(i);
  const size_t last = info.shapes.size() - 1;  // the largest sample: room for every special value
  Inputs inputs = make_sample(info, last, kFloat64, 800);
  const double specials[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0};
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<double> v = inputs[i].to_vector();
    for (size_t k = 0; k < v.size(); k += 2) v[k] = specials[(k / 2 + i) % 5];
    inputs[i] = tensor(v, inputs[i].shape());
  }
  std::vector<Tensor> leaves;
  for (const Tensor& x : inputs) leaves.push_back(x.detach().clone().requires_grad_());
  const Tensor out = run_program(program, leaves);
  const Tensor cotangent = ones(out.shape());
  out.backward(cotangent);
  const OracleResult expected = torch_run(program, inputs, cotangent);
  EXPECT_EQ(classes_of(out.to_vector()), classes_of(expected.forward.values))
      << info.name << " forward";
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!expected.grads[i]) continue;
    EXPECT_EQ(classes_of(leaves[i].grad().to_vector()), classes_of(expected.grads[i]->values))
        << info.name << " gradient of input " << i;
  }
}

// With finite inputs and NaN, +-inf and +-0 in the incoming gradient, the
// pattern in every input gradient is LibTorch's: a backward that selects
// where LibTorch's does (the loser of maximum, clamp outside its bounds, relu
// at or below 0) must not multiply an infinite gradient by 0 into NaN.
TEST_P(NonFiniteOracle, NaNAndInfCotangentsMatchLibTorch) {
  const OpInfo& info = *GetParam();
  Program program = {{info.call, {}}};
  for (int i = 0; i < info.arity(); ++i) program[0].args.push_back(i);
  const Inputs inputs = make_sample(info, info.shapes.size() - 1, kFloat64, 801);
  std::vector<Tensor> leaves;
  for (const Tensor& x : inputs) leaves.push_back(x.detach().clone().requires_grad_());
  const Tensor out = run_program(program, leaves);
  if (!out.requires_grad()) return;
  const double specials[] = {INFINITY, 0.0, -INFINITY, NAN, 1.5, -0.0};
  std::vector<double> c(static_cast<size_t>(out.numel()));
  for (size_t k = 0; k < c.size(); ++k) c[k] = specials[k % 6];
  const Tensor cotangent = tensor(c, out.shape());
  out.backward(cotangent);
  const OracleResult expected = torch_run(program, inputs, cotangent);
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!expected.grads[i]) continue;
    const RefArray mine = to_ref(leaves[i].grad());
    const RefArray& theirs = *expected.grads[i];
    // Where the patterns differ, docs/design.md's table of deliberate
    // differences may cover it (testing/differences.h).
    const std::vector<Disagreement> differing =
        disagreements_between("gradient", mine, theirs, /*rtol=*/INFINITY);
    const Difference* excused = differing.empty()
                                    ? nullptr
                                    : excusing_difference(ProgramCase{program, inputs, std::nullopt,
                                                                      std::nullopt, differing});
    if (excused != nullptr) continue;
    EXPECT_EQ(classes_of(mine.values), classes_of(theirs.values))
        << info.name << " gradient of input " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, NonFiniteOracle, ::testing::ValuesIn(registry_entries()),
                         [](const auto& p) { return test_name(p.param->name); });

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// operator<< against LibTorch's print, byte for byte, over the layouts and
// number formats it chooses between.
TEST(PrintOracle, LayoutAndNumberFormatMatchLibTorch) {
  const Tensor wide = randn({3, 25}, 20);
  const std::vector<Tensor> cases = {
      scalar_tensor(2.5),
      scalar_tensor(7, kInt64),
      tensor({1, 2, 30}, {3}),                       // integers
      tensor({-1.5, 0.25, 3}, {3}, kFloat32),        // fixed, 4 decimals
      tensor({123456.5, 2.5, -7}, {3}),              // a common scale
      tensor({0.00012, 0.00034}, {2}),               // a small scale
      tensor({1e-8, 1, 1e8}, {3}),                   // scientific
      tensor({1e120, 1e-120}, {2}),                  // 3-digit exponents
      tensor({12345678901.0, 1}, {2}),               // integers past 9 digits
      tensor({NAN, INFINITY, -INFINITY, 0.5}, {4}),  // non-finite
      tensor({NAN, INFINITY}, {2}),                  // nothing finite
      tensor({-1000, 2}, {2}),                       // a large negative
      tensor({0, 0}, {2}),                           // zeros
      tensor({1, 0, 1}, {3}, kBool),
      tensor({4, -9, 120}, {3}, kInt64),
      randn({2, 3}, 21),
      randn({4, 3}, 22) * 1e6,             // scaled rows
      wide,                                // column blocks
      wide * 1e-7,                         // column blocks, scaled
      transpose(randn({3, 2}, 23), 0, 1),  // non-contiguous
      randn({2, 3, 4}, 24),
      randn({2, 1, 2, 3}, 25),
      zeros({0}),
      zeros({2, 0}),
      zeros({2, 0, 3}),
      // Found by fuzz_api: the positions of a huge dim beside an empty one
      // were listed before anything was printed.
      zeros({0, int64_t{1} << 40}),
  };
  for (const Tensor& t : cases) {
    for (const int64_t line_width : {80, 30}) {
      std::ostringstream ours;
      print(ours, t, line_width);
      EXPECT_EQ(ours.str(), torch_print(t, line_width)) << t.to_string() << " width " << line_width;
    }
  }
  std::ostringstream via_operator;
  via_operator << wide;
  EXPECT_EQ(via_operator.str(), torch_print(wide, 80));
}

// Past 1000 elements, 3 entries at each end of every dim and "..." between;
// the footer keeps the whole shape, and the stream's own format is restored.
TEST(Print, SummarisesLargeTensorsAtTheirEnds) {
  const Tensor x = arange(3000).reshape({1000, 3}).to(kFloat64);
  std::ostringstream os;
  os << x << " " << 0.5;
  const std::string text = os.str();
  // Four digits at most: five columns per number.
  EXPECT_EQ(
      text.find("    0     1     2\n    3     4     5\n    6     7     8\n  ...   ...   ...\n"), 0u)
      << text;
  EXPECT_NE(text.find(" 2997  2998  2999\n[ CPUDoubleType{1000,3} ] 0.5"), std::string::npos)
      << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 7) << text;
  std::ostringstream cube;
  cube << zeros({20, 20, 20}, kInt64);
  EXPECT_NE(cube.str().find("(3,.,.) = \n"), std::string::npos) << cube.str();
  EXPECT_NE(cube.str().find("\n...\n\n(18,.,.) = \n"), std::string::npos) << cube.str();
  EXPECT_EQ(cube.str().find("(4,"), std::string::npos) << cube.str();
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// The largest |got - exact| / |exact| over the entries.
double relative_error(const std::vector<double>& got, const std::vector<double>& exact) {
  double worst = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    worst = std::max(worst, std::fabs(got[i] - exact[i]) / std::fabs(exact[i]));
  }
  return worst;
}

// Float32 reductions over many terms, against the float64 result of the same
// float32 values: as accurate as LibTorch's cascade summation (its error is
// measured on the same input) and within a few float32 roundings. Accuracy
// only; the benchmarks time them.
TEST(Float32SumOracle, LongReductionsAreAsAccurateAsLibTorchs) {
  struct Case {
    std::string what;
    OpCall call;
    Tensor input;
  };
  const std::vector<Case> cases = {
      {"sum of 10^7 x 0.1", {.op = Op::kSum}, full({10000000}, 0.1, kFloat32)},
      {"sum of 10^7 uniforms", {.op = Op::kSum}, rand({10000000}, 31, kFloat32)},
      {"sum over dim 1 of (1000, 10000)",
       {.op = Op::kSum, .dims = {1}},
       full({1000, 10000}, 0.1, kFloat32)},
      {"sum over dim 0 of (10000, 1000)",
       {.op = Op::kSum, .dims = {0}},
       rand({10000, 1000}, 32, kFloat32)},
      {"mean of 10^7 x 0.1", {.op = Op::kMean}, full({10000000}, 0.1, kFloat32)},
      {"logsumexp of a row of 10^6",
       {.op = Op::kLogsumexp, .dims = {1}},
       rand({2, 1000000}, 33, kFloat32)},
  };
  for (const Case& c : cases) {
    const Program program = {{c.call, {0}}};
    const std::vector<double> ours = run_program(program, {c.input}).to_vector();
    const std::vector<double> exact = run_program(program, {c.input.to(kFloat64)}).to_vector();
    const double ours_error = relative_error(ours, exact);
    const double torch_error = relative_error(torch_forward(program, {c.input}).values, exact);
    EXPECT_LE(ours_error, std::max(torch_error, 1e-7))
        << c.what << ": LibTorch's error " << torch_error;
    EXPECT_LE(ours_error, 3e-7) << c.what;
  }
  // A softmax row of 10^6 entries sums to 1 as closely as LibTorch's.
  const Tensor logits = rand({1, 1000000}, 34, kFloat32);
  const Program softmax_program = {{{.op = Op::kSoftmax, .dims = {1}}, {0}}};
  const double ours_total =
      run_program(softmax_program, {logits}).to(kFloat64).sum().item<double>();
  const double torch_total = [&] {
    double total = 0;
    for (const double v : torch_forward(softmax_program, {logits}).values) total += v;
    return total;
  }();
  EXPECT_LE(std::fabs(ours_total - 1), std::max(std::fabs(torch_total - 1), 1e-6));
}

}  // namespace
}  // namespace minitorch::testing
