// MemFileSystem: a FileSystem (base/file_system.h) whose files are strings in
// memory, so a fuzz target can open a WAL thousands of times a second
// without touching the disk. Paths are plain strings: a file "d/n" is in
// directory "d". Syncs do nothing (nothing is lost, there is no crash).
// Thread-safe. For tests only.
#ifndef PITR_BASE_TESTING_MEM_FILE_SYSTEM_H_
#define PITR_BASE_TESTING_MEM_FILE_SYSTEM_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/file_system.h"

namespace pitr::testing {

class MemFileSystem : public FileSystem {
 public:
  MemFileSystem() = default;
  MemFileSystem(const MemFileSystem&) = delete;
  MemFileSystem& operator=(const MemFileSystem&) = delete;

  // Direct access for the test: sets or returns a file's bytes ("" if it
  // does not exist).
  void SetFile(const std::string& path, std::string bytes);
  std::string GetFile(const std::string& path) const;
  bool Exists(const std::string& path) const;

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

 private:
  class Writer;
  class Reader;
  class Lock;
  using Contents = std::shared_ptr<std::string>;

  // The file at path, or nullptr.
  Contents Find(const std::string& path) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  // A file's bytes are shared with its open handles: a handle sees later
  // writes, truncations and renames, as on POSIX.
  std::map<std::string, Contents> files_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> dirs_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> locked_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr::testing

#endif  // PITR_BASE_TESTING_MEM_FILE_SYSTEM_H_
