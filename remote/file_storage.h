// FileStorage: RemoteStorage in a local directory (file:///dir), for tests,
// single machines and shared file systems. The layout and the object format
// are in file_object_format.h.
//
// Puts write a temporary file, fsync it, then publish it under DIR/LOCK (an
// exclusive flock, so changes from any thread or process are serialised):
// rename for a plain put, link (fails if the key exists) for a create-only
// put, and for an If-Match put a check of the current footer's version
// before the rename. Deletes take the lock too, so an If-Match put can never
// resurrect a key deleted between its check and its rename. Reads take no
// lock: a rename is atomic.
//
// One limit S3 does not have: a key cannot be both an object and the
// directory of other keys ("a" and "a/b"); such a put is FAILED_PRECONDITION.
#ifndef PITR_REMOTE_FILE_STORAGE_H_
#define PITR_REMOTE_FILE_STORAGE_H_

#include <memory>
#include <string>
#include <vector>

#include "remote/remote_storage.h"

namespace pitr::remote {

class PendingFile;

class FileStorage : public RemoteStorage {
 public:
  // Creates DIR/objects and DIR/tmp if missing.
  static absl::StatusOr<std::unique_ptr<FileStorage>> Open(
      const std::string& dir);

  absl::StatusOr<std::vector<ObjectInfo>> List(
      absl::string_view prefix) override;
  // The same default condition as RemoteStorage's.
  absl::StatusOr<ObjectInfo> Put(
      absl::string_view key, absl::string_view data,
      const WriteCondition& condition = WriteCondition::None()) override;
  absl::StatusOr<ObjectInfo> PutFile(
      absl::string_view key, const std::string& path,
      const WriteCondition& condition = WriteCondition::None()) override;
  absl::StatusOr<Object> Get(absl::string_view key) override;
  absl::StatusOr<ObjectInfo> GetToFile(absl::string_view key,
                                       const std::string& path) override;
  absl::StatusOr<std::string> GetRange(absl::string_view key, uint64_t offset,
                                       uint64_t length) override;
  absl::Status Delete(absl::string_view key) override;
  absl::Status DeleteBatch(const std::vector<std::string>& keys) override;
  std::string Describe() const override;

  // The file that holds `key` (for tests that damage it).
  std::string ObjectPath(absl::string_view key) const;

 private:
  explicit FileStorage(std::string dir) : dir_(std::move(dir)) {}

  // Writes the footer of an object of checksum `crc` and publishes `file`
  // as `key` under `condition`.
  absl::StatusOr<ObjectInfo> Publish(absl::string_view key, PendingFile file,
                                     uint64_t size, uint32_t crc,
                                     const WriteCondition& condition);
  absl::Status DeleteLocked(absl::string_view key);
  // Whether `key` cannot be a file because it is a directory of other keys,
  // or one of its parents is an object.
  bool Conflicts(absl::string_view key) const;

  const std::string dir_;
};

}  // namespace pitr::remote

#endif  // PITR_REMOTE_FILE_STORAGE_H_
