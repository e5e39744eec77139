// A program outside the project: it uses the public API through the umbrella
// header only, and is built each way a project can take minitorch in
// (add_subdirectory, find_package after an install, pkg-config, Bazel from
// another workspace). It trains a linear classifier a few steps, checks a
// gradient, and fails (exit 1) if the loss does not fall.
#include <iostream>
#include <vector>

#include "minitorch/minitorch.h"

// A user's module, declared through the installed MINITORCH_MODULE.
struct ClassifierImpl : minitorch::nn::Module {
  ClassifierImpl() { fc = register_module("fc", minitorch::nn::Linear(3, 2)); }
  minitorch::Tensor forward(const minitorch::Tensor& x) { return fc(x); }
  minitorch::nn::Linear fc{nullptr};
};
MINITORCH_MODULE(Classifier);

int main() {
  using namespace minitorch;
  Tensor w = randn({3, 2}, 1, kFloat32).requires_grad_();
  Tensor b = zeros({2}, kFloat32).requires_grad_();
  Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3}, kFloat32);
  Tensor logits = matmul(x, w) + b;
  Tensor loss = cross_entropy(logits, tensor({0, 1}, {2}, kInt64));
  loss.backward();
  std::vector<int64_t> dims = {0};
  Tensor s = sum(w.grad(), dims, /*keepdim=*/true);
  {
    NoGradGuard no_grad;
    Tensor y = relu(x).reshape({-1}).unsqueeze(0).transpose(0, 1);
    if (y.requires_grad() || is_grad_enabled()) return 1;
  }
  // A few steps of training, with a schedule: the loss must fall.
  manual_seed(4);
  Classifier layer;
  optim::SGD sgd(layer->parameters(), optim::SGDOptions(0.1));
  optim::StepLR schedule(sgd, 3, 0.5);
  const Tensor targets = tensor({0, 1}, {2}, kInt64);
  const Tensor inputs = tensor({1, 0, -1, -1, 0, 1}, {2, 3}, kFloat32);
  double first_loss = 0, last_loss = 0;
  for (int step = 0; step < 5; ++step) {
    sgd.zero_grad();
    Tensor step_loss = cross_entropy(layer(inputs), targets);
    step_loss.backward();
    sgd.step();
    schedule.step();
    (step == 0 ? first_loss : last_loss) = step_loss.item();
  }
  std::cout << "minitorch " << version() << ": training loss " << first_loss << " -> " << last_loss
            << "\n";
  if (!(last_loss < first_loss)) return 1;
  GradcheckResult r =
      gradcheck([](const std::vector<Tensor>& in) { return softmax(in[0] * in[1], -1); },
                {randn({2, 3}, 2), randn({3}, 3)});
  std::cout << "loss " << loss.item() << ", grad of b " << b.grad() << ", " << s.shape() << "\n"
            << r.message << "\n";
  try {
    add(zeros({2, 3}), zeros({4}));
  } catch (const Error& e) {
    std::cout << "caught: " << e.what() << "\n";
  }
  return r.ok ? 0 : 1;
}
