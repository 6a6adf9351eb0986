// FaultFileSystem wraps a real FileSystem so tests can make writes or
// fdatasyncs fail, count and block syncs, and simulate a power cut that
// loses every byte not yet synced. Thread-safe. For tests only.
#ifndef PITR_BASE_TESTING_FAULT_FILE_SYSTEM_H_
#define PITR_BASE_TESTING_FAULT_FILE_SYSTEM_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "base/file_system.h"
#include "base/mutex.h"

namespace pitr::testing {

class FaultFileSystem : public FileSystem {
 public:
  // A hook sees the path of the file about to be written or synced; a
  // non-OK status fails that operation (nothing is written or made durable).
  using Hook = std::function<absl::Status(const std::string& path)>;

  // `base` must outlive this object.
  explicit FaultFileSystem(FileSystem* base = FileSystem::Default())
      : base_(base) {}

  void SetWriteHook(Hook hook);
  void SetSyncHook(Hook hook);
  // Number of successful WritableFile::Sync calls so far.
  int sync_count() const;

  // Simulates a power cut: every file written through this object loses
  // what was appended since its last successful Sync, and files created
  // since the last SyncDir of their directory disappear. From then on every
  // write, sync, create, delete and rename fails, as in a dead machine,
  // until Restart().
  absl::Status Crash();
  void Restart();

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) override {
    return base_->ListDir(dir);
  }
  absl::Status CreateDirs(const std::string& dir) override {
    return base_->CreateDirs(dir);
  }
  absl::Status SyncDir(const std::string& dir) override;
  absl::Status DeleteFile(const std::string& path) override;
  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    return base_->FileSize(path);
  }
  absl::Status TruncateFile(const std::string& path, uint64_t size) override;
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override {
    return base_->LockFile(path);
  }

 private:
  class File;
  friend class File;

  absl::Status CheckAlive() const;
  // Fails if crashed; else runs the hook (write_hook_ or sync_hook_).
  absl::Status RunHook(Hook FaultFileSystem::*hook, const std::string& path);
  void Appended(const std::string& path, uint64_t bytes);
  void Synced(const std::string& path);
  absl::StatusOr<std::unique_ptr<WritableFile>> Wrap(
      const std::string& path,
      absl::StatusOr<std::unique_ptr<WritableFile>> file, bool created);

  FileSystem* const base_;
  mutable Mutex mu_;
  Hook write_hook_ ABSL_GUARDED_BY(mu_);
  Hook sync_hook_ ABSL_GUARDED_BY(mu_);
  int sync_count_ ABSL_GUARDED_BY(mu_) = 0;
  bool crashed_ ABSL_GUARDED_BY(mu_) = false;
  // Per file written through this object: its size and its durable size.
  struct Sizes {
    uint64_t size = 0;
    uint64_t synced = 0;
  };
  std::map<std::string, Sizes> files_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> unsynced_creations_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr::testing

#endif  // PITR_BASE_TESTING_FAULT_FILE_SYSTEM_H_
