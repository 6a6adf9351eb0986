// S3Storage: RemoteStorage in an S3 bucket under a key prefix
// (s3://bucket/prefix), over libcurl (s3_client.h).
//
// Puts carry the object's CRC32C as user metadata (x-amz-meta-pitr-crc32c);
// whole-object gets check it, and an object without it is DATA_LOSS (it was
// not written by pitr). Conditional puts send If-None-Match: * or If-Match:
// <etag>, always as one PUT (streamed from the file for PutFile), since
// servers differ on conditions over multipart uploads; such a put is thus
// limited to S3's 5 GiB for one PUT. Unconditional PutFile of a file above
// RemoteOptions::multipart_threshold uses a multipart upload.
//
// A retried create-only put whose first try did succeed but whose answer
// was lost gets ALREADY_EXISTS: callers that must know whether they won
// compare the stored object with theirs.
#ifndef PITR_REMOTE_S3_STORAGE_H_
#define PITR_REMOTE_S3_STORAGE_H_

#include <memory>
#include <string>
#include <vector>

#include "remote/remote_options.h"
#include "remote/remote_storage.h"
#include "remote/remote_url.h"
#include "remote/s3_client.h"

namespace pitr::remote {

class S3Storage : public RemoteStorage {
 public:
  // REQUIRES: url.scheme is kS3. INVALID_ARGUMENT for options out of range
  // (naming the option and its value); credentials as LoadCredentials.
  // Sends nothing: a wrong endpoint, bucket or key shows at the first call.
  static absl::StatusOr<std::unique_ptr<S3Storage>> Open(
      const RemoteUrl& url, const RemoteOptions& options);

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

 private:
  S3Storage(const RemoteUrl& url, const RemoteOptions& options,
            const Credentials& credentials);

  S3Operation Op(absl::string_view what, absl::string_view key) const {
    return {what, key, describe_};
  }
  // One PUT of `body` or `file` (checksum `crc`) under `condition`.
  absl::StatusOr<ObjectInfo> PutOnce(absl::string_view key,
                                     absl::string_view body,
                                     const FileRange* file, uint64_t size,
                                     uint32_t crc,
                                     const WriteCondition& condition);
  // The checksum an object's answer carries, checked against `computed`.
  absl::Status CheckChecksum(absl::string_view key,
                             const HttpResponse& response,
                             uint32_t computed) const;
  absl::Status DeleteChunk(const std::vector<std::string>& keys, size_t begin,
                           size_t end);

  const std::string prefix_;
  const std::string describe_;
  const RemoteOptions options_;
  S3Client client_;
};

}  // namespace pitr::remote

#endif  // PITR_REMOTE_S3_STORAGE_H_
