// Finding the crash tests' child binaries (data dependencies of the tests).
#ifndef PITR_TESTS_CRASH_CHILD_PROCESS_H_
#define PITR_TESTS_CRASH_CHILD_PROCESS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace pitr::crash {

// The path of binary `name` of tests/crash: in the test's runfiles under
// Bazel, or beside the test binary when it is run by hand.
std::string ChildBinaryPath(absl::string_view name);

}  // namespace pitr::crash

#endif  // PITR_TESTS_CRASH_CHILD_PROCESS_H_
