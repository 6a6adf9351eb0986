#include "remote/local_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace pitr::remote {

namespace {

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

absl::Status PosixError(absl::string_view what, absl::string_view path,
                        int error) {
  std::string message =
      absl::StrCat(what, " \"", path, "\": ", std::strerror(error));
  switch (error) {
    case ENOENT:
      return absl::NotFoundError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::StatusOr<PendingFile> PendingFile::Create(const std::string& temp_dir) {
  std::string path = temp_dir + "/pending-XXXXXX";
  int fd = mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return PosixError("create a temporary file in", temp_dir, errno);
  return PendingFile(fd, std::move(path));
}

PendingFile::PendingFile(PendingFile&& other) noexcept
    : fd_(other.fd_),
      path_(std::move(other.path_)),
      published_(other.published_) {
  other.fd_ = -1;
  other.published_ = true;
}

PendingFile::~PendingFile() {
  if (fd_ >= 0) close(fd_);
  if (!published_) unlink(path_.c_str());
}

absl::Status PendingFile::Append(absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return PosixError("write", path_, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status PendingFile::Finish() {
  if (fsync(fd_) != 0) return PosixError("fsync", path_, errno);
  int fd = fd_;
  fd_ = -1;
  if (close(fd) != 0) return PosixError("close", path_, errno);
  return absl::OkStatus();
}

absl::Status PendingFile::Publish(const std::string& target) {
  PITR_RETURN_IF_ERROR(Finish());
  if (rename(path_.c_str(), target.c_str()) != 0) {
    return PosixError(absl::StrCat("rename \"", path_, "\" to"), target,
                      errno);
  }
  published_ = true;
  return SyncDir(DirName(target));
}

absl::Status PendingFile::PublishIfAbsent(const std::string& target) {
  PITR_RETURN_IF_ERROR(Finish());
  if (link(path_.c_str(), target.c_str()) != 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat(target, " exists"));
    }
    return PosixError(absl::StrCat("link \"", path_, "\" to"), target, errno);
  }
  // The object is published; the temporary name goes (and with it the
  // destructor's unlink).
  published_ = true;
  if (unlink(path_.c_str()) != 0) return PosixError("unlink", path_, errno);
  PITR_RETURN_IF_ERROR(SyncDir(DirName(path_)));
  return SyncDir(DirName(target));
}

absl::Status ReadFileChunks(
    const std::string& path, uint64_t offset, uint64_t length,
    const std::function<absl::Status(absl::string_view)>& chunk) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("open", path, errno);
  absl::Status status = ReadFdChunks(fd, path, offset, length, chunk);
  close(fd);
  return status;
}

absl::Status ReadFdChunks(
    int fd, absl::string_view path, uint64_t offset, uint64_t length,
    const std::function<absl::Status(absl::string_view)>& chunk) {
  std::vector<char> buffer(std::min<uint64_t>(length, 1 << 20));
  absl::Status status;
  while (status.ok() && length > 0) {
    ssize_t n = pread(fd, buffer.data(), std::min<uint64_t>(length, buffer.size()),
                      static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = PosixError("read", path, errno);
    } else if (n == 0) {
      status = absl::InternalError(absl::StrCat(
          "read \"", path, "\": the file ends at ", offset, ", ", length,
          " bytes short"));
    } else {
      status = chunk(absl::string_view(buffer.data(), static_cast<size_t>(n)));
      offset += static_cast<uint64_t>(n);
      length -= static_cast<uint64_t>(n);
    }
  }
  return status;
}

absl::StatusOr<uint64_t> LocalFileSize(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return PosixError("stat", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", path, "\" is not a regular file"));
  }
  return static_cast<uint64_t>(st.st_size);
}

absl::Status SyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return PosixError("open directory", dir, errno);
  absl::Status status;
  if (fsync(fd) != 0) status = PosixError("fsync directory", dir, errno);
  close(fd);
  return status;
}

absl::StatusOr<FileLock> FileLock::Acquire(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return PosixError("open lock file", path, errno);
  while (flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int error = errno;
    close(fd);
    return PosixError("flock", path, error);
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);  // releases the flock
}

}  // namespace pitr::remote
