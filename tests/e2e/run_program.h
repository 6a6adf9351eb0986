// RunProgram: runs a binary of the test's runfiles (pitrctl, pitrd,
// pitr-wal) to its end, as a user would from a shell, and returns its exit
// code, stdout and stderr.
//
//   ProgramResult r = RunProgram({RunfilePath("tools/pitrctl/pitrctl"),
//                                 "--version"});
//   EXPECT_EQ(r.exit_code, 0);
#ifndef PITR_TESTS_E2E_RUN_PROGRAM_H_
#define PITR_TESTS_E2E_RUN_PROGRAM_H_

#include <map>
#include <string>
#include <vector>

namespace pitr::e2e {

struct ProgramResult {
  int exit_code = -1;  // 128 if a signal ended it
  std::string out;
  std::string err;
};

// The path of `path` (relative to the workspace) in the test's runfiles.
std::string RunfilePath(const std::string& path);

// Runs argv[0] with `argv` in this process's environment, changed by `env`
// (NAME -> value; an empty value unsets NAME). A failure to start is a
// GoogleTest failure and exit code -1.
ProgramResult RunProgram(std::vector<std::string> argv,
                         const std::map<std::string, std::string>& env = {});

}  // namespace pitr::e2e

#endif  // PITR_TESTS_E2E_RUN_PROGRAM_H_
