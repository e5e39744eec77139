// minitorch::Error, the one exception type for every misuse of the library.
//
// Two tiers, as in PyTorch's TORCH_CHECK / TORCH_INTERNAL_ASSERT:
//   - user errors (bad shapes, bad dims, wrong dtype, ...) throw Error with a
//     message that names the op and the shapes or dims involved, e.g.
//       add: shapes [2, 3] and [4] are not broadcastable
//   - broken internal invariants are bugs in minitorch; they also throw Error
//     (so a linked program is never aborted) but say "internal error".
//
// Example:
//   try {
//     minitorch::add(minitorch::zeros({2, 3}), minitorch::zeros({4}));
//   } catch (const minitorch::Error& e) {
//     std::cerr << e.what() << "\n";
//   }
#ifndef MINITORCH_ERROR_H_
#define MINITORCH_ERROR_H_

#include <exception>
#include <string>
#include <utility>

namespace minitorch {

class Error : public std::exception {
 public:
  explicit Error(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

}  // namespace minitorch

#endif  // MINITORCH_ERROR_H_
