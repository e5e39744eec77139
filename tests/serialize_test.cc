// Checkpoints in safetensors (minitorch/serialize.h): round trips of every
// dtype and layout, save -> load -> save byte for byte, the file's layout
// as the format specifies it, and modules saved and loaded by name. Every
// kind of malformed file is in the error matrix (errors_test.cc,
// docs/errors.md).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "minitorch/minitorch.h"
#include "test_util.h"

namespace minitorch {
namespace {

using testing::float64_bytes;
using testing::safetensors_bytes;

std::string temp_path(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / name).string();
}

std::map<std::string, Tensor> load_bytes(const std::string& bytes,
                                         std::map<std::string, std::string>* metadata = nullptr) {
  std::istringstream in(bytes);
  return load_stream(in, "file.safetensors", metadata);
}

void expect_same(const Tensor& a, const Tensor& b, const std::string& name) {
  EXPECT_EQ(a.dtype(), b.dtype()) << name;
  EXPECT_EQ(a.shape(), b.shape()) << name;
  const std::vector<double> x = a.to_vector(), y = b.to_vector();
  ASSERT_EQ(x.size(), y.size()) << name;
  if (x.empty()) return;  // memcmp may not take an empty vector's null data
  EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size() * sizeof(double)), 0) << name;
}

TEST(Safetensors, EveryDtypeAndLayoutRoundTripsThroughAFile) {
  const Tensor matrix = tensor({1.5, -0.0, INFINITY, NAN, 3, 4}, {2, 3}, kFloat32);
  const std::map<std::string, Tensor> tensors = {
      {"float32", matrix},
      {"float64", tensor({0.1, -2e300, 5e-324}, {3})},
      {"int64", tensor({7, -1, 1LL << 40}, {3}, kInt64)},
      {"bool", tensor({1, 0, 1}, {3}, kBool)},
      {"scalar", scalar_tensor(2.25)},
      {"empty", zeros({0, 3}, kFloat32)},
      {"transposed", transpose(matrix, 0, 1)},
      {"expanded", expand(tensor({1, 2}, {2, 1}), {2, 4})},
      {"sliced", slice(tensor({0, 1, 2, 3, 4, 5}, {6}), 0, 1, 6, 2)},
  };
  const std::map<std::string, std::string> metadata = {{"step", "10"}, {"format", "pt"}};
  const std::string path = temp_path("round_trip.safetensors");
  save_file(tensors, path, metadata);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::map<std::string, std::string> loaded_metadata;
  const std::map<std::string, Tensor> loaded = load_file(path, &loaded_metadata);
  EXPECT_EQ(loaded_metadata, metadata);
  ASSERT_EQ(loaded.size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    ASSERT_TRUE(loaded.count(name)) << name;
    expect_same(loaded.at(name), t, name);
    EXPECT_TRUE(loaded.at(name).is_contiguous()) << name;
    EXPECT_FALSE(loaded.at(name).requires_grad()) << name;
  }
}

// The bytes a safetensors writer produces for one float64 tensor: the
// header is JSON with dtype, shape and data_offsets, padded with spaces to
// 8 bytes, and the data follows raw and little-endian.
TEST(Safetensors, FileIsLaidOutAsTheFormatSpecifies) {
  std::ostringstream out;
  save_stream({{"x", tensor({1, 2}, {2})}}, out);
  const std::string header = R"({"x":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}})";
  const std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  EXPECT_EQ(out.str(), safetensors_bytes(padded, float64_bytes({1, 2})));
}

// A file as another writer may lay it out (no padding, keys in another
// order, the data in another order than the names) loads.
TEST(Safetensors, LoadsWhatAnotherWriterLaysOutOtherwise) {
  const std::string header =
      R"({"b":{"shape":[1],"data_offsets":[0,8],"dtype":"F64"},)"
      R"("a":{"data_offsets":[8,24],"dtype":"F64","shape":[2,1]},"__metadata__":{"k":"v"}})";
  std::map<std::string, std::string> metadata;
  const std::map<std::string, Tensor> loaded =
      load_bytes(safetensors_bytes(header, float64_bytes({3, 1, 2})), &metadata);
  expect_same(loaded.at("a"), tensor({1, 2}, {2, 1}), "a");
  expect_same(loaded.at("b"), tensor({3}, {1}), "b");
  EXPECT_EQ(metadata, (std::map<std::string, std::string>{{"k", "v"}}));
}

