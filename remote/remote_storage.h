// RemoteStorage: the object store that pitr copies its history to, as a
// small interface over flat keys (an S3 bucket under a prefix, or a local
// directory). OpenRemoteStorage (open_remote_storage.h) makes one from a URL.
//
// Keys are relative to the store's root ("layers/0001/a"): non-empty, at most
// 1024 bytes, no NUL, no leading or trailing '/', no empty, "." or ".."
// segment (ValidateKey in object_key.h). A key that breaks these rules is
// refused with INVALID_ARGUMENT before anything is sent or written.
//
// Every object is written with a CRC32C of its bytes (S3: the user metadata
// x-amz-meta-pitr-crc32c; a directory: a footer, file_object_format.h), and
// every whole-object read checks it: a mismatch is DATA_LOSS naming the key
// and both checksums. Ranged reads are not checked (the checksum covers the
// whole object).
//
// Errors, the same for every backend:
//   NOT_FOUND            the key (or, for S3, the bucket) does not exist
//   ALREADY_EXISTS       a create-only put found the key present
//   FAILED_PRECONDITION  an If-Match put found another version, or no object
//   OUT_OF_RANGE         a ranged read starting at or past the object's end
//   DATA_LOSS            a whole-object read whose checksum does not match
//   PERMISSION_DENIED / UNAUTHENTICATED  refused credentials (S3)
//   UNAVAILABLE / DEADLINE_EXCEEDED      the store could not be reached, after
//                                        the retries of the RetryPolicy
// Messages name the key, the bucket or directory and, for S3, the HTTP status
// and S3 error code.
//
// Thread-safety: every method may be called from any number of threads at
// once on one RemoteStorage.
#ifndef PITR_REMOTE_REMOTE_STORAGE_H_
#define PITR_REMOTE_REMOTE_STORAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr::remote {

// An object as a listing, a put or a get sees it.
struct ObjectInfo {
  std::string key;   // relative to the store's root
  uint64_t size = 0;
  // The version token: changes with every put of the key, and is what an
  // If-Match put compares. Opaque (for S3 the ETag, quotes included).
  std::string etag;
};

// An object read whole.
struct Object {
  ObjectInfo info;
  std::string data;
};

// The condition of a put.
struct WriteCondition {
  enum class Kind {
    kNone,         // always write (last writer wins)
    kIfNoneMatch,  // create only: fails ALREADY_EXISTS if the key exists
    kIfMatch,      // replace only `etag`: FAILED_PRECONDITION otherwise
  };
  Kind kind = Kind::kNone;
  std::string etag;  // for kIfMatch

  static WriteCondition None() { return {}; }
  static WriteCondition CreateOnly() { return {Kind::kIfNoneMatch, ""}; }
  static WriteCondition IfMatch(std::string etag) {
    return {Kind::kIfMatch, std::move(etag)};
  }
};

class RemoteStorage {
 public:
  virtual ~RemoteStorage() = default;

  // Every object whose key starts with `prefix` ("" for all), in byte order
  // of the keys, however many pages the store answers in.
  virtual absl::StatusOr<std::vector<ObjectInfo>> List(
      absl::string_view prefix) = 0;

  // Writes `data` as the whole object `key`, atomically: a reader sees the
  // old object or the new one, never a part.
  virtual absl::StatusOr<ObjectInfo> Put(
      absl::string_view key, absl::string_view data,
      const WriteCondition& condition = WriteCondition::None()) = 0;
  // As Put, with the bytes of the local file `path`, streamed: a big file is
  // never held in memory (S3 sends it in parts, RemoteOptions::part_size).
  // The file must not change while it is being put.
  virtual absl::StatusOr<ObjectInfo> PutFile(
      absl::string_view key, const std::string& path,
      const WriteCondition& condition = WriteCondition::None()) = 0;

  // The whole object, checksum checked.
  virtual absl::StatusOr<Object> Get(absl::string_view key) = 0;
  // Streams the whole object into the local file `path` (written to a
  // temporary file beside it, checked, synced, then renamed to `path`; on
  // any error `path` is left as it was).
  virtual absl::StatusOr<ObjectInfo> GetToFile(absl::string_view key,
                                               const std::string& path) = 0;
  // Bytes [offset, offset + length) of the object; fewer if the object ends
  // first. OUT_OF_RANGE if offset is at or past the end; INVALID_ARGUMENT if
  // length is 0.
  virtual absl::StatusOr<std::string> GetRange(absl::string_view key,
                                               uint64_t offset,
                                               uint64_t length) = 0;

  // Deletes the object; a key that does not exist is not an error (S3's
  // semantics).
  virtual absl::Status Delete(absl::string_view key) = 0;
  // Deletes every key (any number: S3 sends them 1000 to a request); keys
  // that do not exist are not errors. Every key is validated first: one
  // invalid key deletes nothing.
  virtual absl::Status DeleteBatch(const std::vector<std::string>& keys) = 0;

  // What the store is, for messages: "s3://bucket/prefix" or "file:///dir".
  virtual std::string Describe() const = 0;
};

}  // namespace pitr::remote

#endif  // PITR_REMOTE_REMOTE_STORAGE_H_
