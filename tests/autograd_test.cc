// The backward engine: graph shapes, accumulation, grad mode, deep graphs.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "minitorch/minitorch.h"
#include "test_util.h"

namespace minitorch::testing {
namespace {

TEST(Engine, DiamondGraphSumsBothPaths) {
  // y = a * b + a * c with b = exp(x), c = tanh(x): x reaches y along two paths.
  Tensor x = tensor({0.3, -1.2}, {2}).requires_grad_();
  Tensor a = tensor({2.0, 3.0}, {2});
  Tensor b = exp(x);
  Tensor c = tanh(x);
  (a * b + a * c).sum().backward();
  std::vector<double> expected;
  for (size_t i = 0; i < 2; ++i) {
    const double xi = x.to_vector()[i];
    const double ai = a.to_vector()[i];
    expected.push_back(ai * std::exp(xi) + ai * (1 - std::tanh(xi) * std::tanh(xi)));
  }
  EXPECT_TRUE(all_close({2}, x.grad().to_vector(), {2}, expected, 1e-14, 0));
}

TEST(Engine, TensorUsedTwice) {
  Tensor x = tensor({1.5, -2.0, 0.25}, {3}).requires_grad_();
  (x * x + x).sum().backward();
  EXPECT_TRUE(all_close({3}, x.grad().to_vector(), {3}, {4.0, -3.0, 1.5}, 0, 0));
}

TEST(Engine, GradientsAccumulateAcrossBackwardCalls) {
  Tensor x = tensor({1.0, 2.0}, {2}).requires_grad_();
  (x * 3.0).sum().backward();
  (x * x).sum().backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{3 + 2, 3 + 4}));
  x.set_grad(Tensor());
  (x * 3.0).sum().backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{3, 3}));
}

TEST(Engine, LeafGradDoesNotAliasOtherGradients) {
  // add's backward hands the same tensor to both inputs; accumulating into
  // one leaf's grad must not change the other's.
  Tensor a = zeros({2}).requires_grad_();
  Tensor b = zeros({2}).requires_grad_();
  (a + b).sum().backward();
  (a * 5.0).sum().backward();
  EXPECT_EQ(a.grad().to_vector(), (std::vector<double>{6, 6}));
  EXPECT_EQ(b.grad().to_vector(), (std::vector<double>{1, 1}));
}

TEST(Engine, LeafKeepsOnlyGradientsNothingElseReaches) {
  // A leaf may keep the engine's own dense gradient instead of copying it,
  // but never one that another leaf or the caller still holds.
  Tensor a = zeros({2}).requires_grad_();
  Tensor b = zeros({2}).requires_grad_();
  exp(a + b).sum().backward();  // one dense gradient, handed to both leaves
  a.grad().add_(ones({2}));
  EXPECT_EQ(a.grad().to_vector(), (std::vector<double>{2, 2}));
  EXPECT_EQ(b.grad().to_vector(), (std::vector<double>{1, 1}));

  Tensor c = zeros({2}).requires_grad_();
  Tensor g = ones({2});
  c.clone().backward(g);  // clone's backward passes the caller's tensor through
  g.add_(ones({2}));
  EXPECT_EQ(c.grad().to_vector(), (std::vector<double>{1, 1}));
}

TEST(Engine, DetachStopsGradient) {
  Tensor x = tensor({2.0}, {1}).requires_grad_();
  Tensor y = x * x.detach();
  EXPECT_FALSE(x.detach().requires_grad());
  y.sum().backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{2.0}));
}

TEST(Engine, NoGradGuardRecordsNothingAndRestores) {
  Tensor x = ones({2}).requires_grad_();
  EXPECT_TRUE(is_grad_enabled());
  {
    NoGradGuard guard;
    EXPECT_FALSE(is_grad_enabled());
    {
      NoGradGuard nested;
      EXPECT_FALSE(is_grad_enabled());
    }
    EXPECT_FALSE(is_grad_enabled());
    Tensor y = x * 2.0;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_leaf());
  }
  EXPECT_TRUE(is_grad_enabled());
  EXPECT_TRUE((x * 2.0).requires_grad());
}

TEST(Engine, GradModeIsThreadLocal) {
  NoGradGuard guard;
  bool other_thread_enabled = false;
  std::thread([&] { other_thread_enabled = is_grad_enabled(); }).join();
  EXPECT_TRUE(other_thread_enabled);
  EXPECT_FALSE(is_grad_enabled());
}

TEST(Engine, InputsWithoutRequiresGradGetNoGrad) {
  Tensor a = ones({2}).requires_grad_();
  Tensor b = ones({2});
  (a * b).sum().backward();
  EXPECT_TRUE(a.grad().defined());
  EXPECT_FALSE(b.grad().defined());
}

TEST(Engine, NonLeafHasNoGrad) {
  Tensor a = ones({2}).requires_grad_();
  Tensor h = a * 2.0;
  h.sum().backward();
  EXPECT_FALSE(h.is_leaf());
  EXPECT_FALSE(h.grad().defined());
  EXPECT_EQ(h.grad_fn_name(), "mul");
}

