// The fuzz byte format (see decoder.h).
#include "fuzz/decoder.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace minitorch::fuzz {

const char* mode_name(ValueMode mode) {
  switch (mode) {
    case ValueMode::kSmall:
      return "small";
    case ValueMode::kGrid:
      return "grid";
    case ValueMode::kWide:
      return "wide";
    case ValueMode::kRaw:
      return "raw";
  }
  return "unknown";
}

absl::StatusOr<ByteReader> ByteReader::Open(absl::Span<const uint8_t> bytes) {
  if (!bytes.empty() && (bytes[0] < 1 || bytes[0] > kFormatVersion)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown fuzz format version ", bytes[0], " (this build reads 1 to ", kFormatVersion, ")"));
  }
  return ByteReader(bytes);
}

uint8_t ByteReader::byte() { return position_ < bytes_.size() ? bytes_[position_++] : 0; }

int64_t ByteReader::in_range(int64_t lo, int64_t hi) { return lo + byte() % (hi - lo + 1); }

bool ByteReader::flag() { return (byte() & 1) != 0; }

ValueMode ByteReader::mode() { return static_cast<ValueMode>(byte() % 4); }

std::optional<Op> ByteReader::op(int v1_count) {
  const int b = byte();
  return op_with_fuzz_code(version() == 1 ? b % v1_count : b % kFuzzCodeSpace);
}

double ByteReader::value(ValueMode mode) {
  switch (mode) {
    case ValueMode::kSmall: {
      const uint16_t low = byte();
      const uint16_t high = byte();
      return static_cast<int16_t>(static_cast<uint16_t>(low | (high << 8))) / 4096.0;
    }
    case ValueMode::kGrid:
      return (byte() % 9 - 4) / 2.0;
    case ValueMode::kWide: {
      const bool negative = byte() & 1;
      const double mantissa = 1.0 + byte() / 256.0;
      const int exponent = byte() % 151 * 4 - 300;
      return (negative ? -1 : 1) * mantissa * std::pow(10.0, exponent);
    }
    case ValueMode::kRaw: {
      uint8_t raw[8];
      for (uint8_t& b : raw) b = byte();
      double v;
      std::memcpy(&v, raw, sizeof v);
      return v;
    }
  }
  return 0;
}

Tensor ByteReader::values(const Shape& shape, ValueMode mode) {
  std::vector<double> v(static_cast<size_t>(numel(shape)));
  for (double& x : v) x = value(mode);
  return tensor(v, shape);
}

Shape ByteReader::shape(int min_rank, int max_rank, int max_dim) {
  const int64_t rank = in_range(min_rank, max_rank);
  Shape s;
  for (int64_t i = 0; i < rank; ++i) s.push_back(in_range(1, max_dim));
  return s;
}

}  // namespace minitorch::fuzz