// Save -> load -> save gives the same bytes.
TEST(Safetensors, SaveLoadSaveIsByteIdentical) {
  const std::map<std::string, Tensor> tensors = {
      {"w", tensor({0.5, -1.25, 3e-310, NAN}, {2, 2}, kFloat64)},
      {"b", tensor({1, 2, 3}, {3}, kFloat32)},
      {"i", tensor({4, 5}, {2}, kInt64)},
      {"m", tensor({0, 1}, {2}, kBool)},
      {"none", zeros({0})}};
  const std::map<std::string, std::string> metadata = {{"epoch", "3"}};
  std::ostringstream first;
  save_stream(tensors, first, metadata);
  std::map<std::string, std::string> loaded_metadata;
  const std::map<std::string, Tensor> loaded = load_bytes(first.str(), &loaded_metadata);
  std::ostringstream second;
  save_stream(loaded, second, loaded_metadata);
  EXPECT_EQ(second.str(), first.str());
}

TEST(Safetensors, SavingAnUndefinedTensorOrTheMetadataNameIsAnErrorAndWritesNothing) {
  const std::string path = temp_path("refused.safetensors");
  EXPECT_THROW(save_file({{"x", Tensor()}}, path), Error);
  EXPECT_THROW(save_file({{"__metadata__", zeros({1})}}, path), Error);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_THROW(load_file(temp_path("no_such_file.safetensors")), Error);
}

TEST(Safetensors, ModulesSaveAndLoadTheirParametersByName) {
  const nn::Linear saved(nn::LinearOptions(3, 2).seed(1));
  nn::Linear restored(nn::LinearOptions(3, 2).seed(2));
  const std::string path = temp_path("linear.safetensors");
  save(saved, path);
  load(restored, path);
  const auto expected = saved->named_parameters(), got = restored->named_parameters();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, expected[i].first);
    expect_same(got[i].second.detach(), expected[i].second.detach(), got[i].first);
    EXPECT_TRUE(got[i].second.requires_grad());
  }
  const std::map<std::string, Tensor> names = load_file(path);
  EXPECT_TRUE(names.count("weight") && names.count("bias"));
}

// A file that does not fit the module is an Error naming the parameter,
// and the module keeps every value it had.
TEST(Safetensors, LoadingAFileThatDoesNotFitChangesNoParameter) {
  nn::Linear layer(nn::LinearOptions(3, 2).seed(3));
  const std::vector<double> weight = layer->named_parameters()[0].second.to_vector();
  const std::string path = temp_path("misfit.safetensors");
  const struct {
    std::map<std::string, Tensor> file;
    std::string expected;
  } cases[] = {
      {{{"weight", zeros({2, 3}, kFloat32)}}, "has no tensor \"bias\""},
      {{{"weight", zeros({3, 2}, kFloat32)}, {"bias", zeros({2}, kFloat32)}},
       "tensor \"weight\" is float32 of shape [3, 2], but the module's is float32 of "
       "shape [2, 3]"},
      {{{"weight", zeros({2, 3})}, {"bias", zeros({2}, kFloat32)}}, "is float64 of shape [2, 3]"},
      {{{"weight", zeros({2, 3}, kFloat32)}, {"bias", zeros({2}, kFloat32)}, {"extra", zeros({1})}},
       "tensor \"extra\" is no parameter or buffer of the module"},
  };
  for (const auto& c : cases) {
    save_file(c.file, path);
    try {
      load(layer, path);
      ADD_FAILURE() << "loaded a file that should fail with: " << c.expected;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    EXPECT_EQ(layer->named_parameters()[0].second.to_vector(), weight);
  }
}

}  // namespace
}  // namespace minitorch
