// pitrctl's exit status for the outcome of a command (README.md lists it):
// 0 for success, 2 for a usage error, and one code per family of errors a
// server returns, so scripts can tell "not found" from "retry later".
#ifndef PITR_TOOLS_PITRCTL_EXIT_CODES_H_
#define PITR_TOOLS_PITRCTL_EXIT_CODES_H_

#include "absl/status/status.h"

namespace pitr::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitOther = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNotFound = 3;
inline constexpr int kExitAlreadyExists = 4;
inline constexpr int kExitInvalidArgument = 5;
inline constexpr int kExitFailedPrecondition = 6;
inline constexpr int kExitOutOfRange = 7;
inline constexpr int kExitUnavailable = 8;
inline constexpr int kExitDenied = 9;
inline constexpr int kExitDataLoss = 10;

int ExitCode(const absl::Status& status);

}  // namespace pitr::ctl

#endif  // PITR_TOOLS_PITRCTL_EXIT_CODES_H_
