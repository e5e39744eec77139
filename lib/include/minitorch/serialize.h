// Checkpoints in the safetensors format, so files move between minitorch
// and PyTorch's `safetensors` package: an 8-byte little-endian header
// length, a JSON header naming each tensor's dtype ("F32", "F64", "I64",
// "BOOL"), shape and data_offsets (plus an optional "__metadata__" map of
// strings), then the tensors' raw little-endian bytes.
//
// Loading checks every field and raises minitorch::Error naming the file
// and the field: a truncated or hostile file never crashes, and nothing is
// allocated before the file is known to hold the bytes it claims.
//
// Example:
//   using namespace minitorch;
//   nn::Linear layer(nn::LinearOptions(784, 10));
//   save(layer, "layer.safetensors");        // its named parameters
//   load(layer, "layer.safetensors");        // copied back, names checked
//   save(adam, "adam.safetensors");          // optimizer state, to resume
//   save_file({{"x", randn({2, 3})}}, "x.safetensors", {{"step", "10"}});
//   std::map<std::string, Tensor> tensors = load_file("x.safetensors");
#ifndef MINITORCH_SERIALIZE_H_
#define MINITORCH_SERIALIZE_H_

#include <istream>
#include <map>
#include <ostream>
#include <string>

#include "minitorch/nn.h"
#include "minitorch/optim.h"
#include "minitorch/tensor.h"

namespace minitorch {

// Writes `tensors` (any layout; float32, float64, int64 or bool) and
// `metadata` to `path`, through a temporary file renamed into place, so an
// interrupted save leaves any earlier file whole.
void save_file(const std::map<std::string, Tensor>& tensors, const std::string& path,
               const std::map<std::string, std::string>& metadata = {});

// The same file's bytes written to `out`.
void save_stream(const std::map<std::string, Tensor>& tensors, std::ostream& out,
                 const std::map<std::string, std::string>& metadata = {});

// The tensors of the file at `path` (contiguous, not requiring grad); its
// "__metadata__" into `*metadata` when given.
std::map<std::string, Tensor> load_file(const std::string& path,
                                        std::map<std::string, std::string>* metadata = nullptr);

// The same from a stream holding a whole file; `name` names it in errors.
std::map<std::string, Tensor> load_stream(std::istream& in, const std::string& name,
                                          std::map<std::string, std::string>* metadata = nullptr);

// A module's named parameters and buffers ("fc1.weight", ...), as
// torch::save(module, path).
void save(const nn::Module& module, const std::string& path);

// Copies the file's tensors into the module's parameters and buffers, as
// torch::load(module, path). The file must hold exactly the module's names,
// each with its shape and dtype; otherwise Error, and nothing changes.
void load(nn::Module& module, const std::string& path);

// An optimizer's or a scheduler's state_dict(), its metadata in the
// header's "__metadata__". load() restores it as load_state_dict() does,
// its Error naming the file; a resumed run continues bit for bit.
void save(const optim::Optimizer& optimizer, const std::string& path);
void load(optim::Optimizer& optimizer, const std::string& path);
void save(const optim::LRScheduler& scheduler, const std::string& path);
void load(optim::LRScheduler& scheduler, const std::string& path);

template <class Impl>
void save(const nn::ModuleHolder<Impl>& module, const std::string& path) {
  save(*module, path);
}

template <class Impl>
void load(nn::ModuleHolder<Impl>& module, const std::string& path) {
  load(*module, path);
}

}  // namespace minitorch

#endif  // MINITORCH_SERIALIZE_H_
