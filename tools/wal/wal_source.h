// WalSource: a WAL opened read-only by the offline tools (dump, verify,
// replay). `path` is a data directory (its WAL is path/wal) or a WAL
// directory itself (a directory of segment files, with or without the
// timestamp index).
//
// Nothing on disk changes: the log is opened with Wal::Open (so it is read
// and checked exactly as the server would recover it) over a
// ReadOnlyFileSystem, which keeps in memory whatever recovery would write
// (a torn tail cut off, index entries rebuilt) and reports it.
//
// Locking: if the WAL directory has a LOCK file, the source takes a shared
// flock(2) on it for its whole life, opened read-only (so read-only media
// work). pitrd holds an exclusive lock on that file while it runs, so
// opening fails with FAILED_PRECONDITION while the server is up, and the
// server cannot start while a tool reads. ignore_lock skips this and reads
// the files as they are at that moment (a batch being written then looks
// like a torn tail).
//
// Not thread-safe.
#ifndef PITR_TOOLS_WAL_WAL_SOURCE_H_
#define PITR_TOOLS_WAL_WAL_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/wal/read_only_fs.h"
#include "wal/wal.h"

namespace pitr::waltool {

struct WalSourceOptions {
  std::string path;
  bool ignore_lock = false;
};

class WalSource {
 public:
  // Errors: NOT_FOUND for a missing path; FAILED_PRECONDITION if the WAL is
  // locked by another process; the log's own (DATA_LOSS naming segment,
  // offset and LSN for corruption).
  static absl::StatusOr<std::unique_ptr<WalSource>> Open(
      const WalSourceOptions& options);

  WalSource(const WalSource&) = delete;
  WalSource& operator=(const WalSource&) = delete;
  ~WalSource();

  Wal& wal() { return *wal_; }
  // The directory of the segment files.
  const std::string& wal_dir() const { return wal_dir_; }
  // The data directory, or empty if `path` was a bare WAL directory.
  const std::string& data_dir() const { return data_dir_; }
  // What recovery would have changed on disk, had the log been opened
  // for writing.
  const std::vector<FileChange>& recovery_changes() const {
    return recovery_changes_;
  }

 private:
  WalSource() = default;

  std::string data_dir_;
  std::string wal_dir_;
  int lock_fd_ = -1;
  std::unique_ptr<ReadOnlyFileSystem> fs_;
  std::vector<FileChange> recovery_changes_;
  std::unique_ptr<Wal> wal_;  // declared last: closed first
};

// The WAL directory of `path` (see WalSource) and its data directory (empty
// if none). NOT_FOUND if `path` is not a directory.
absl::Status ResolveWalDir(const std::string& path, std::string* wal_dir,
                           std::string* data_dir);

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_WAL_SOURCE_H_
