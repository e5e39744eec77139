// fuzz_graph: a random graph of 1 to 8 ops drawn from the whole op table
// over one or two inputs (fuzz/graph_decoder.h); the verdict on the result.
#include <cstdint>

#include "fuzz/decoder.h"
#include "fuzz/graph_decoder.h"
#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = minitorch::fuzz::ByteReader::Open({data, size});
  if (!reader.ok()) return -1;
  minitorch::fuzz::GraphOptions options;
#ifdef MINITORCH_FUZZ_FLOAT32
  options.float32 = true;
#endif
  const minitorch::fuzz::GraphCase c = minitorch::fuzz::decode_graph(*reader, options);
  minitorch::fuzz::check_gradients("fuzz_graph", c.program, c.inputs, c.execution, {data, size});
  return 0;
}
