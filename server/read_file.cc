#include "server/read_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace pitr {

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             absl::string_view what) {
  std::ifstream file(path);
  if (!file) {
    const int error = errno;
    const std::string message =
        absl::StrCat("cannot read ", what, " ", path, ": ", strerror(error));
    return error == EACCES ? absl::PermissionDeniedError(message)
                           : absl::NotFoundError(message);
  }
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace pitr
