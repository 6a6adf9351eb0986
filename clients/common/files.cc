#include "clients/common/files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace pitr::clients {

absl::Status FileError(const std::string& what, const std::string& path) {
  int error = errno;
  std::string message =
      absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(error));
  return error == ENOENT ? absl::NotFoundError(message)
                         : absl::FailedPreconditionError(message);
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return FileError("open", path);
  std::ostringstream data;
  data << in.rdbuf();
  if (in.bad()) return FileError("read", path);
  return data.str();
}

absl::Status WriteStringToFile(const std::string& path,
                               const std::string& data) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return FileError("create", path);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return FileError("write", path);
  return absl::OkStatus();
}

}  // namespace pitr::clients
