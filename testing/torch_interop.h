// LibTorch beside minitorch, for the translation units that include
// <torch/torch.h>: conversions and the LibTorch interpreter of Programs.
//
// Only g++ compiles these units (Debian's LibTorch headers do not compile
// with clang-14 in C++20), and they cost ~13 s and ~1 GB of compiler memory
// each, so two files include this header: testing/torch_bridge.cc (what
// the fuzz targets link, behind testing/torch_bridge.h) and
// tests/torch_oracle.cc (the unit tests' oracle).
#ifndef MINITORCH_TESTING_TORCH_INTEROP_H_
#define MINITORCH_TESTING_TORCH_INTEROP_H_

#include <torch/torch.h>

#include <vector>

#include "minitorch/minitorch.h"
#include "testing/op_call.h"
#include "testing/reference.h"

namespace minitorch::testing {

torch::Dtype torch_dtype(DType dtype);

// The same values, shape and dtype in LibTorch (contiguous).
torch::Tensor to_torch(const Tensor& t);

// Values as float64, row-major; LibTorch's lazy zero tensors as zeros.
RefArray from_torch(const torch::Tensor& t);

// `call` run in LibTorch through the op table (testing/op_forms.h).
torch::Tensor run_call_torch(const OpCall& call, const std::vector<torch::Tensor>& operands);

// The program's last value; `values` are its inputs.
torch::Tensor run_program_torch(const Program& program, std::vector<torch::Tensor> values);

// LibTorch on one thread, as every oracle compares single-threaded results.
void single_threaded();

}  // namespace minitorch::testing

#endif  // MINITORCH_TESTING_TORCH_INTEROP_H_
