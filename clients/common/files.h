// Whole-file reads and writes for clients (payloads, token files, pages).
#ifndef PITR_CLIENTS_COMMON_FILES_H_
#define PITR_CLIENTS_COMMON_FILES_H_

#include <string>

#include "absl/status/statusor.h"

namespace pitr::clients {

// NOT_FOUND if there is no such file, another error naming the path and
// the reason if it cannot be read.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Creates or replaces the file `path` with `data`.
absl::Status WriteStringToFile(const std::string& path,
                               const std::string& data);

// An error for a failed operation on `path` from errno, e.g.
// NOT_FOUND: "cannot open x: No such file or directory".
absl::Status FileError(const std::string& what, const std::string& path);

}  // namespace pitr::clients

#endif  // PITR_CLIENTS_COMMON_FILES_H_