TEST(Engine, BackwardWithExplicitGradient) {
  Tensor x = tensor({1, 2, 3}, {3}).requires_grad_();
  (x * x).backward(tensor({1, 10, 100}, {3}));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{2, 40, 600}));
}

TEST(Engine, GraphIsFreedAfterBackward) {
  Tensor x = ones({2}).requires_grad_();
  Tensor y = (x.exp() * x).sum();
  y.backward();
  EXPECT_THROW(y.backward(), Error);
  Tensor z = (x.exp() * x).sum();
  z.backward({}, /*retain_graph=*/true);
  z.backward();
  EXPECT_TRUE(all_close({2}, x.grad().to_vector(), {2},
                        {3 * 2 * std::exp(1.0), 3 * 2 * std::exp(1.0)}, 1e-14, 0));
}

TEST(Engine, GraphNodesAreReleasedWithTheirOutputs) {
  const int64_t before = live_graph_nodes();
  {
    Tensor x = ones({3}).requires_grad_();  // its accumulator is one node
    Tensor y = ((x * 2.0).exp() + x).sum();
    EXPECT_GE(live_graph_nodes(), before + 5);
    y.backward();
  }
  EXPECT_EQ(live_graph_nodes(), before);
}

TEST(Engine, GradFunctionLeavesDotGradUntouched) {
  Tensor x = tensor({1, 2}, {2}).requires_grad_();
  Tensor w = tensor({3, 4}, {2}).requires_grad_();
  std::vector<Tensor> g = grad((x * w).sum(), {x, w});
  EXPECT_EQ(g[0].to_vector(), (std::vector<double>{3, 4}));
  EXPECT_EQ(g[1].to_vector(), (std::vector<double>{1, 2}));
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
}

TEST(Engine, CreateGraphGivesSecondDerivatives) {
  Tensor x = tensor({0.5, -1.5}, {2}).requires_grad_();
  Tensor dy = grad((x * x * x).sum(), {x}, {}, false, /*create_graph=*/true)[0];  // 3x^2
  Tensor d2y = grad(dy.sum(), {x})[0];                                            // 6x
  EXPECT_TRUE(all_close({2}, d2y.to_vector(), {2}, {3.0, -9.0}, 1e-14, 0));
  Tensor t = tanh(x);
  Tensor dt = grad(t.sum(), {x}, {}, false, true)[0];  // 1 - tanh^2
  Tensor d2t = grad(dt.sum(), {x})[0];                 // -2 tanh (1 - tanh^2)
  std::vector<double> expected;
  for (double v : x.to_vector())
    expected.push_back(-2 * std::tanh(v) * (1 - std::tanh(v) * std::tanh(v)));
  EXPECT_TRUE(all_close({2}, d2t.to_vector(), {2}, expected, 1e-14, 1e-15));
}

// relu's backward selects in both forms, as LibTorch's threshold_backward:
// an infinite or NaN gradient arriving where relu is flat stops there.
TEST(Engine, ReluBackwardSelectsWithAndWithoutCreateGraph) {
  const Tensor x = tensor({-1, 0, 2}, {3}).requires_grad_();
  const Tensor incoming = tensor({INFINITY, NAN, 1}, {3});
  for (const bool create_graph : {false, true}) {
    const std::vector<double> g =
        grad(relu(x), {x}, incoming, /*retain_graph=*/false, create_graph)[0].to_vector();
    EXPECT_EQ(g, (std::vector<double>{0, 0, 1})) << "create_graph " << create_graph;
  }
}

// A chain a million ops deep is built, backpropagated and destroyed without
// recursion (a recursive engine or destructor overflows the stack here).
TEST(Engine, MillionOpChain) {
  Tensor x = scalar_tensor(0.5).requires_grad_();
  Tensor y = x;
  for (int i = 0; i < 1000000; ++i) y = y * 1.0 + 1e-6;
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 1.0);
  EXPECT_NEAR(y.item(), 1.5, 1e-9);
  const int64_t before = live_graph_nodes();
  y = Tensor();  // drops the whole chain
  EXPECT_LE(live_graph_nodes(), before - 2000000);
}

TEST(Engine, MillionOpChainDestroyedWithoutBackward) {
  const int64_t before = live_graph_nodes();
  {
    Tensor x = scalar_tensor(0.5).requires_grad_();
    Tensor y = x;
    for (int i = 0; i < 1000000; ++i) y = y.exp().log();
  }
  EXPECT_EQ(live_graph_nodes(), before);
}

TEST(Engine, ViewsOfLeavesRouteGradientsBack) {
  Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3}).requires_grad_();
  Tensor y = x.transpose(0, 1).reshape({-1}).unsqueeze(0).expand({2, 6});
  (y * tensor({1, 2, 3, 4, 5, 6}, {6})).sum().backward();
  // y[0][k] walks x column-major: k -> x[k % 2][k / 2]; each appears twice.
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{2, 6, 10, 4, 8, 12}));
}

}  // namespace
}  // namespace minitorch::testing
