// The op table's columns as arrays indexed by Op, generated from the table.
#include "minitorch/op_table.h"

#include <array>

namespace minitorch {

namespace {

struct OpEntry {
  const char* name;
  const char* function;
  int operands;
  OpForm form;
  OpFamily family;
  OpKinks kinks;
  int fuzz_code;
};

constexpr std::array<OpEntry, kNumOps> kEntries = {{
#define MINITORCH_OP_ENTRY(id, name, function, operands, form, family, kinks, code) \
  {name, #function, operands, OpForm::form, OpFamily::family, OpKinks::kinks, code},
    MINITORCH_FOR_EACH_OP(MINITORCH_OP_ENTRY)
#undef MINITORCH_OP_ENTRY
}};

// Fuzz codes are unique and inside the code space, checked at compile time.
constexpr bool fuzz_codes_are_valid() {
  for (size_t i = 0; i < kEntries.size(); ++i) {
    if (kEntries[i].fuzz_code < 0 || kEntries[i].fuzz_code >= kFuzzCodeSpace) return false;
    for (size_t j = 0; j < i; ++j) {
      if (kEntries[i].fuzz_code == kEntries[j].fuzz_code) return false;
    }
  }
  return true;
}
static_assert(fuzz_codes_are_valid(), "fuzz codes must be unique and below kFuzzCodeSpace");

const OpEntry& entry(Op op) { return kEntries[static_cast<size_t>(op)]; }

}  // namespace

const char* op_name(Op op) { return entry(op).name; }
const char* op_function_name(Op op) { return entry(op).function; }
int op_operands(Op op) { return entry(op).operands; }
OpForm op_form(Op op) { return entry(op).form; }
OpFamily op_family(Op op) { return entry(op).family; }
OpKinks op_kinks(Op op) { return entry(op).kinks; }
int op_fuzz_code(Op op) { return entry(op).fuzz_code; }

std::optional<Op> op_with_fuzz_code(int code) {
  for (size_t i = 0; i < kEntries.size(); ++i) {
    if (kEntries[i].fuzz_code == code) return static_cast<Op>(i);
  }
  return std::nullopt;
}

}  // namespace minitorch
