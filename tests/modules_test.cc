// The training toolkit as a LibTorch user writes with it: module holders
// and MINITORCH_MODULE, the module tree, train/eval, to(dtype), Sequential,
// the activation, Dropout and LayerNorm modules, nn::init, param groups,
// schedulers, and optimizer state that resumes training bit for bit.
// (LibTorch oracles for optimizers, schedulers and LayerNorm: nn_test.cc;
// Dropout's statistics: property_test.cc.)
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>

#include "minitorch/minitorch.h"
#include "test_util.h"

namespace minitorch::testing {
namespace {

// A user's module, declared as LibTorch users declare theirs.
struct NetImpl : nn::Module {
  explicit NetImpl(int64_t hidden) {
    fc1 = register_module("fc1", nn::Linear(nn::LinearOptions(3, hidden).dtype(kFloat64)));
    fc2 = register_module("fc2", nn::Linear(nn::LinearOptions(hidden, 2).dtype(kFloat64)));
    norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({hidden}).dtype(kFloat64)));
    steps = register_buffer("steps", zeros({1}, kFloat64));
  }
  Tensor forward(const Tensor& x) { return fc2(dropout(norm(fc1(x)).tanh())); }

  nn::Linear fc1{nullptr}, fc2{nullptr};
  nn::LayerNorm norm{nullptr};
  nn::Dropout dropout = register_module("dropout", nn::Dropout(0.25));
  Tensor steps;
};
MINITORCH_MODULE(Net);

TEST(ModuleHolder, NullptrStateCopiesShareAndRegistrationReturnsWhatItRegistered) {
  nn::Linear empty{nullptr};
  EXPECT_TRUE(empty.is_empty());
  EXPECT_THROW(empty->weight, Error);
  EXPECT_THROW(empty(zeros({1, 2})), Error);
  nn::Linear a(2, 3);
  nn::Linear b(a);  // a copy shares the module, as LibTorch's holders do
  nn::Linear c = a;
  EXPECT_EQ(b.get(), a.get());
  EXPECT_EQ(c.ptr(), a.ptr());
  empty = a;
  EXPECT_EQ(empty.get(), a.get());
  {
    NoGradGuard no_grad;
    b->weight.fill_(0.5);
  }
  EXPECT_EQ(a->weight.to_vector(), std::vector<double>(6, 0.5));

  Net net(4);
  EXPECT_FALSE(net.is_empty());
  EXPECT_FALSE(net->fc1.is_empty());
  // register_module returned the registered module; register_buffer the buffer.
  EXPECT_EQ(net->named_children()[1].first, "fc1");
  EXPECT_EQ(net->named_children()[1].second.get(), net->fc1.get());
  EXPECT_EQ(net->named_buffers()[0].second.impl(), net->steps.impl());
  EXPECT_EQ(net(zeros({5, 3})).shape(), (Shape{5, 2}));
  Net unset{nullptr};
  EXPECT_THROW(unset(zeros({5, 3})), Error);
}

TEST(ModuleHolder, RegistrationRefusesBadNames) {
  struct Bad : nn::Module {
    void add(const std::string& name) { register_parameter(name, zeros({2})); }
    void add_module(const std::string& name, const nn::Linear& module) {
      register_module(name, module);
    }
  };
  Bad bad;
  bad.add("w");
  EXPECT_THROW(bad.add("w"), Error);
  EXPECT_THROW(bad.add(""), Error);
  EXPECT_THROW(bad.add("a.b"), Error);
  EXPECT_THROW(bad.add_module("w", nn::Linear(1, 1)), Error);
  EXPECT_THROW(bad.add_module("empty", nn::Linear(nullptr)), Error);
  try {
    bad.add("a.b");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("register_parameter: name 'a.b'"), std::string::npos)
        << e.what();
  }
}

