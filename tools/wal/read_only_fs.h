// ReadOnlyFileSystem: a FileSystem that reads the real files but never
// changes anything on disk. Every write, truncation, creation or deletion
// lands in an in-memory overlay, so that code written for a writable
// directory (Wal::Open's recovery, which may cut a torn tail and rewrite the
// timestamp index) can run over a WAL that must stay as it is: a stopped
// server's data directory, a copy on read-only media, evidence. What the
// overlay absorbed is kept as a list of changes, which is how `pitr-wal
// verify` learns what recovery would have done.
//
// Locks are not taken here (LockFile returns a lock that holds nothing);
// wal_source.h checks the real lock file instead.
//
// Thread-safe.
#ifndef PITR_TOOLS_WAL_READ_ONLY_FS_H_
#define PITR_TOOLS_WAL_READ_ONLY_FS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/file_system.h"
#include "base/mutex.h"

namespace pitr::waltool {

// One change the overlay absorbed instead of making it on disk.
struct FileChange {
  enum class Kind { kCreate, kWrite, kTruncate, kDelete, kRename };
  Kind kind;
  std::string path;
  uint64_t size = 0;  // kWrite: bytes written; kTruncate: the new size
  std::string to;     // kRename: the new path
};

class ReadOnlyFileSystem : public FileSystem {
 public:
  // Reads through `base` (not owned; must outlive this), which is never
  // asked to change anything.
  explicit ReadOnlyFileSystem(FileSystem* base);
  ~ReadOnlyFileSystem() override;

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) override;
  absl::Status CreateDirs(const std::string& dir) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::Status DeleteFile(const std::string& path) override;
  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;
  absl::Status TruncateFile(const std::string& path, uint64_t size) override;
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override;

  // Every change absorbed so far, in order.
  std::vector<FileChange> changes() const;

  // What a path holds in the overlay: a prefix of the real file and bytes
  // written after it. Shared with the open files of the path.
  struct Content;

 private:
  // The content of path, made from the real file on first use; nullptr if
  // neither the overlay nor the disk has it.
  absl::StatusOr<std::shared_ptr<Content>> Find(const std::string& path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A writer appending to `content`, or to a new empty file at path if
  // content is null.
  std::unique_ptr<WritableFile> NewWriter(const std::string& path,
                                          std::shared_ptr<Content> content)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Record(FileChange::Kind kind, const std::string& path, uint64_t size = 0,
              const std::string& to = "") ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  FileSystem* const base_;
  mutable Mutex mu_;
  // Paths the overlay knows; a null value is a deleted path.
  std::map<std::string, std::shared_ptr<Content>> files_ ABSL_GUARDED_BY(mu_);
  std::vector<FileChange> changes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_READ_ONLY_FS_H_
