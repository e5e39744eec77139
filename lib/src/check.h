// The two error tiers (see minitorch/error.h).
//
// MT_CHECK(cond, args...) is for user errors: when cond is false it throws
// minitorch::Error with absl::StrCat(args...) as the message, which must
// start with the op name and name the shapes or dims involved.
// MT_INTERNAL_ASSERT(cond, args...) guards invariants of minitorch itself;
// a failure is a minitorch bug, reported (not aborted) with file and line.
#ifndef MINITORCH_SRC_CHECK_H_
#define MINITORCH_SRC_CHECK_H_

#include "absl/strings/str_cat.h"
#include "minitorch/error.h"

#define MT_CHECK(cond, ...)                                           \
  do {                                                                \
    if (!(cond)) throw ::minitorch::Error(absl::StrCat(__VA_ARGS__)); \
  } while (false)

#define MT_INTERNAL_ASSERT(cond, ...)                                                          \
  do {                                                                                         \
    if (!(cond))                                                                               \
      throw ::minitorch::Error(absl::StrCat("minitorch internal error at ", __FILE__, ":",     \
                                            __LINE__, ": " #cond " failed. ", ##__VA_ARGS__)); \
  } while (false)

#endif  // MINITORCH_SRC_CHECK_H_