TEST(Module, TreeNamesInRegistrationOrder) {
  Net net(4);
  std::vector<std::string> names;
  for (const auto& [name, p] : net->named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                                             "norm.weight", "norm.bias"}));
  EXPECT_EQ(net->named_parameters(/*recurse=*/false).size(), 0u);
  names.clear();
  for (const auto& [name, m] : net->named_modules()) names.push_back(name);
  // The dropout member registered itself before the constructor body ran.
  EXPECT_EQ(names, (std::vector<std::string>{"", "dropout", "fc1", "fc2", "norm"}));
  EXPECT_EQ(net->named_modules()[0].second.get(), net.get());
  EXPECT_EQ(net->children().size(), 4u);
  EXPECT_EQ(net->modules(/*include_self=*/false).size(), 4u);
  EXPECT_EQ(net->buffers().size(), 1u);

  nn::Sequential outer(nn::Linear(2, 2), nn::Sequential(nn::Tanh(), nn::Linear(2, 1)));
  names.clear();
  for (const auto& [name, m] : outer->named_modules()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"", "0", "1", "1.0", "1.1"}));
  names.clear();
  for (const auto& [name, p] : outer->named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "1.1.weight", "1.1.bias"}));
  // A module on the stack has no shared owner to name itself by.
  nn::LinearImpl plain(2, 2);
  EXPECT_THROW(plain.named_modules(), Error);
  EXPECT_EQ(plain.named_modules(/*include_self=*/false).size(), 0u);
}

TEST(Module, TrainAndEvalReachEveryDescendantAndDropout) {
  Net net(6);
  EXPECT_TRUE(net->is_training());
  net->eval();
  for (const auto& m : net->modules()) EXPECT_FALSE(m->is_training());
  const Tensor x = randn({8, 3}, 1);
  // In eval mode Dropout is the identity: two calls agree.
  EXPECT_TRUE(all_close(net(x), net(x), 0, 0));
  net->train();
  for (const auto& m : net->modules()) EXPECT_TRUE(m->is_training());
  manual_seed(1);
  const Tensor first = net(x);
  manual_seed(2);
  EXPECT_FALSE(all_close(first, net(x), 0, 0));
}

TEST(Module, ToConvertsParametersBuffersAndGradientsInPlace) {
  Net net(4);
  const Tensor weight = net->fc1->weight;  // a handle taken before the change
  const std::vector<double> before = weight.to_vector();
  net->eval();
  const Tensor x = randn({2, 3}, 3);
  const Tensor loss_before = net(x).sum();
  net(x).sum().backward();
  net->to(kFloat32);
  for (const Tensor& p : net->parameters()) {
    EXPECT_EQ(p.dtype(), kFloat32);
    EXPECT_TRUE(p.requires_grad());
    EXPECT_TRUE(p.is_leaf());
    EXPECT_EQ(p.grad().dtype(), kFloat32);
  }
  EXPECT_EQ(net->steps.dtype(), kFloat32);
  EXPECT_EQ(weight.dtype(), kFloat32);
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(weight.to_vector()[i], static_cast<double>(static_cast<float>(before[i])));
  }
  // A graph recorded before the change refuses to run backward.
  EXPECT_THROW(loss_before.backward(), Error);
  // A new graph trains at the new dtype.
  net->zero_grad();
  net(x.to(kFloat32)).sum().backward();
  EXPECT_EQ(net->fc1->weight.grad().dtype(), kFloat32);
  EXPECT_THROW(net(x), Error);  // a float64 input no longer fits
  EXPECT_THROW(net->to(kInt64), Error);
}

TEST(Sequential, ChainsItsModulesAndNamesThem) {
  manual_seed(5);
  nn::Linear first(nn::LinearOptions(3, 4).dtype(kFloat64));
  nn::Linear last(nn::LinearOptions(4, 2).dtype(kFloat64));
  nn::Sequential seq(first, nn::ReLU(), last, nn::Sigmoid());
  const Tensor x = randn({5, 3}, 6);
  EXPECT_TRUE(all_close(seq(x), sigmoid(last(relu(first(x)))), 0, 0));
  EXPECT_EQ(seq->size(), 4u);
  EXPECT_EQ(seq->parameters().size(), 4u);
  EXPECT_EQ(&seq->at<nn::LinearImpl>(0), first.get());
  EXPECT_THROW(seq->at<nn::LinearImpl>(1), Error);
  EXPECT_THROW(seq->ptr(4), Error);
  EXPECT_EQ(seq[1].get(), seq->ptr(1).get());
  seq->push_back("out", nn::Tanh());
  EXPECT_EQ(seq->named_children().back().first, "out");
  EXPECT_TRUE(all_close(seq(x), tanh(sigmoid(last(relu(first(x))))), 0, 0));
  EXPECT_THROW(nn::Sequential()(x), Error);
  EXPECT_TRUE(all_close(nn::Tanh()(x), tanh(x), 0, 0));
  EXPECT_TRUE(all_close(nn::functional::linear(x, first->weight, first->bias), first(x), 0, 0));
}

