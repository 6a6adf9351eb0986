#include "remote/object_checksum.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pitr::remote {

std::string FormatCrc32c(uint32_t crc) { return absl::StrFormat("%08x", crc); }

absl::StatusOr<uint32_t> ParseCrc32c(absl::string_view text) {
  uint32_t crc = 0;
  if (text.size() != 8 || !absl::SimpleHexAtoi(text, &crc)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not a CRC32C (8 hex digits)"));
  }
  return crc;
}

absl::Status CheckCrc32c(absl::string_view key, absl::string_view where,
                         uint32_t stored, uint32_t computed) {
  if (stored == computed) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      "object \"", key, "\" in ", where, " is corrupt: its stored CRC32C is ",
      FormatCrc32c(stored), " but its bytes have CRC32C ",
      FormatCrc32c(computed)));
}

}  // namespace pitr::remote
