// nn (Linear, Embedding) and optim (SGD, Adam): gradients by gradcheck and
// against LibTorch, initialisation, and optimizer steps against LibTorch's
// own optimizers at float64 within 1e-10.
#include <gtest/gtest.h>

#include <cmath>

#include "minitorch/minitorch.h"
#include "test_util.h"
#include "testing/op_call.h"
#include "torch_oracle.h"

namespace minitorch::testing {
namespace {

TEST(Linear, ShapesAndLibTorchInitialisationBounds) {
  nn::Linear layer(nn::LinearOptions(50, 7).seed(3).dtype(kFloat64));
  EXPECT_EQ(layer->weight.shape(), (Shape{7, 50}));
  EXPECT_EQ(layer->bias.shape(), (Shape{7}));
  EXPECT_EQ(layer->parameters().size(), 2u);
  const double bound = 1 / std::sqrt(50.0);
  double lo = 1, hi = -1;
  for (double w : layer->weight.to_vector()) {
    lo = std::min(lo, w);
    hi = std::max(hi, w);
  }
  EXPECT_GE(lo, -bound);
  EXPECT_LE(hi, bound);
  EXPECT_LT(lo, -0.9 * bound);  // spread over the whole interval
  EXPECT_GT(hi, 0.9 * bound);
  nn::Linear same(nn::LinearOptions(50, 7).seed(3).dtype(kFloat64));
  EXPECT_EQ(same->weight.to_vector(), layer->weight.to_vector());
  EXPECT_EQ(layer(zeros({4, 50})).shape(), (Shape{4, 7}));
  EXPECT_THROW(layer(zeros({4, 49})), Error);
  EXPECT_FALSE(nn::Linear(nn::LinearOptions(3, 2).bias(false))->bias.defined());
}

TEST(Linear, LayersBuiltOneAfterAnotherStartDifferent) {
  nn::Linear first(64, 64), second(64, 64);
  EXPECT_NE(first->weight.to_vector(), second->weight.to_vector());
  EXPECT_NE(first->bias.to_vector(), second->bias.to_vector());
  nn::Embedding a(10, 4), b(10, 4);
  EXPECT_NE(a->weight.to_vector(), b->weight.to_vector());
}

TEST(Linear, ManualSeedMakesATrainingRunBitwiseReproducible) {
  const auto train = [] {
    manual_seed(2026);
    nn::Linear hidden(4, 8), output(8, 3);
    optim::SGD sgd(
        [&] {
          std::vector<Tensor> p = hidden->parameters();
          for (const Tensor& t : output->parameters()) p.push_back(t);
          return p;
        }(),
        optim::SGDOptions(0.1));
    const Tensor x = randn({16, 4}, kFloat32);
    const Tensor y = randint(3, {16});
    for (int step = 0; step < 5; ++step) {
      sgd.zero_grad();
      cross_entropy(output(relu(hidden(x))), y).backward();
      sgd.step();
    }
    return output->weight.to_vector();
  };
  const std::vector<double> once = train();
  EXPECT_EQ(train(), once);
  manual_seed(1);
  EXPECT_NE(nn::Linear(8, 3)->weight.to_vector(), nn::Linear(8, 3)->weight.to_vector());
}

TEST(Linear, RefusesAnInputOfAnotherDtype) {
  nn::Linear layer(3, 2);  // float32, as LibTorch's default
  EXPECT_THROW(layer(zeros({2, 3}, kFloat64)), Error);
  EXPECT_EQ(layer(zeros({2, 3}, kFloat32)).dtype(), kFloat32);
  EXPECT_THROW(matmul(zeros({2, 3}, kFloat32), zeros({3, 2}, kFloat64)), Error);
}

TEST(Linear, GradcheckOnInputWeightAndBias) {
  nn::Linear layer(nn::LinearOptions(4, 3).seed(1).dtype(kFloat64));
  const Tensor x = randn({5, 4}, 2);
  const GradcheckResult r =
      gradcheck([&](const std::vector<Tensor>& in) { return matmul(in[0], in[1].t()) + in[2]; },
                {x, layer->weight.detach(), layer->bias.detach()});
  EXPECT_TRUE(r.ok) << r.message;
  // The module computes exactly that function.
  EXPECT_TRUE(all_close(layer(x), matmul(x, layer->weight.t()) + layer->bias, 0, 0));
}

TEST(Linear, GradientsMatchLibTorch) {
  nn::Linear layer(nn::LinearOptions(4, 3).seed(1).dtype(kFloat64));
  const Tensor x = randn({5, 4}, 2);
  const Tensor cotangent = randn({5, 3}, 4);
  layer(x).backward(cotangent);
  // LibTorch's linear as ops: x @ weight^T + bias.
  const Program linear = {{OpCall{.op = Op::kTranspose, .dims = {0, 1}}, {1}},
                          {OpCall{.op = Op::kMatmul}, {0, 3}},
                          {OpCall{.op = Op::kAdd}, {4, 2}}};
  const OracleResult expected =
      torch_run(linear, {x, layer->weight.detach(), layer->bias.detach()}, cotangent);
  EXPECT_TRUE(all_close(layer->weight.grad(), *expected.grads[1], 1e-12, 1e-12));
  EXPECT_TRUE(all_close(layer->bias.grad(), *expected.grads[2], 1e-12, 1e-12));
}

TEST(Embedding, ForwardGradcheckAndLibTorch) {
  nn::Embedding table(nn::EmbeddingOptions(6, 3).seed(5).dtype(kFloat64));
  const Tensor indices = tensor({1, 4, 1, 0, 5, 1}, {2, 3}, kInt64);
  const Tensor out = table(indices);
  EXPECT_EQ(out.shape(), (Shape{2, 3, 3}));
  const GradcheckResult r =
      gradcheck([&](const std::vector<Tensor>& in) { return embedding(in[0], indices).tanh(); },
                {table->weight.detach()});
  EXPECT_TRUE(r.ok) << r.message;
  const Tensor cotangent = randn({2, 3, 3}, 7);
  out.backward(cotangent);
  const OracleResult expected =
      torch_run({{OpCall{.op = Op::kEmbedding, .constant = indices}, {0}}},
                {table->weight.detach()}, cotangent);
  EXPECT_TRUE(all_close(out, expected.forward, 0, 0));
  // Row 1 is used three times: its gradient is the sum of three rows.
  EXPECT_TRUE(all_close(table->weight.grad(), *expected.grads[0], 1e-14, 1e-14));
  EXPECT_THROW(table(tensor({6}, {1}, kInt64)), Error);
  EXPECT_THROW(table(tensor({1}, {1})), Error);
}

TEST(Embedding, SecondDerivativeThroughTheScatter) {
  const Tensor indices = tensor({0, 2, 2}, {3}, kInt64);
  Tensor w = randn({3, 2}, 1).requires_grad_();
  // d/dw of sum(g(w)^2) where g = grad of sum(embedding(w)^3) w.r.t. w.
  const Tensor g =
      grad((embedding(w, indices) * embedding(w, indices) * embedding(w, indices)).sum(), {w}, {},
           false, /*create_graph=*/true)[0];
  const Tensor h = grad((g * g).sum(), {w})[0];
  const GradcheckResult r = gradgradcheck(
      [&](const std::vector<Tensor>& in) {
        const Tensor e = embedding(in[0], indices);
        return e * e * e;
      },
      {w.detach()});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(h.shape(), (Shape{3, 2}));
}

// LayerNorm: gradcheck and gradgradcheck through weight, bias and input,
// and LibTorch's layer_norm at float64 and float32, over one and two
// normalised dims, with and without the affine part.
TEST(LayerNorm, GradcheckGradgradcheckAndLibTorch) {
  struct Case {
    Shape input;
    std::vector<int64_t> normalized;
    bool affine;
  };
  for (const Case& c : {Case{{4, 5}, {5}, true}, Case{{2, 3, 4}, {3, 4}, true},
                        Case{{3, 6}, {6}, false}, Case{{7}, {7}, true}}) {
    const std::string what = c.input.to_string() + " over " + Shape(c.normalized).to_string();
    const Tensor x = randn(c.input, 21) * 3.0 + 1.0;
    const Tensor w = c.affine ? randn(Shape(c.normalized), 22) : Tensor();
    const Tensor b = c.affine ? randn(Shape(c.normalized), 23) : Tensor();
    const auto layer_norm = [&](const std::vector<Tensor>& in) {
      nn::functional::LayerNormFuncOptions options(c.normalized);
      if (c.affine) options.weight(in[1]).bias(in[2]);
      return nn::functional::layer_norm(in[0], options.eps(1e-5));
    };
    const std::vector<Tensor> inputs = c.affine ? std::vector<Tensor>{x, w, b} : std::vector{x};
    const GradcheckResult first = gradcheck(layer_norm, inputs);
    EXPECT_TRUE(first.ok) << what << ": " << first.message;
    const GradcheckResult second = gradgradcheck(layer_norm, inputs);
    EXPECT_TRUE(second.ok) << what << ": " << second.message;
    for (const DType dtype : {kFloat64, kFloat32}) {
      std::vector<Tensor> leaves;
      for (const Tensor& t : inputs) leaves.push_back(t.detach().to(dtype).requires_grad_());
      const Tensor cotangent = randn(c.input, 24, dtype);
      const Tensor out = layer_norm(leaves);
      out.backward(cotangent);
      const TorchLayerNorm want = torch_layer_norm(
          leaves[0].detach(), c.normalized, c.affine ? leaves[1].detach() : Tensor(),
          c.affine ? leaves[2].detach() : Tensor(), 1e-5, cotangent);
      const double tol = dtype == kFloat64 ? 1e-10 : 1e-5;
      const std::string at = what + " " + dtype_name(dtype);
      EXPECT_EQ(out.dtype(), dtype);
      EXPECT_TRUE(all_close(out, want.forward, tol, tol)) << at;
      EXPECT_TRUE(all_close(leaves[0].grad(), want.grad_input, tol, tol)) << at;
      if (c.affine) {
        EXPECT_TRUE(all_close(leaves[1].grad(), *want.grad_weight, tol, tol)) << at;
        EXPECT_TRUE(all_close(leaves[2].grad(), *want.grad_bias, tol, tol)) << at;
      }
    }
  }
  // The module is that function, from weight ones and bias zeros.
  nn::LayerNorm norm(nn::LayerNormOptions({5}).dtype(kFloat64));
  const Tensor x = randn({4, 5}, 25);
  const TorchLayerNorm want = torch_layer_norm(x, {5}, ones({5}), zeros({5}), 1e-5, ones({4, 5}));
  EXPECT_TRUE(all_close(norm(x), want.forward, 1e-12, 1e-12));
}

class OptimizerOracle : public ::testing::TestWithParam<OptimizerSettings> {};

// minitorch's optimizer (and scheduler) as the settings describe, over
// `params`: one group, or parameter i alone in group i with group_lrs[i].
std::unique_ptr<optim::Optimizer> build_optimizer(const OptimizerSettings& s,
                                                  const std::vector<Tensor>& params) {
  const auto options = [&](double lr) -> std::unique_ptr<optim::OptimizerOptions> {
    if (s.kind == "sgd") {
      return std::make_unique<optim::SGDOptions>(optim::SGDOptions(lr)
                                                     .momentum(s.momentum)
                                                     .dampening(s.dampening)
                                                     .weight_decay(s.weight_decay)
                                                     .nesterov(s.nesterov));
    }
    return std::make_unique<optim::AdamOptions>(optim::AdamOptions(lr)
                                                    .betas({s.beta1, s.beta2})
                                                    .eps(s.eps)
                                                    .weight_decay(s.weight_decay)
                                                    .amsgrad(s.amsgrad));
  };
  std::vector<optim::OptimizerParamGroup> groups;
  if (s.group_lrs.empty()) {
    groups.emplace_back(params);
  } else {
    for (size_t i = 0; i < params.size(); ++i) {
      groups.emplace_back(std::vector<Tensor>{params[i]}, options(s.group_lrs[i]));
    }
  }
  if (s.kind == "sgd") {
    return std::make_unique<optim::SGD>(groups, static_cast<optim::SGDOptions&>(*options(s.lr)));
  }
  return std::make_unique<optim::Adam>(groups, static_cast<optim::AdamOptions&>(*options(s.lr)));
}

std::unique_ptr<optim::LRScheduler> build_scheduler(const OptimizerSettings& s,
                                                    optim::Optimizer& optimizer) {
  if (s.scheduler == "step")
    return std::make_unique<optim::StepLR>(optimizer, s.step_size, s.gamma);
  if (s.scheduler == "exponential")
    return std::make_unique<optim::ExponentialLR>(optimizer, s.gamma);
  if (s.scheduler == "cosine") {
    return std::make_unique<optim::CosineAnnealingLR>(optimizer, s.t_max, s.eta_min);
  }
  if (s.scheduler == "linear") {
    return std::make_unique<optim::LinearLR>(optimizer, s.start_factor, s.end_factor,
                                             s.total_iters);
  }
  return nullptr;
}

TEST_P(OptimizerOracle, TwentyStepTrajectoryMatchesLibTorch) {
  const OptimizerSettings& s = GetParam();
  std::vector<Tensor> params = {randn({3, 2}, 1).requires_grad_(), randn({4}, 2).requires_grad_()};
  const std::vector<Tensor> targets = {randn({3, 2}, 3), randn({4}, 4)};
  std::vector<Tensor> initial;
  for (const Tensor& p : params) initial.push_back(p.detach().clone());
  const std::unique_ptr<optim::Optimizer> optimizer = build_optimizer(s, params);
  const std::unique_ptr<optim::LRScheduler> scheduler = build_scheduler(s, *optimizer);
  const Program loss = optimizer_test_loss();
  constexpr int kSteps = 20;
  const std::vector<std::vector<RefArray>> expected = torch_optimize(s, initial, targets, kSteps);
  for (int step = 0; step < kSteps; ++step) {
    optimizer->zero_grad();
    Tensor total = scalar_tensor(0.0);
    for (size_t i = 0; i < params.size(); ++i) {
      total = total + run_program(loss, {params[i], targets[i], scalar_tensor(0.1)});
    }
    total.backward();
    optimizer->step();
    if (scheduler) scheduler->step();
    for (size_t i = 0; i < params.size(); ++i) {
      ASSERT_TRUE(all_close(params[i], expected[step][i], 1e-10, 1e-10))
          << s.kind << " " << s.scheduler << " parameter " << i << " after step " << step + 1;
    }
  }
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_FALSE(all_close(params[i], to_ref(initial[i]), 1e-6, 1e-6))
        << "the parameters did not move";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Settings, OptimizerOracle,
    ::testing::Values(
        OptimizerSettings{.kind = "sgd", .lr = 0.1},
        OptimizerSettings{.kind = "sgd", .lr = 0.05, .momentum = 0.9},
        OptimizerSettings{
            .kind = "sgd", .lr = 0.05, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01},
        OptimizerSettings{
            .kind = "sgd", .lr = 0.05, .momentum = 0.8, .weight_decay = 0.02, .nesterov = true},
        OptimizerSettings{.kind = "adam", .lr = 0.01},
        OptimizerSettings{.kind = "adam",
                          .lr = 0.02,
                          .weight_decay = 0.05,
                          .beta1 = 0.8,
                          .beta2 = 0.99,
                          .eps = 1e-6},
        OptimizerSettings{.kind = "adam", .lr = 0.01, .amsgrad = true},
        // Param groups with their own lr, under every scheduler.
        OptimizerSettings{.kind = "sgd", .lr = 0.05, .momentum = 0.9, .group_lrs = {0.1, 0.01}},
        OptimizerSettings{.kind = "adam", .lr = 0.01, .group_lrs = {0.03, 0.002}},
        OptimizerSettings{.kind = "sgd",
                          .lr = 0.1,
                          .momentum = 0.5,
                          .group_lrs = {0.2, 0.05},
                          .scheduler = "step"},
        OptimizerSettings{
            .kind = "adam", .lr = 0.02, .group_lrs = {0.05, 0.01}, .scheduler = "exponential"},
        OptimizerSettings{
            .kind = "adam", .lr = 0.03, .group_lrs = {0.05, 0.02}, .scheduler = "cosine"},
        OptimizerSettings{.kind = "sgd",
                          .lr = 0.1,
                          .momentum = 0.9,
                          .nesterov = true,
                          .group_lrs = {0.1, 0.3},
                          .scheduler = "linear"},
        OptimizerSettings{.kind = "adam", .lr = 0.02, .amsgrad = true, .scheduler = "cosine"}),
    [](const auto& p) {
      return p.param.kind + std::to_string(p.index) + (p.param.group_lrs.empty() ? "" : "_groups") +
             (p.param.scheduler.empty() ? "" : "_" + p.param.scheduler);
    });

TEST(Optimizer, RejectsNonLeafParameters) {
  Tensor w = ones({2}).requires_grad_();
  EXPECT_THROW(optim::SGD({w * 2.0}, optim::SGDOptions(0.1)), Error);
  EXPECT_THROW(optim::Adam({ones({2})}, optim::AdamOptions(0.1)), Error);
}

}  // namespace
}  // namespace minitorch::testing