TEST(Dropout, TrainingScalesTheKeptAndEvalIsTheIdentity) {
  const Tensor x = randn({50, 40}, 7).requires_grad_();
  nn::Dropout dropout(0.3);
  manual_seed(11);
  const Tensor y = dropout(x);
  y.sum().backward();
  const std::vector<double> in = x.to_vector(), out = y.to_vector(), g = x.grad().to_vector();
  int64_t kept = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (out[i] == 0) {
      EXPECT_EQ(g[i], 0);
    } else {
      ++kept;
      EXPECT_DOUBLE_EQ(out[i], in[i] / 0.7);
      EXPECT_DOUBLE_EQ(g[i], 1 / 0.7);
    }
  }
  EXPECT_GT(kept, 1200);
  EXPECT_LT(kept, 1600);
  manual_seed(11);
  EXPECT_TRUE(all_close(dropout(x), y, 0, 0));  // the global generator decides
  dropout->eval();
  EXPECT_EQ(dropout(x).impl(), x.impl());
  EXPECT_TRUE(all_close(nn::functional::dropout(x, nn::functional::DropoutFuncOptions().p(1)),
                        zeros({50, 40}), 0, 0));
  EXPECT_THROW(nn::Dropout(1.5), Error);
  EXPECT_THROW(nn::functional::dropout(x, nn::functional::DropoutFuncOptions().p(-0.1)), Error);
  EXPECT_THROW(nn::functional::dropout(tensor({1}, {1}, kInt64)), Error);
}

TEST(LayerNorm, ModuleErrors) {
  nn::LayerNorm norm(nn::LayerNormOptions({3, 4}));
  EXPECT_EQ(norm->weight.to_vector(), std::vector<double>(12, 1));
  EXPECT_EQ(norm->bias.to_vector(), std::vector<double>(12, 0));
  EXPECT_EQ(norm(zeros({2, 3, 4}, kFloat32)).shape(), (Shape{2, 3, 4}));
  EXPECT_THROW(norm(zeros({2, 4, 3}, kFloat32)), Error);
  EXPECT_THROW(norm(zeros({4}, kFloat32)), Error);
  EXPECT_FALSE(
      nn::LayerNorm(nn::LayerNormOptions({3}).elementwise_affine(false))->weight.defined());
  using nn::functional::LayerNormFuncOptions;
  EXPECT_THROW(
      nn::functional::layer_norm(zeros({2, 3}), LayerNormFuncOptions({3}).weight(ones({2}))),
      Error);
  EXPECT_THROW(nn::functional::layer_norm(zeros({2, 3}), LayerNormFuncOptions({})), Error);
}

TEST(Init, BoundsStatisticsAndErrors) {
  manual_seed(3);
  Tensor w = zeros({256, 128}).requires_grad_();
  nn::init::kaiming_uniform_(w, 0, nn::init::kFanIn, nn::init::kReLU);
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
  const double bound = std::sqrt(2.0) * std::sqrt(3.0 / 128);
  EXPECT_LE(amax(abs(w)).item(), bound);
  EXPECT_GT(amax(abs(w)).item(), 0.99 * bound);
  nn::init::xavier_uniform_(w, 2);
  EXPECT_LE(amax(abs(w)).item(), 2 * std::sqrt(6.0 / (256 + 128)));
  nn::init::kaiming_normal_(w, 0, nn::init::kFanOut, nn::init::kTanh);
  const double std_want = 5.0 / 3 / std::sqrt(256.0);
  const double std_got = std::sqrt(mean(w * w).item());
  EXPECT_NEAR(std_got, std_want, 0.02 * std_want);  // 32768 draws: 0.4% standard error
  nn::init::xavier_normal_(w);
  EXPECT_NEAR(std::sqrt(mean(w * w).item()), std::sqrt(2.0 / 384), 0.02 * std::sqrt(2.0 / 384));
  nn::init::normal_(w, 3, 0.5);
  EXPECT_NEAR(mean(w).item(), 3, 0.01);
  nn::init::uniform_(w, -1, 2);
  EXPECT_GE(-amax(-w).item(), -1);
  EXPECT_LT(amax(w).item(), 2);
  EXPECT_EQ(nn::init::zeros_(w).to_vector(), std::vector<double>(256 * 128, 0));
  EXPECT_EQ(nn::init::ones_(w).to_vector(), std::vector<double>(256 * 128, 1));
  Tensor f32 = zeros({3, 4}, kFloat32);
  EXPECT_EQ(nn::init::constant_(f32, 0.25).to_vector(), std::vector<double>(12, 0.25));
  EXPECT_EQ(f32.dtype(), kFloat32);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain(nn::init::kLeakyReLU, 0.2), std::sqrt(2 / 1.04));
  EXPECT_THROW(nn::init::kaiming_uniform_(zeros({5})), Error);
  EXPECT_THROW(nn::init::xavier_uniform_(zeros({0, 0})), Error);
  EXPECT_THROW(nn::init::normal_(tensor({1}, {1}, kInt64)), Error);
}

