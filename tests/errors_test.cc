// Every misuse throws minitorch::Error whose message names the op and the
// shapes or dims involved.
#include <gtest/gtest.h>

#include <functional>
#include <sstream>

#include "minitorch/minitorch.h"

namespace minitorch {
namespace {

struct ErrorCase {
  std::string name;
  std::function<void()> call;
  std::vector<std::string> message_parts;  // all must appear in what()
};

class Errors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(Errors, ThrowsErrorNamingOpAndShapes) {
  const ErrorCase& c = GetParam();
  try {
    c.call();
    FAIL() << c.name << ": no exception";
  } catch (const Error& e) {
    for (const std::string& part : c.message_parts) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << c.name << ": '" << part << "' not in: " << e.what();
    }
  } catch (const std::exception& e) {
    FAIL() << c.name << ": threw a non-minitorch exception: " << e.what();
  }
}

const Tensor kA = zeros({2, 3});
const Tensor kB = zeros({4});

std::vector<ErrorCase> cases() {
  std::vector<ErrorCase> out = {
      {"add_shapes", [] { add(kA, kB); }, {"add: shapes [2, 3] and [4] are not broadcastable"}},
      {"sub_shapes", [] { sub(kA, kB); }, {"sub", "[2, 3]", "[4]"}},
      {"mul_shapes", [] { kA* kB; }, {"mul", "[2, 3]", "[4]"}},
      {"div_shapes", [] { kA / kB; }, {"div", "[2, 3]", "[4]"}},
      {"pow_shapes", [] { pow(kA, kB); }, {"pow", "[2, 3]", "[4]"}},
      {"maximum_shapes", [] { maximum(kA, kB); }, {"maximum", "[2, 3]", "[4]"}},
      {"minimum_shapes", [] { minimum(kA, kB); }, {"minimum", "[2, 3]", "[4]"}},
      {"matmul_inner",
       [] {
         matmul(kA, zeros({4, 5}));
       },
       {"matmul", "[2, 3]", "[4, 5]"}},
      {"matmul_vector", [] { matmul(zeros({3}), zeros({4})); }, {"matmul", "[3]", "[4]"}},
      {"matmul_batch",
       [] {
         matmul(zeros({2, 2, 3}), zeros({3, 3, 4}));
       },
       {"matmul", "[2]", "[3]"}},
      {"matmul_scalar", [] { matmul(scalar_tensor(1), kA); }, {"matmul", "[]", "[2, 3]"}},
      {"matmul_dtypes",
       [] {
         matmul(zeros({2, 3}, kFloat32), zeros({3, 4}));
       },
       {"matmul", "same dtype", "float32 [2, 3]", "float64 [3, 4]"}},
      {"view_transposed",
       [] { kA.t().view({6}); },
       {"view", "[6]", "[3, 2]", "strides [1, 3]", "reshape"}},
      {"view_count", [] { kA.view({4}); }, {"view", "[2, 3]", "[4]"}},
      {"select_index", [] { kA.select(1, 3); }, {"select", "index 3", "size 3", "[2, 3]"}},
      {"select_scalar", [] { scalar_tensor(1).select(0, 0); }, {"select", "0-dim"}},
      {"narrow_length",
       [] { kA.narrow(1, 2, 2); },
       {"narrow", "start (2) + length (2)", "size 3", "[2, 3]"}},
      {"narrow_start", [] { kA.narrow(0, -3, 1); }, {"narrow", "start -3", "size 2"}},
      {"slice_step", [] { kA.slice(1, 0, 2, 0); }, {"slice", "step", "0"}},
      {"index_select_range",
       [] {
         kA.index_select(1, tensor({0, 3}, {2}, kInt64));
       },
       {"index_select", "index 3", "size 3", "[2, 3]"}},
      {"index_select_float_index",
       [] { kA.index_select(0, tensor({0}, {1})); },
       {"index_select", "int64", "float64"}},
      {"index_select_2d_index",
       [] {
         kA.index_select(0, tensor({0, 1}, {1, 2}, kInt64));
       },
       {"index_select", "[1, 2]"}},
      {"linear_dtype",
       [] {
         nn::Linear layer(3, 2);
         layer(kA);
       },
       {"Linear", "[2, 3]", "float64", "float32"}},
      {"sum_dim", [] { sum(kA, {2}); }, {"sum", "dim 2", "rank 2"}},
      {"mean_dim", [] { mean(kA, {-3}); }, {"mean", "dim -3"}},
      {"amax_repeat",
       [] {
         amax(kA, {1, -1});
       },
       {"amax", "more than once"}},
      {"amax_empty",
       [] {
         amax(zeros({0, 3}), {0});
       },
       {"amax", "size 0", "[0, 3]"}},
      {"logsumexp_dim", [] { logsumexp(kA, {5}); }, {"logsumexp", "dim 5"}},
      {"softmax_dim", [] { softmax(kA, 2); }, {"softmax", "dim 2"}},
      {"log_softmax_dim", [] { log_softmax(kA, -3); }, {"log_softmax", "dim -3"}},
      {"transpose_dim", [] { transpose(kA, 0, 2); }, {"transpose", "dim 2"}},
      {"permute_len", [] { permute(kA, {0}); }, {"permute", "[0]", "[2, 3]"}},
      {"permute_repeat",
       [] {
         permute(kA, {0, 0});
       },
       {"permute", "repeats"}},
      {"squeeze_dim", [] { squeeze(kA, 3); }, {"squeeze", "dim 3"}},
      {"unsqueeze_dim", [] { unsqueeze(kA, 4); }, {"unsqueeze", "dim 4"}},
      {"reshape_count", [] { reshape(kA, {4}); }, {"reshape", "[2, 3]", "[4]"}},
      {"reshape_infer",
       [] {
         reshape(kA, {4, -1});
       },
       {"reshape", "[2, 3]", "[4, -1]"}},
      {"reshape_two_infer",
       [] {
         reshape(kA, {-1, -1});
       },
       {"reshape", "more than one -1"}},
      {"expand_bad",
       [] {
         expand(kA, {2, 4});
       },
       {"expand", "[2, 3]", "[2, 4]"}},
      {"expand_rank", [] { expand(kA, {3}); }, {"expand", "[2, 3]", "[3]"}},
      {"zeros_negative",
       [] {
         zeros({2, -1});
       },
       {"negative dim -1", "[2, -1]"}},
      {"zeros_overflow",
       [] {
         zeros({1 << 30, 1 << 30, 1 << 30});
       },
       {"[1073741824, 1073741824, 1073741824]"}},
      {"tensor_count",
       [] {
         tensor({1, 2}, {3});
       },
       {"tensor", "2 values", "[3]"}},
      {"tensor_int", [] { tensor({1.5}, {1}, kInt64); }, {"tensor", "1.5", "int64"}},
      {"backward_nonscalar",
       [] { (zeros({2}).requires_grad_() * 2.0).backward(); },
       {"backward", "[2]", "not a scalar"}},
      {"backward_no_grad",
       [] { zeros({1}).backward(); },
       {"backward", "[1]", "does not require grad"}},
      {"backward_grad_shape",
       [] { (zeros({2}).requires_grad_() * 2.0).backward(zeros({3})); },
       {"backward", "[3]", "[2]"}},
      {"cross_entropy_range",
       [] {
         cross_entropy(zeros({2, 3}), tensor({0, 3}, {2}, kInt64));
       },
       {"cross_entropy", "target 3", "3 classes", "[2, 3]"}},
      {"cross_entropy_negative",
       [] {
         cross_entropy(zeros({2, 3}), tensor({-1, 0}, {2}, kInt64));
       },
       {"cross_entropy", "target -1"}},
      {"cross_entropy_target_shape",
       [] {
         cross_entropy(zeros({2, 3}), tensor({0}, {1}, kInt64));
       },
       {"cross_entropy", "[1]", "[2, 3]"}},
      {"cross_entropy_prob_shape",
       [] {
         cross_entropy(zeros({2, 3}), zeros({2, 4}));
       },
       {"cross_entropy", "[2, 4]", "[2, 3]"}},
      {"cross_entropy_rank",
       [] {
         cross_entropy(zeros({2, 3, 4}), tensor({0, 0}, {2}, kInt64));
       },
       {"cross_entropy", "[2, 3, 4]"}},
      {"exp_int", [] { exp(tensor({1}, {1}, kInt64)); }, {"exp", "int64", "[1]"}},
      {"add_int", [] { add(kA, tensor({1}, {1}, kInt64)); }, {"add", "int64"}},
      {"from_blob_null", [] { from_blob(nullptr, {2}); }, {"from_blob", "null", "[2]"}},
      {"data_ptr_dtype", [] { kA.data_ptr<float>(); }, {"data_ptr", "float64", "float32"}},
      {"scatter_add_dtype",
       [] {
         scatter_add(kA, 1, tensor({0}, {1, 1}, kInt64), zeros({1, 1}, kFloat32));
       },
       {"scatter_add", "float64", "float32", "[1, 1]"}},
      {"scatter_add_src_smaller",
       [] {
         scatter_add(kA, 1, tensor({0, 1}, {1, 2}, kInt64), zeros({1, 1}));
       },
       {"scatter_add", "[1, 2]", "src", "[1, 1]", "dim 1"}},
      {"scatter_add_range",
       [] {
         scatter_add(kA, 0, tensor({2}, {1, 1}, kInt64), zeros({1, 1}));
       },
       {"scatter_add", "index 2", "size 2"}},
      {"clip_grad_norm_type",
       [] { nn::utils::clip_grad_norm_({}, 1.0, -1.0); },
       {"clip_grad_norm_", "-1"}},
      {"topk_k", [] { topk(kA, 4, 1); }, {"topk", "k (4)", "size 3", "[2, 3]"}},
      {"topk_bool", [] { topk(kA > 0.0, 1); }, {"topk", "bool", "[2, 3]"}},
      {"gather_rank",
       [] { gather(kA, 1, tensor({0}, {1}, kInt64)); },
       {"gather", "[1]", "rank", "[2, 3]"}},
      {"gather_range",
       [] {
         gather(kA, 1, tensor({3}, {1, 1}, kInt64));
       },
       {"gather", "index 3", "size 3"}},
      {"gather_larger",
       [] {
         gather(kA, 1, tensor({0, 0, 0}, {3, 1}, kInt64));
       },
       {"gather", "[3, 1]", "larger", "dim 0"}},
      {"max_dim", [] { max(kA, 2); }, {"max", "dim 2"}},
      {"min_undefined", [] { min(Tensor(), 0); }, {"min", "undefined"}},
      {"masked_fill_mask",
       [] { masked_fill(kA, tensor({1}, {1}), 0); },
       {"masked_fill", "bool", "float64"}},
      {"masked_fill_shape",
       [] {
         masked_fill(kB, tensor({1, 0}, {2, 1}, kBool), 0);
       },
       {"masked_fill", "[2, 1]", "[4]"}},
      {"index_too_many",
       [] {
         kA.index({0, 0, 0});
       },
       {"index", "too many", "[2, 3]"}},
      {"index_ellipses",
       [] {
         kA.index({indexing::Ellipsis, indexing::Ellipsis});
       },
       {"index", "one Ellipsis"}},
      {"index_range",
       [] {
         kA.index({0, 5});
       },
       {"select", "index 5", "size 3"}},
      {"cat_empty", [] { cat({}); }, {"cat", "non-empty"}},
      {"cat_shapes",
       [] {
         cat({kA, zeros({3, 3})}, 1);
       },
       {"cat", "[3, 3]", "[2, 3]", "dim 1"}},
      {"cat_scalar", [] { cat({scalar_tensor(1)}); }, {"cat", "zero-dimensional"}},
      {"cat_undefined",
       [] {
         cat({kA, Tensor()});
       },
       {"cat", "tensor 1", "undefined"}},
      {"stack_shapes",
       [] {
         stack({kA, kB});
       },
       {"stack", "[4]", "[2, 3]"}},
      {"stack_dim",
       [] {
         stack({kA, kA}, 3);
       },
       {"stack", "dim 3"}},
      {"split_size", [] { split(kA, 0, 1); }, {"split", "split_size", "0", "size 3"}},
      {"chunk_count", [] { chunk(kA, -1); }, {"chunk", "-1"}},
      {"mean_int", [] { mean(tensor({1}, {1}, kInt64)); }, {"mean", "int64"}},
      {"mean_bool", [] { mean(tensor({1}, {1}, kBool)); }, {"mean", "bool"}},
      {"exp_bool", [] { exp(tensor({1}, {1}, kBool)); }, {"exp", "bool"}},
      {"tensor_bool_value", [] { tensor({2}, {1}, kBool); }, {"tensor", "value 2", "bool"}},
      {"eq_shapes", [] { eq(kA, kB); }, {"eq", "[2, 3]", "[4]"}},
      {"logical_and_undefined", [] { logical_and(kA, Tensor()); }, {"logical_and", "undefined"}},
      {"argmax_bool", [] { argmax(tensor({1}, {1}, kBool)); }, {"argmax", "bool"}},
      {"argmax_empty",
       [] {
         argmax(zeros({2, 0}), 1);
       },
       {"argmax", "size 0", "[2, 0]"}},
      {"argmin_dim", [] { argmin(kA, 2); }, {"argmin", "dim 2"}},
      {"any_dim", [] { any(kA, -3); }, {"any", "dim -3"}},
      {"matmul_int", [] { matmul(tensor({1}, {1}, kInt64), zeros({1})); }, {"matmul", "int64"}},
      {"requires_grad_int",
       [] { tensor({1}, {1}, kInt64).requires_grad_(); },
       {"requires_grad_", "int64"}},
      {"requires_grad_nonleaf",
       [] { (zeros({1}).requires_grad_() * 2.0).requires_grad_(); },
       {"requires_grad_", "leaf", "mul"}},
      {"undefined", [] { exp(Tensor()); }, {"exp", "undefined"}},
      {"undefined_shape", [] { Tensor().shape(); }, {"undefined"}},
      {"item_many", [] { kA.item(); }, {"item", "[2, 3]"}},
      {"clamp_none", [] { clamp(kA, std::nullopt, std::nullopt); }, {"clamp", "min and max"}},
      {"randn_int", [] { randn({2}, 1, kInt64); }, {"randn", "int64"}},
      {"rand_int", [] { rand({2}, kInt64); }, {"rand", "int64"}},
      {"randint_bounds", [] { randint(5, 5, {2}); }, {"randint", "low (5)", "high (5)"}},
      {"randint_inexact",
       [] { randint(0, int64_t{1} << 30, {2}, kFloat32); },
       {"randint", "1073741824", "float32"}},
      {"randint_shape", [] { randint(3, {-1}); }, {"randint", "-1"}},
      {"randperm_negative", [] { randperm(-2); }, {"randperm", "-2"}},
      {"randperm_inexact",
       [] { randperm((int64_t{1} << 24) + 2, kFloat32); },
       {"randperm", "16777218", "float32"}},
      // Found by fuzz_api: values were drawn into a vector before the check.
      {"randn_over_ceiling",
       [] { randn({int64_t{1} << 40}, 1); },
       {"randn", "[1099511627776]", "ceiling"}},
      {"to_vector_of_huge_view",
       [] { zeros({1}).expand({int64_t{1} << 40}).to_vector(); },
       {"to_vector", "[1099511627776]", "ceiling"}},
      {"limit_guard",
       [] {
         MaxTensorBytesGuard limit(1 << 20);
         zeros({1024, 1024});
       },
       {"zeros", "[1024, 1024]", "1048576"}},
  };
  return out;
}

INSTANTIATE_TEST_SUITE_P(Ops, Errors, ::testing::ValuesIn(cases()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace minitorch

#include <cstdlib>
#include <fstream>

#include "test_util.h"
#include "testing/op_registry.h"

namespace minitorch::testing {
namespace {

// Views only move metadata and index_select, cat and stack copy: any dtype;
// an int64 sum is int64, as in LibTorch.
bool accepts_int64(Op op) {
  return op_family(op) == OpFamily::kView || op_family(op) == OpFamily::kJoining ||
         op == Op::kIndexSelect || op == Op::kGather || op == Op::kScatterAdd || op == Op::kSum;
}

// Whether the call's dims are dims of the input (not a shape or a permutation,
// where 7 can be valid).
bool dims_are_axes(OpForm form) {
  return form != OpForm::kShape && form != OpForm::kExpandShape && form != OpForm::kPermutation;
}

struct MatrixRow {
  std::string op, bad_input, message;
};

// Calls `call` expecting an Error naming the op; records the message.
void expect_error(const OpInfo& info, const std::string& kind, const std::function<void()>& call,
                  std::vector<MatrixRow>* rows) {
  try {
    call();
    ADD_FAILURE() << info.name << " with " << kind << ": no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(std::string(op_function_name(info.op())) + ":", 0), 0u)
        << info.name << " with " << kind << ": message does not start with the op: " << message;
    rows->push_back({info.name, kind, message});
  } catch (const std::exception& e) {
    ADD_FAILURE() << info.name << " with " << kind << ": non-minitorch exception " << e.what();
  }
}

// Every kind of malformed checkpoint file: load's Error names the file and
// the field (minitorch/serialize.h).
void expect_checkpoint_errors(std::vector<MatrixRow>* rows) {
  const auto one = [](const std::string& entry) { return "{\"x\":{" + entry + "}}"; };
  const std::string f64x2 = R"("dtype":"F64","shape":[2],)";
  const std::string x8 = R"("dtype":"F64","shape":[1],"data_offsets":[0,8])";
  const struct {
    std::string kind, bytes, expected;
  } cases[] = {
      {"shorter than the length field", "abc", "too short for the 8-byte header length"},
      {"header length past the end", safetensors_bytes("{}").substr(0, 8) + "{",
       "exceeds the file's remaining"},
      {"header not JSON", safetensors_bytes(R"({"x":)"), "the header is not valid JSON"},
      {"header not an object", safetensors_bytes("[1, 2]"), "the header is not a JSON object"},
      {"entry not an object", safetensors_bytes(R"({"x":3})"), "tensor \"x\" is not a JSON object"},
      {"unknown dtype",
       safetensors_bytes(one(R"("dtype":"F16","shape":[2],"data_offsets":[0,4])"), "1234"),
       "field dtype \"F16\" is not one minitorch loads"},
      {"dtype missing",
       safetensors_bytes(one(R"("shape":[1],"data_offsets":[0,8])"), float64_bytes({1})),
       "field dtype is missing"},
      {"negative dim",
       safetensors_bytes(one(R"("dtype":"F64","shape":[-1],"data_offsets":[0,8])"),
                         float64_bytes({1})),
       "field shape holds a number, not a non-negative integer"},
      {"shape not an array",
       safetensors_bytes(one(R"("dtype":"F64","shape":2,"data_offsets":[0,8])"),
                         float64_bytes({1})),
       "field shape is missing or not an array"},
      {"data_offsets not two integers",
       safetensors_bytes(one(f64x2 + R"("data_offsets":[0])"), float64_bytes({1, 2})),
       "field data_offsets is missing or not two non-negative integers"},
      {"data_offsets outside the data",
       safetensors_bytes(one(f64x2 + R"("data_offsets":[0,24])"), float64_bytes({1, 2})),
       "field data_offsets [0, 24] is outside the data section of 16 bytes"},
      {"shape and byte range disagree",
       safetensors_bytes(one(f64x2 + R"("data_offsets":[0,8])"), float64_bytes({1})),
       "shape [2] of F64 needs 16 bytes, but data_offsets [0, 8] hold 8"},
      {"shape past any file",
       safetensors_bytes(one(R"("dtype":"F64","shape":[1099511627776,1099511627776],)"
                             R"("data_offsets":[0,8])"),
                         float64_bytes({1})),
       "needs more bytes"},
      {"unknown field",
       safetensors_bytes(one(f64x2 + R"("data_offsets":[0,16],"strides":[1])"),
                         float64_bytes({1, 2})),
       "has an unknown field \"strides\""},
      {"overlapping tensors",
       safetensors_bytes("{\"x\":{" + x8 + "},\"y\":{" + x8 + "}}", float64_bytes({1})),
       "overlap another tensor's"},
      {"a gap in the data",
       safetensors_bytes(one(R"("dtype":"F64","shape":[1],"data_offsets":[8,16])"),
                         float64_bytes({1, 2})),
       "leave bytes [0, 8) of the data section to no tensor"},
      {"bytes after the last tensor", safetensors_bytes(one(x8), float64_bytes({1, 2})),
       "the data section has 16 bytes, but its tensors end at 8"},
      {"BOOL byte other than 0 or 1",
       safetensors_bytes(one(R"("dtype":"BOOL","shape":[2],"data_offsets":[0,2])"), "\x01\x07"),
       "BOOL tensor \"x\" holds the byte 7 at element 1"},
      {"metadata value not a string", safetensors_bytes(R"({"__metadata__":{"step":10}})"),
       "field __metadata__.step is not a string"},
      {"metadata not an object", safetensors_bytes(R"({"__metadata__":[]})"),
       "field __metadata__ is not a JSON object"},
  };
  for (const auto& c : cases) {
    std::istringstream in(c.bytes);
    try {
      load_stream(in, "file.safetensors");
      ADD_FAILURE() << "load of a file with " << c.kind << ": no error";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind("load: file.safetensors", 0), 0u) << c.kind << ": " << message;
      EXPECT_NE(message.find(c.expected), std::string::npos) << c.kind << ": " << message;
      rows->push_back({"load (safetensors)", c.kind, message});
    }
  }
}

// The training toolkit's misuses (minitorch/nn.h, optim.h): each Error
// starts with the function, class or method that refused.
void expect_training_errors(std::vector<MatrixRow>* rows) {
  namespace F = nn::functional;
  std::vector<Tensor> params = {zeros({3}).requires_grad_(), zeros({2}).requires_grad_()};
  optim::Adam adam(params, optim::AdamOptions(0.1));
  params[0].set_grad(ones({3}));
  adam.step();
  const optim::StateDict good = adam.state_dict();
  const auto altered = [&](const std::function<void(optim::StateDict&)>& change) {
    optim::StateDict state = good;
    change(state);
    return state;
  };
  struct Misuse {
    std::string api, kind;
    std::function<void()> call;
  };
  const auto module_with = [](const std::function<void(nn::Module&)>& register_into) {
    nn::Module module;
    module.register_parameter("w", zeros({2}));
    register_into(module);
  };
  const std::vector<Misuse> misuses = {
      {"layer_norm", "input not ending in normalized_shape",
       [] {
         F::layer_norm(zeros({2, 3}), F::LayerNormFuncOptions({4}));
       }},
      {"layer_norm", "weight of another shape",
       [] {
         F::layer_norm(zeros({2, 3}), F::LayerNormFuncOptions({3}).weight(ones({2})));
       }},
      {"layer_norm", "empty normalized_shape",
       [] {
         F::layer_norm(zeros({2, 3}), F::LayerNormFuncOptions({}));
       }},
      {"LayerNorm", "negative normalized_shape", [] { nn::LayerNorm(nn::LayerNormOptions({-1})); }},
      {"dropout", "p outside [0, 1]", [] { nn::Dropout(1.5); }},
      {"dropout", "int64 input", [] { F::dropout(zeros({2}, kInt64)); }},
      {"Linear", "input not ending in in_features",
       [] {
         nn::Linear(3, 2)(zeros({2, 4}));
       }},
      {"kaiming_uniform_", "1-D tensor", [] { nn::init::kaiming_uniform_(zeros({5})); }},
      {"xavier_uniform_", "empty 2-D tensor",
       [] {
         nn::init::xavier_uniform_(zeros({0, 0}));
       }},
      {"normal_", "int64 tensor", [] { nn::init::normal_(zeros({2}, kInt64)); }},
      {"uniform_", "low above high", [] { nn::init::uniform_(zeros({2}), 1, 0); }},
      {"register_parameter", "name with a dot",
       [&] { module_with([](nn::Module& m) { m.register_parameter("a.b", zeros({1})); }); }},
      {"register_buffer", "name already registered",
       [&] { module_with([](nn::Module& m) { m.register_buffer("w", zeros({1})); }); }},
      {"register_module", "empty holder",
       [&] { module_with([](nn::Module& m) { m.register_module("fc", nn::Linear(nullptr)); }); }},
      {"module holder", "empty holder", [] { nn::Linear(nullptr)->forward(zeros({1})); }},
      {"named_modules", "module owned by no shared_ptr",
       [] { nn::LinearImpl(1, 1).named_modules(); }},
      {"Module::to", "int64 dtype", [] { nn::Linear(1, 1)->to(kInt64); }},
      {"Sequential", "index out of range", [] { nn::Sequential(nn::ReLU())->ptr(1); }},
      {"Sequential", "forward of an empty Sequential", [] { nn::Sequential()(zeros({1})); }},
      {"SGD", "a parameter in two groups",
       [&] {
         optim::SGD({params[0], params[0]}, optim::SGDOptions(0.1));
       }},
      {"SGD", "negative learning rate", [&] { optim::SGD(params, optim::SGDOptions(-1)); }},
      {"SGD", "nesterov without momentum",
       [&] { optim::SGD(params, optim::SGDOptions(0.1).nesterov(true)); }},
      {"Adam", "a parameter that is not a leaf",
       [&] { optim::Adam({params[0] * 2.0}, optim::AdamOptions()); }},
      {"Adam", "beta outside [0, 1)",
       [&] {
         optim::Adam(params, optim::AdamOptions().betas({1.0, 0.9}));
       }},
      {"OptimizerParamGroup", "options of a group without any",
       [&] { optim::OptimizerParamGroup(params).options(); }},
      {"Adam.load_state_dict", "another optimizer's state",
       [&] {
         adam.load_state_dict(
             altered([](optim::StateDict& s) { s.metadata["optimizer"] = "SGD"; }));
       }},
      {"Adam.load_state_dict", "other groups",
       [&] {
         adam.load_state_dict(
             altered([](optim::StateDict& s) { s.metadata["param_groups"] = "[]"; }));
       }},
      {"Adam.load_state_dict", "an unknown option",
       [&] {
         adam.load_state_dict(altered([](optim::StateDict& s) {
           s.metadata["param_groups"] = R"([{"momentum": 0.9, "params": [0, 1]}])";
         }));
       }},
      {"Adam.load_state_dict", "a state tensor of another shape",
       [&] {
         adam.load_state_dict(
             altered([](optim::StateDict& s) { s.tensors["state.0.exp_avg"] = zeros({4}); }));
       }},
      {"Adam.load_state_dict", "a state without its step",
       [&] {
         adam.load_state_dict(
             altered([](optim::StateDict& s) { s.tensors.erase("state.0.step"); }));
       }},
      {"Adam.load_state_dict", "state of a parameter it does not have",
       [&] {
         adam.load_state_dict(altered(
             [](optim::StateDict& s) { s.tensors["state.9.step"] = scalar_tensor(1, kInt64); }));
       }},
      {"StepLR", "step_size 0", [&] { optim::StepLR(adam, 0); }},
      {"CosineAnnealingLR", "t_max 0", [&] { optim::CosineAnnealingLR(adam, 0); }},
      {"LinearLR", "start_factor 0", [&] { optim::LinearLR(adam, 0.0); }},
      {"LambdaLR", "no lambda", [&] { optim::LambdaLR(adam, nullptr); }},
      {"SequentialLR", "as many milestones as schedulers",
       [&] {
         optim::SequentialLR(adam, {std::make_shared<optim::ExponentialLR>(adam, 0.9)}, {3});
       }},
      {"StepLR.load_state_dict", "another scheduler's state",
       [&] {
         optim::StepLR(adam, 2).load_state_dict(optim::ExponentialLR(adam, 0.5).state_dict());
       }},
      {"StepLR.load_state_dict", "a negative last_epoch",
       [&] {
         optim::StepLR step(adam, 2);
         optim::StateDict state = step.state_dict();
         state.metadata["last_epoch"] = "-3";
         step.load_state_dict(state);
       }},
      {"clip_grad_norm_", "norm_type 0", [&] { nn::utils::clip_grad_norm_(params, 1.0, 0.0); }},
  };
  for (const Misuse& m : misuses) {
    try {
      m.call();
      ADD_FAILURE() << m.api << " with " << m.kind << ": no error";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind(m.api + ":", 0), 0u)
          << m.api << " with " << m.kind << ": message does not start with it: " << message;
      rows->push_back({m.api, m.kind, message});
    }
  }
}

// Every registry op with every kind of bad argument it can receive. With
// MINITORCH_ERROR_TABLE=<file> set, writes the messages as a markdown table
// (the test command writes build/ci/errors.md so).
TEST(ErrorMatrix, EveryOpWithEveryKindOfBadInput) {
  std::vector<MatrixRow> rows;
  for (const OpInfo& info : op_registry()) {
    const Inputs good = make_sample(info, 0, kFloat64, 1);
    for (size_t i = 0; i < good.size(); ++i) {
      Inputs bad = good;
      bad[i] = Tensor();
      expect_error(
          info, "undefined input " + std::to_string(i), [&] { info.fn(bad); }, &rows);
      if (!accepts_int64(info.op())) {
        bad[i] = zeros(good[i].shape(), kInt64);
        expect_error(
            info, "int64 input " + std::to_string(i), [&] { info.fn(bad); }, &rows);
      }
    }
    if (info.arity() == 2 && op_form(info.op()) != OpForm::kClassTarget) {
      Inputs bad = good;
      // scatter_add's src may be larger than its index: a smaller one is
      // the mismatch.
      bad[1] = op_form(info.op()) == OpForm::kScatterIndex ? zeros({1}) : zeros({7, 9});
      expect_error(
          info, "shape-mismatched operand", [&] { info.fn(bad); }, &rows);
    }
    if (!info.call.dims.empty() && dims_are_axes(op_form(info.op()))) {
      OpCall bad_call = info.call;
      bad_call.dims[0] = 7;
      expect_error(
          info, "dim 7 (out of range)", [&] { run_call(bad_call, good); }, &rows);
    }
  }
  expect_checkpoint_errors(&rows);
  expect_training_errors(&rows);
  EXPECT_GT(rows.size(), 100u);
  if (const char* path = std::getenv("MINITORCH_ERROR_TABLE")) {
    std::ofstream out(path);
    out << "# Error messages\n\nWhat each op says for each kind of bad argument, generated by "
           "`MINITORCH_ERROR_TABLE=errors.md tests/errors_test` (the test asserts every "
           "message "
           "starts with the op's name).\n\n| op variant | bad input | message |\n|---|---|---|\n";
    for (const MatrixRow& r : rows)
      out << "| " << r.op << " | " << r.bad_input << " | `" << r.message << "` |\n";
  }
}

}  // namespace
}  // namespace minitorch::testing
