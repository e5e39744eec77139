// libFuzzer's defaults for minitorch's targets, linked only into libFuzzer
// builds (fuzz/CMakeLists.txt, fuzz/BUILD.bazel). libFuzzer reads its flags
// after calling LLVMFuzzerInitialize, and where a flag is given twice the
// last one wins, so these go first and the command line overrides them.
//
// -entropic_feature_frequency_threshold=16: the entropic schedule counts a
// coverage feature as rare until it has been seen this often (libFuzzer's
// default is 255). libFuzzer keeps its rare features in a list it searches
// linearly for every feature of every run, and only trims the list once a
// member is seen more often than the threshold; the targets' corpora hold
// about 20,000 features, so at 255 that search took a fifth of a campaign
// (docs/design.md, "Fuzz throughput").
#include <vector>

namespace {

// Not const: argv's strings are char*.
char entropic_threshold[] = "-entropic_feature_frequency_threshold=16";

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // libFuzzer keeps using argv after this returns: the new array lives on.
  static std::vector<char*> args;
  if (*argc < 1) return 0;
  args.assign(*argv, *argv + *argc);
  args.insert(args.begin() + 1, entropic_threshold);
  args.push_back(nullptr);
  *argc = static_cast<int>(args.size()) - 1;
  *argv = args.data();
  return 0;
}