std::vector<Tensor> two_params() {
  return {randn({3}, 1).requires_grad_(), randn({2, 2}, 2).requires_grad_()};
}

TEST(ParamGroups, OwnOptionsLrGetSetAndErrors) {
  std::vector<Tensor> p = two_params();
  optim::SGD sgd({optim::OptimizerParamGroup({p[0]}),
                  optim::OptimizerParamGroup({p[1]}, std::make_unique<optim::SGDOptions>(0.5))},
                 optim::SGDOptions(0.1));
  ASSERT_EQ(sgd.param_groups().size(), 2u);
  EXPECT_EQ(sgd.param_groups()[0].options().get_lr(), 0.1);  // the defaults
  EXPECT_EQ(sgd.param_groups()[1].options().get_lr(), 0.5);
  sgd.param_groups()[0].options().set_lr(0);
  const std::vector<double> before0 = p[0].to_vector(), before1 = p[1].to_vector();
  (p[0].sum() + p[1].sum()).backward();
  sgd.step();
  EXPECT_EQ(p[0].to_vector(), before0);  // lr 0: unmoved
  for (size_t i = 0; i < before1.size(); ++i)
    EXPECT_DOUBLE_EQ(p[1].to_vector()[i], before1[i] - 0.5);
  sgd.zero_grad(/*set_to_none=*/false);
  EXPECT_EQ(p[1].grad().to_vector(), std::vector<double>(4, 0));
  sgd.zero_grad();
  EXPECT_FALSE(p[1].grad().defined());
  EXPECT_THROW(sgd.add_param_group(optim::OptimizerParamGroup({p[0]})), Error);
  EXPECT_THROW(optim::SGD({optim::OptimizerParamGroup({p[0], p[0]})}, optim::SGDOptions(0.1)),
               Error);
  EXPECT_THROW(
      optim::Adam({optim::OptimizerParamGroup({p[1]}, std::make_unique<optim::AdamOptions>(-1))},
                  optim::AdamOptions()),
      Error);
  EXPECT_THROW(optim::OptimizerParamGroup({p[0]}).options(), Error);
}

