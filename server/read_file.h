// Reads a small configuration file (token file, certificate, key) whole.
#ifndef PITR_SERVER_READ_FILE_H_
#define PITR_SERVER_READ_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr {

// The contents of the file at `path`. If it cannot be read: NOT_FOUND, or
// PERMISSION_DENIED when access is refused, with a message "cannot read
// <what> <path>: <system error>".
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             absl::string_view what);

}  // namespace pitr

#endif  // PITR_SERVER_READ_FILE_H_
