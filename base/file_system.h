// The file operations pitr's storage code uses, behind an interface so tests
// can inject faults (a failing fsync, a power cut that drops unsynced bytes).
//
// FileSystem::Default() is the POSIX implementation. Every method returns an
// absl::Status whose message names the path and the system error. All
// implementations are thread-safe; a single WritableFile is not (its owner
// serialises calls), a RandomAccessFile is.
#ifndef PITR_BASE_FILE_SYSTEM_H_
#define PITR_BASE_FILE_SYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr {

// A file written sequentially at its end.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Writes all of data at the end of the file (retrying short writes).
  virtual absl::Status Append(absl::string_view data) = 0;
  // Writes all the pieces, in order, as if appended one after another; the
  // POSIX file does it with writev(), without joining them first.
  virtual absl::Status AppendV(const std::vector<absl::string_view>& pieces);
  // Makes everything appended so far durable (fdatasync).
  virtual absl::Status Sync() = 0;
  virtual absl::Status Close() = 0;
};

// A file read at any offset.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into scratch and returns how many were
  // read: fewer than n only at the end of the file.
  virtual absl::StatusOr<size_t> Read(uint64_t offset, size_t n,
                                      char* scratch) const = 0;
};

// An exclusive lock on a file, held until this object is destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The POSIX file system. Never null; lives for the whole process.
  static FileSystem* Default();

  // Creates path, or truncates it if it exists.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  // Opens an existing file to append at its end.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;

  // The names (not paths) of the entries of dir, without "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) = 0;
  // Creates dir and missing parents; OK if it exists.
  virtual absl::Status CreateDirs(const std::string& dir) = 0;
  // Makes the creation, renaming and deletion of dir's entries durable.
  virtual absl::Status SyncDir(const std::string& dir) = 0;

  virtual absl::Status DeleteFile(const std::string& path) = 0;
  virtual absl::Status RenameFile(const std::string& from,
                                  const std::string& to) = 0;
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;
  // Cuts path to size bytes and makes the new size durable.
  virtual absl::Status TruncateFile(const std::string& path, uint64_t size) = 0;

  // Takes an exclusive advisory lock on path (created if missing).
  // FAILED_PRECONDITION if another process or object holds it.
  virtual absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) = 0;
};

// dir + "/" + name.
std::string JoinPath(absl::string_view dir, absl::string_view name);

// Removes `path` and, if it is a directory, everything under it; a path
// that does not exist is not an error.
absl::Status RemoveTree(const std::string& path);

// Replaces the file at `path` with `data` durably and atomically: written
// to path + ".tmp", synced, renamed over `path`, the directory synced. A
// crash leaves the old file or the new one, never a part.
absl::Status WriteFileDurably(FileSystem* fs, const std::string& path,
                              absl::string_view data);
// The whole file at `path` (for small files: it is read into memory).
absl::StatusOr<std::string> ReadWholeFile(FileSystem* fs,
                                          const std::string& path);

}  // namespace pitr

#endif  // PITR_BASE_FILE_SYSTEM_H_
