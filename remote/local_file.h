// The local-file pieces both backends share: a file written under a
// temporary name and published atomically (rename or link), streaming reads
// of a file in chunks, an exclusive flock for a scope, and errno statuses.
#ifndef PITR_REMOTE_LOCAL_FILE_H_
#define PITR_REMOTE_LOCAL_FILE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr::remote {

// An absl::Status for errno `error` of `what` ("open", "rename") on `path`:
// NOT_FOUND for ENOENT, RESOURCE_EXHAUSTED for ENOSPC, INTERNAL otherwise.
absl::Status PosixError(absl::string_view what, absl::string_view path,
                        int error);

// A file being written under a temporary name in `temp_dir`, published by
// Publish (rename over the target) or PublishIfAbsent (link: fails if the
// target exists). Both sync the file first and the target's directory
// after. The temporary file is removed if it is never published.
// Not thread-safe; one writer per object.
class PendingFile {
 public:
  static absl::StatusOr<PendingFile> Create(const std::string& temp_dir);
  PendingFile(PendingFile&& other) noexcept;
  PendingFile& operator=(PendingFile&&) = delete;
  ~PendingFile();

  absl::Status Append(absl::string_view data);
  // Renames the file to `target` (replacing any file there).
  absl::Status Publish(const std::string& target);
  // Links the file as `target`; ALREADY_EXISTS if `target` exists.
  absl::Status PublishIfAbsent(const std::string& target);

 private:
  PendingFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  absl::Status Finish();

  int fd_;
  std::string path_;
  bool published_ = false;
};

// Calls `chunk` with consecutive pieces (at most 1 MiB each) of bytes
// [offset, offset + length) of the file `path`. INTERNAL if the file is
// shorter.
absl::Status ReadFileChunks(
    const std::string& path, uint64_t offset, uint64_t length,
    const std::function<absl::Status(absl::string_view)>& chunk);

// As ReadFileChunks, from the open file `fd` (`path` for messages).
absl::Status ReadFdChunks(
    int fd, absl::string_view path, uint64_t offset, uint64_t length,
    const std::function<absl::Status(absl::string_view)>& chunk);

// The size of the file at `path`.
absl::StatusOr<uint64_t> LocalFileSize(const std::string& path);

// fsync of a directory.
absl::Status SyncDir(const std::string& dir);

// Holds an exclusive flock on `path` (created if missing) for its scope.
// Excludes other processes and, since each lock opens the file anew, other
// threads of this one.
class FileLock {
 public:
  static absl::StatusOr<FileLock> Acquire(const std::string& path);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace pitr::remote

#endif  // PITR_REMOTE_LOCAL_FILE_H_
