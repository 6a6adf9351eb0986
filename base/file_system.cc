#include "base/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <filesystem>
#include <set>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "base/mutex.h"
#include "base/status_macros.h"

namespace pitr {

absl::Status WritableFile::AppendV(
    const std::vector<absl::string_view>& pieces) {
  for (absl::string_view piece : pieces) {
    if (absl::Status s = Append(piece); !s.ok()) return s;
  }
  return absl::OkStatus();
}

namespace {

absl::Status ErrnoStatus(absl::string_view what, const std::string& path,
                         int err) {
  return absl::ErrnoToStatus(err, absl::StrCat(what, " ", path));
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd)
      : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  absl::Status Append(absl::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  absl::Status AppendV(const std::vector<absl::string_view>& pieces) override {
    std::vector<struct iovec> iov;
    iov.reserve(pieces.size());
    for (absl::string_view piece : pieces) {
      if (!piece.empty()) {
        iov.push_back({const_cast<char*>(piece.data()), piece.size()});
      }
    }
    size_t next = 0;  // first iovec not wholly written
    while (next < iov.size()) {
      const int count =
          static_cast<int>(std::min<size_t>(iov.size() - next, IOV_MAX));
      ssize_t n = ::writev(fd_, &iov[next], count);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("writev", path_, errno);
      }
      // Skip what was written; a short write leaves a partial iovec.
      auto written = static_cast<size_t>(n);
      while (next < iov.size() && written >= iov[next].iov_len) {
        written -= iov[next].iov_len;
        ++next;
      }
      if (written > 0) {
        iov[next].iov_base = static_cast<char*>(iov[next].iov_base) + written;
        iov[next].iov_len -= written;
      }
    }
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", path_, errno);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0) return ErrnoStatus("close", path_, errno);
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  int fd_;
};

class PosixRandomAccessFile : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd)
      : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  absl::StatusOr<size_t> Read(uint64_t offset, size_t n,
                              char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, scratch + done, n - done,
                          static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("pread", path_, errno);
      }
      if (r == 0) break;  // end of file
      done += static_cast<size_t>(r);
    }
    return done;
  }

 private:
  const std::string path_;
  const int fd_;
};

// flock() locks belong to an open file description, so a second open in the
// same process would not conflict; the set of held paths covers that case.
Mutex locked_paths_mu;
std::set<std::string>& LockedPaths()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(locked_paths_mu) {
  static auto* paths = new std::set<std::string>;
  return *paths;
}

class PosixFileLock : public FileLock {
 public:
  PosixFileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
    MutexLock l(&locked_paths_mu);
    LockedPaths().erase(path_);
  }

 private:
  const std::string path_;
  const int fd_;
};

class PosixFileSystem : public FileSystem {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override {
    return OpenWritable(path, O_CREAT | O_TRUNC);
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override {
    return OpenWritable(path, O_APPEND);
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::make_unique<PosixRandomAccessFile>(path, fd);
  }

  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus("opendir", dir, errno);
    std::vector<std::string> names;
    while (struct dirent* entry = ::readdir(d)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(d);
    return names;
  }

  absl::Status CreateDirs(const std::string& dir) override {
    for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
      std::string prefix = dir.substr(0, slash);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoStatus("mkdir", prefix, errno);
      }
      if (slash == std::string::npos) break;
    }
    return absl::OkStatus();
  }

  absl::Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", dir, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus("fsync", dir, err);
    return absl::OkStatus();
  }

  absl::Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return absl::OkStatus();
  }

  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus("rename to " + to, from, errno);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    absl::Status status;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      status = ErrnoStatus("ftruncate", path, errno);
    } else if (::fsync(fd) != 0) {
      status = ErrnoStatus("fsync", path, errno);
    }
    ::close(fd);
    return status;
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override {
    {
      MutexLock l(&locked_paths_mu);
      if (!LockedPaths().insert(path).second) return AlreadyLocked(path);
    }
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    int err = errno;
    if (fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      err = errno;
      ::close(fd);
      fd = -1;
    }
    if (fd < 0) {
      MutexLock l(&locked_paths_mu);
      LockedPaths().erase(path);
      return err == EWOULDBLOCK ? AlreadyLocked(path)
                                : ErrnoStatus("lock", path, err);
    }
    return std::make_unique<PosixFileLock>(path, fd);
  }

 private:
  static absl::Status AlreadyLocked(const std::string& path) {
    return absl::FailedPreconditionError(
        absl::StrCat("lock ", path,
                     " is held by another user of this data directory "
                     "(only one process may open it at a time)"));
  }

  static absl::StatusOr<std::unique_ptr<WritableFile>> OpenWritable(
      const std::string& path, int flags) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | flags, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::make_unique<PosixWritableFile>(path, fd);
  }
};

}  // namespace

FileSystem* FileSystem::Default() {
  static auto* fs = new PosixFileSystem;
  return fs;
}

std::string JoinPath(absl::string_view dir, absl::string_view name) {
  if (!dir.empty() && dir.back() == '/') return absl::StrCat(dir, name);
  return absl::StrCat(dir, "/", name);
}

absl::Status RemoveTree(const std::string& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("removing ", path, ": ", error.message()));
  }
  return absl::OkStatus();
}

absl::Status WriteFileDurably(FileSystem* fs, const std::string& path,
                              absl::string_view data) {
  const std::string temp = path + ".tmp";
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                        fs->NewWritableFile(temp));
  PITR_RETURN_IF_ERROR(file->Append(data));
  PITR_RETURN_IF_ERROR(file->Sync());
  PITR_RETURN_IF_ERROR(file->Close());
  PITR_RETURN_IF_ERROR(fs->RenameFile(temp, path));
  const size_t slash = path.rfind('/');
  return fs->SyncDir(slash == std::string::npos ? "." : path.substr(0, slash));
}

absl::StatusOr<std::string> ReadWholeFile(FileSystem* fs,
                                          const std::string& path) {
  PITR_ASSIGN_OR_RETURN(uint64_t size, fs->FileSize(path));
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file,
                        fs->NewRandomAccessFile(path));
  std::string data(size, '\0');
  PITR_ASSIGN_OR_RETURN(size_t read, file->Read(0, size, data.data()));
  data.resize(read);
  return data;
}

}  // namespace pitr
