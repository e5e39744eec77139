// The byte format every fuzz target decodes, versions 1 to 4.
//
//   byte 0      format version: 1 to 4 (kFormatVersion, what new seeds are
//               written in). Inputs with another version are rejected
//               (the target returns -1, so libFuzzer drops them), never
//               crashed on; an empty input is version 4 with every field 0.
//               Versions 1 and 2 differ in how an op is read (op() below);
//               version 3 adds the fields the gradient targets read last
//               (the execution, fuzz/harness.h; fuzz_graph's magnitude);
//               version 4 adds the execution's in-place field.
//               Fields are only ever added in a new version, so a corpus
//               file keeps its meaning, spare trailing bytes included.
//   bytes 1...  the target's fields, in the order its Decode function reads
//               them (see each fuzz_*.cc). Every field reads through
//               ByteReader, which yields 0 once the input is exhausted, so
//               every byte string of a known version decodes to a valid case.
//
// Field encodings (stable: corpus files keep their meaning):
//   in_range(lo, hi)   one byte b: lo + b % (hi - lo + 1)
//   flag()             one byte b: b & 1
//   value(kSmall)      two bytes, little-endian int16 / 4096: [-8, 8), fine
//   value(kGrid)       one byte b: (b % 9 - 4) / 2 in {-2, ..., 2}: hits
//                      kinks (0), clamp bounds and ties on purpose
//   value(kWide)       three bytes: sign (bit 0 of byte 1), mantissa
//                      1 + byte 2 / 256, decimal exponent byte 3 % 151 * 4
//                      - 300: magnitudes 1e-300 .. 1e300 by factors of 1e4
//                      (1, 1e4, 1e8, ..., 1e300)
//   value(kRaw)        eight bytes, an IEEE double as stored: NaN, inf,
//                      subnormals, -0
//   mode()             one byte b: ValueMode(b % 4)
//   op(v1_count)       one byte b. Version 2: the op whose fuzz code (its
//                      op-table entry) is b % kFuzzCodeSpace, or none when no
//                      op has that code; codes are append-only, so an added
//                      op changes no input's meaning except those naming its
//                      then-unused code. Version 1 (corpus files written before
//                      codes existed): the op with code b % v1_count, the
//                      target's count of ops at the time.
#ifndef MINITORCH_FUZZ_DECODER_H_
#define MINITORCH_FUZZ_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "minitorch/minitorch.h"

namespace minitorch::fuzz {

inline constexpr uint8_t kFormatVersion = 4;

enum class ValueMode : uint8_t { kSmall, kGrid, kWide, kRaw };
const char* mode_name(ValueMode mode);

class ByteReader {
 public:
  // Checks the version byte; the reader starts after it.
  static absl::StatusOr<ByteReader> Open(absl::Span<const uint8_t> bytes);

  uint8_t byte();
  int64_t in_range(int64_t lo, int64_t hi);
  bool flag();
  ValueMode mode();
  std::optional<Op> op(int v1_count);
  double value(ValueMode mode);
  // A tensor of `shape` with values in `mode`.
  Tensor values(const Shape& shape, ValueMode mode);
  // A shape of rank in [min_rank, max_rank] with dims in [1, max_dim].
  Shape shape(int min_rank, int max_rank, int max_dim);
  size_t remaining() const { return bytes_.size() - position_; }
  uint8_t version() const { return bytes_.empty() ? kFormatVersion : bytes_[0]; }

 private:
  explicit ByteReader(absl::Span<const uint8_t> bytes) : bytes_(bytes) {}
  absl::Span<const uint8_t> bytes_;
  size_t position_ = 1;
};

}  // namespace minitorch::fuzz

#endif  // MINITORCH_FUZZ_DECODER_H_