TEST(Schedulers, ClosedFormsPerEpoch) {
  std::vector<Tensor> p = two_params();
  optim::SGD sgd({optim::OptimizerParamGroup({p[0]}),
                  optim::OptimizerParamGroup({p[1]}, std::make_unique<optim::SGDOptions>(0.4))},
                 optim::SGDOptions(0.1));
  const auto lrs = [&] {
    return std::vector<double>{sgd.param_groups()[0].options().get_lr(),
                               sgd.param_groups()[1].options().get_lr()};
  };
  {
    optim::StepLR step(sgd, 2, 0.5);
    for (int e = 1; e <= 5; ++e) step.step();
    EXPECT_EQ(lrs(), (std::vector<double>{0.1 * 0.25, 0.4 * 0.25}));
    EXPECT_EQ(step.get_last_lr(), lrs());
    EXPECT_EQ(step.last_epoch(), 5);
  }
  sgd.param_groups()[0].options().set_lr(0.1);
  sgd.param_groups()[1].options().set_lr(0.4);
  // Warm-up over 4 epochs from a quarter of the lr, then cosine to 0 over 10.
  auto warmup = std::make_shared<optim::LinearLR>(sgd, 0.25, 1.0, 4);
  auto cosine = std::make_shared<optim::CosineAnnealingLR>(sgd, 10);
  optim::SequentialLR schedule(sgd, {warmup, cosine}, {4});
  EXPECT_EQ(schedule.base_lrs(), (std::vector<double>{0.1, 0.4}));
  for (int e = 0; e <= 16; ++e) {
    const double factor = e < 4 ? 0.25 + 0.75 * e / 4.0 : (1 + std::cos(M_PI * (e - 4) / 10)) / 2;
    EXPECT_NEAR(lrs()[0], 0.1 * factor, 1e-17) << "epoch " << e;
    EXPECT_NEAR(lrs()[1], 0.4 * factor, 1e-16) << "epoch " << e;
    schedule.step();
  }
  optim::ExponentialLR exponential(sgd, 0.9);  // from the lrs now set
  const std::vector<double> base = exponential.base_lrs();
  exponential.step();
  exponential.step();
  EXPECT_DOUBLE_EQ(lrs()[1], base[1] * 0.81);
  optim::LambdaLR lambda(sgd, [](int64_t epoch) { return 1.0 / static_cast<double>(epoch + 1); });
  lambda.step();
  EXPECT_DOUBLE_EQ(lrs()[0], lambda.base_lrs()[0] / 2);
  EXPECT_THROW(optim::StepLR(sgd, 0), Error);
  EXPECT_THROW(optim::CosineAnnealingLR(sgd, 0), Error);
  EXPECT_THROW(optim::LinearLR(sgd, 0.0), Error);
  EXPECT_THROW(optim::SequentialLR(sgd, {warmup, cosine}, {}), Error);
}

// A small model, optimizer and schedule trained with mini-batches, Dropout
// and clipping; `resume_at` > 0 saves everything to files at that step,
// rebuilds every object from scratch and loads the files before going on
// (the optimizer's and the schedule's only with restore_optimizer).
std::vector<double> train_steps(int steps, int resume_at, const std::string& dir,
                                bool restore_optimizer = true) {
  manual_seed(42);
  const Tensor data = randn({64, 3}, 1);
  const Tensor labels = randint(0, 2, {64}, kInt64);
  struct Run {
    Net net{8};
    optim::Adam adam{{optim::OptimizerParamGroup(net->fc1->parameters()),
                      optim::OptimizerParamGroup(
                          [this] {
                            std::vector<Tensor> rest = net->fc2->parameters();
                            for (const Tensor& t : net->norm->parameters()) rest.push_back(t);
                            return rest;
                          }(),
                          std::make_unique<optim::AdamOptions>(3e-3))},
                     optim::AdamOptions(1e-2).weight_decay(1e-3)};
    optim::StepLR schedule{adam, 3, 0.5};
  };
  auto run = std::make_unique<Run>();
  for (int step = 0; step < steps; ++step) {
    if (step == resume_at) {
      save(run->net, dir + "/net.safetensors");
      save(run->adam, dir + "/adam.safetensors");
      save(run->schedule, dir + "/schedule.safetensors");
      manual_seed(7);  // the new objects start elsewhere
      run = std::make_unique<Run>();
      load(run->net, dir + "/net.safetensors");
      if (restore_optimizer) {
        load(run->adam, dir + "/adam.safetensors");
        load(run->schedule, dir + "/schedule.safetensors");
      }
    }
    manual_seed(1000 + static_cast<uint64_t>(step));  // this step's dropout masks
    const Tensor batch = randperm(64).narrow(0, 0, 16);
    run->adam.zero_grad();
    cross_entropy(run->net(data.index_select(0, batch)), labels.index_select(0, batch)).backward();
    nn::utils::clip_grad_norm_(run->net->parameters(), 0.5);
    run->adam.step();
    run->schedule.step();
  }
  std::vector<double> out;
  for (const Tensor& p : run->net->parameters()) {
    const std::vector<double> v = p.to_vector();
    out.insert(out.end(), v.begin(), v.end());
  }
  for (const double lr : run->schedule.get_last_lr()) out.push_back(lr);
  return out;
}

