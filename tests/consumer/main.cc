// Uses the public API from the design notes through the umbrella header only.
#include <iostream>
#include <vector>

#include "minitorch/minitorch.h"

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
