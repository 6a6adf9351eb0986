#include "tools/wal/wal_source.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace pitr::waltool {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Takes a shared lock on wal_dir/LOCK if that file exists; returns its fd,
// or -1 if there is no lock file.
absl::StatusOr<int> LockShared(const std::string& wal_dir) {
  const std::string path = JoinPath(wal_dir, "LOCK");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return -1;
    return absl::PermissionDeniedError(
        absl::StrCat("open ", path, ": ", std::strerror(errno)));
  }
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the WAL in ", wal_dir,
          " is in use (its LOCK is held: is pitrd running on it?); stop the "
          "server, read through it (pitrctl wal read), or pass "
          "--ignore_lock to read the files as they are now"));
    }
    return absl::InternalError(
        absl::StrCat("flock ", path, ": ", std::strerror(err)));
  }
  return fd;
}

}  // namespace

absl::Status ResolveWalDir(const std::string& path, std::string* wal_dir,
                           std::string* data_dir) {
  if (!IsDirectory(path)) {
    return absl::NotFoundError(
        absl::StrCat(path,
                     " is not a directory (expected a data directory "
                     "or a WAL directory)"));
  }
  const std::string sub = JoinPath(path, "wal");
  if (IsDirectory(sub)) {
    *wal_dir = sub;
    *data_dir = path;
  } else {
    *wal_dir = path;
    data_dir->clear();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<WalSource>> WalSource::Open(
    const WalSourceOptions& options) {
  std::unique_ptr<WalSource> source(new WalSource());
  PITR_RETURN_IF_ERROR(
      ResolveWalDir(options.path, &source->wal_dir_, &source->data_dir_));
  if (!options.ignore_lock) {
    PITR_ASSIGN_OR_RETURN(source->lock_fd_, LockShared(source->wal_dir_));
  }
  source->fs_ = std::make_unique<ReadOnlyFileSystem>(FileSystem::Default());
  WalOptions wal_options;
  wal_options.dir = source->wal_dir_;
  wal_options.fs = source->fs_.get();
  PITR_ASSIGN_OR_RETURN(source->wal_, Wal::Open(wal_options));
  source->recovery_changes_ = source->fs_->changes();
  return source;
}

WalSource::~WalSource() {
  if (wal_ != nullptr) wal_->Close().IgnoreError();
  wal_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace pitr::waltool
