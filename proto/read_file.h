// Reads the small files pitrd and its clients are configured with (token
// files, TLS certificates and keys) whole, so that both ends of the API
// report a missing or malformed file alike.
//
// Thread-safe: pure functions.
#ifndef PITR_PROTO_READ_FILE_H_
#define PITR_PROTO_READ_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr {

// The contents of the file at `path`. If it cannot be read: NOT_FOUND, or
// PERMISSION_DENIED when access is refused, with a message "cannot read
// <what> <path>: <system error>".
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             absl::string_view what);

// The file at `path`, which must hold a PEM block: errors as
// ReadFileToString, and INVALID_ARGUMENT naming `what` and the path if it
// holds none.
absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                        absl::string_view what);

}  // namespace pitr

#endif  // PITR_PROTO_READ_FILE_H_
