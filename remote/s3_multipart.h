// A multipart upload of a local file to S3: create the upload, put each part
// streamed from its range of the file, complete it; on any failure the upload
// is aborted so that no parts are left behind (billed, on AWS).
#ifndef PITR_REMOTE_S3_MULTIPART_H_
#define PITR_REMOTE_S3_MULTIPART_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "remote/s3_client.h"

namespace pitr::remote {

struct MultipartSource {
  std::string path;   // the local file
  uint64_t size = 0;  // its size
  // Bytes a part; grown if the file would need more than S3's 10000 parts.
  uint64_t part_size = 0;
};

// Uploads `source` as `full_key`; `headers` (the checksum metadata) go on
// the creation request. Returns the object's ETag.
absl::StatusOr<std::string> PutMultipart(S3Client& client,
                                         const S3Operation& operation,
                                         const std::string& full_key,
                                         const MultipartSource& source,
                                         const std::vector<std::string>& headers);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_S3_MULTIPART_H_
