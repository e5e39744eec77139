// fuzz_safetensors: the checkpoint loader (minitorch/serialize.h) on any
// bytes. A file either raises minitorch::Error or loads; one that loads is
// saved again and must load back to the same names, dtypes, shapes, bits
// and metadata. Under ASan and UBSan, the loader must never read or
// allocate past what the bytes justify (libFuzzer's -rss_limit_mb and
// -malloc_limit_mb catch an allocation the file does not pay for).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string>

#include "minitorch/minitorch.h"

namespace {

bool same(const minitorch::Tensor& a, const minitorch::Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  const std::vector<double> x = a.to_vector(), y = b.to_vector();
  return x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0;
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "==== fuzz_safetensors: FAILURE ====\n%s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::map<std::string, std::string> metadata;
  std::map<std::string, minitorch::Tensor> tensors;
  try {
    tensors = minitorch::load_stream(in, "fuzz input", &metadata);
  } catch (const minitorch::Error&) {
    return 0;  // refused, as a malformed file must be
  }
  std::stringstream again;
  minitorch::save_stream(tensors, again, metadata);
  std::map<std::string, std::string> metadata_again;
  const std::map<std::string, minitorch::Tensor> reloaded =
      minitorch::load_stream(again, "saved again", &metadata_again);
  if (metadata_again != metadata) fail("the metadata changed through save and load");
  if (reloaded.size() != tensors.size()) fail("the tensor names changed through save and load");
  for (const auto& [name, t] : tensors) {
    const auto found = reloaded.find(name);
    if (found == reloaded.end() || !same(t, found->second)) {
      fail(("tensor \"" + name + "\" changed through save and load").c_str());
    }
  }
  return 0;
}
