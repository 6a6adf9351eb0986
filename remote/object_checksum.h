// The checksum every stored object carries (CRC32C of its bytes, written as 8
// lower-case hex digits) and the DATA_LOSS a mismatch becomes.
#ifndef PITR_REMOTE_OBJECT_CHECKSUM_H_
#define PITR_REMOTE_OBJECT_CHECKSUM_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr::remote {

// The S3 user metadata that holds an object's checksum.
inline constexpr char kChecksumHeader[] = "x-amz-meta-pitr-crc32c";

std::string FormatCrc32c(uint32_t crc);
// INVALID_ARGUMENT unless `text` is 8 hex digits.
absl::StatusOr<uint32_t> ParseCrc32c(absl::string_view text);

// OK if stored == computed; else DATA_LOSS naming the key, the store and
// both checksums.
absl::Status CheckCrc32c(absl::string_view key, absl::string_view where,
                         uint32_t stored, uint32_t computed);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_OBJECT_CHECKSUM_H_