TEST(Checkpoint, ResumedTrainingIsBitwiseTheUninterruptedRun) {
  const std::string dir = ::testing::TempDir() + "/resume";
  std::filesystem::create_directories(dir);
  const std::vector<double> straight = train_steps(10, -1, dir);
  for (const int at : {1, 4, 7}) {
    const std::vector<double> resumed = train_steps(10, at, dir);
    ASSERT_EQ(resumed.size(), straight.size());
    for (size_t i = 0; i < straight.size(); ++i) {
      ASSERT_EQ(std::bit_cast<uint64_t>(resumed[i]), std::bit_cast<uint64_t>(straight[i]))
          << "value " << i << " after resuming at step " << at;
    }
  }
  // Resuming with the parameters alone is another run: the comparison
  // above sees the optimizer's and the schedule's state.
  EXPECT_NE(train_steps(10, 4, dir, /*restore_optimizer=*/false), straight);
}

TEST(Checkpoint, OptimizerStateDictRoundTripsAndRefusesMisfits) {
  std::vector<Tensor> p = two_params();
  optim::Adam adam(p, optim::AdamOptions(0.1).amsgrad(true));
  (p[0].sum() * 2.0).backward();  // p[1] has no gradient: no state
  adam.step();
  const optim::StateDict state = adam.state_dict();
  std::vector<std::string> names;
  for (const auto& [name, t] : state.tensors) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"state.0.exp_avg", "state.0.exp_avg_sq",
                                             "state.0.max_exp_avg_sq", "state.0.step"}));
  EXPECT_EQ(state.metadata.at("optimizer"), "Adam");
  EXPECT_EQ(state.tensors.at("state.0.step").item<int64_t>(), 1);

  std::vector<Tensor> q = {p[0].detach().clone().requires_grad_(),
                           p[1].detach().clone().requires_grad_()};
  optim::Adam other(q, optim::AdamOptions(0.5));
  other.load_state_dict(state);
  EXPECT_EQ(other.param_groups()[0].options().get_lr(), 0.1);
  EXPECT_TRUE(static_cast<const optim::AdamOptions&>(other.param_groups()[0].options()).amsgrad_);
  for (Tensor* t : {&p[0], &q[0]}) t->set_grad(ones({3}));
  adam.step();
  other.step();
  EXPECT_TRUE(all_close(p[0], q[0], 0, 0));

  const auto refused = [&](optim::StateDict bad, const std::string& says) {
    optim::Adam target(
        {q[0].detach().clone().requires_grad_(), q[1].detach().clone().requires_grad_()},
        optim::AdamOptions(0.5));
    try {
      target.load_state_dict(bad);
      ADD_FAILURE() << "accepted a state that should say " << says;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
    EXPECT_EQ(target.param_groups()[0].options().get_lr(), 0.5);  // nothing changed
  };
  optim::StateDict bad = state;
  bad.tensors["state.0.exp_avg"] = zeros({4});
  refused(bad, "\"state.0.exp_avg\" has shape [4]");
  bad = state;
  bad.tensors["state.5.step"] = scalar_tensor(1, kInt64);
  refused(bad, "parameters this optimizer does not have");
  bad = state;
  bad.tensors.erase("state.0.step");
  refused(bad, "\"state.0.step\" is missing");
  bad = state;
  bad.metadata["optimizer"] = "SGD";
  refused(bad, "the state is a SGD's, not a Adam's");
  bad = state;
  bad.metadata["param_groups"] = "[]";
  refused(bad, "must list 1 groups");
  bad = state;
  bad.metadata["param_groups"] = R"([{"lr": 0.1, "momentum": 0.9, "params": [0, 1]}])";
  refused(bad, "\"momentum\" is not an option of Adam");
  EXPECT_THROW(optim::SGD(q, optim::SGDOptions(0.1)).load_state_dict(state), Error);

  const std::string path = ::testing::TempDir() + "/adam_state.safetensors";
  save(adam, path);
  std::map<std::string, std::string> metadata;
  EXPECT_EQ(load_file(path, &metadata).size(), 4u);
  EXPECT_EQ(metadata.at("optimizer"), "Adam");
  optim::SGD sgd(q, optim::SGDOptions(0.1));
  try {
    load(sgd, path);
    ADD_FAILURE() << "an SGD loaded an Adam's state";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("load: " + path, 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace minitorch::testing