namespace minitorch::testing {
namespace {

// Parameters whose gradients are `grads` (set as a backward would leave them).
std::vector<Tensor> parameters_with(const std::vector<Tensor>& grads) {
  std::vector<Tensor> parameters;
  for (const Tensor& g : grads) {
    Tensor p = zeros(g.shape(), g.dtype()).requires_grad_();
    p.set_grad(g.clone());
    parameters.push_back(p);
  }
  return parameters;
}

// clip_grad_norm_ and clip_grad_value_ against LibTorch: the total norm and
// every clipped gradient, for 2-, 1-, 3- and inf-norms, both dtypes, with a
// bound that clips and one that does not, and a parameter without gradient.
TEST(ClipGrad, NormAndValueMatchLibTorch) {
  for (const DType dtype : {kFloat64, kFloat32}) {
    const std::vector<Tensor> grads = {randn({3, 4}, 41, dtype) * 2.0, randn({5}, 42, dtype),
                                       scalar_tensor(-3.5, dtype)};
    for (const double norm_type : {2.0, 1.0, 3.0, static_cast<double>(INFINITY)}) {
      for (const double max_norm : {0.5, 1e6}) {
        std::vector<Tensor> parameters = parameters_with(grads);
        parameters.push_back(zeros({2}).requires_grad_());  // no gradient: skipped
        const double total = nn::utils::clip_grad_norm_(parameters, max_norm, norm_type);
        const TorchClipped want = torch_clip_grad_norm(grads, max_norm, norm_type);
        const double tol = dtype == kFloat64 ? 1e-12 : 1e-6;
        const std::string what = std::string(dtype_name(dtype)) + " norm " +
                                 std::to_string(norm_type) + " max " + std::to_string(max_norm);
        EXPECT_NEAR(total, want.total, tol * want.total) << what;
        for (size_t i = 0; i < grads.size(); ++i) {
          EXPECT_TRUE(all_close(parameters[i].grad(), want.grads[i], tol, tol)) << what << " " << i;
        }
        EXPECT_FALSE(parameters.back().grad().defined());
      }
    }
    std::vector<Tensor> parameters = parameters_with(grads);
    nn::utils::clip_grad_value_(parameters, 0.75);
    const TorchClipped want = torch_clip_grad_value(grads, 0.75);
    for (size_t i = 0; i < grads.size(); ++i) {
      EXPECT_TRUE(all_close(parameters[i].grad(), want.grads[i], 0, 0)) << i;
    }
  }
}

TEST(ClipGrad, NonFiniteTotalIsAnErrorOnlyWhenAsked) {
  const std::vector<Tensor> grads = {tensor({1, NAN}, {2})};
  std::vector<Tensor> parameters = parameters_with(grads);
  EXPECT_TRUE(std::isnan(nn::utils::clip_grad_norm_(parameters, 1.0)));
  EXPECT_TRUE(std::isnan(nn::utils::clip_grad_norm_(parameters, 1.0, INFINITY)));
  try {
    nn::utils::clip_grad_norm_(parameters, 1.0, 2.0, /*error_if_nonfinite=*/true);
    FAIL() << "a NaN total norm passed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("clip_grad_norm_"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not finite"), std::string::npos) << e.what();
  }
  EXPECT_THROW(nn::utils::clip_grad_norm_(parameters, 1.0, 0.0), Error);
}

}  // namespace
}  // namespace minitorch::testing
