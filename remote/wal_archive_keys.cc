#include "remote/wal_archive_keys.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "wal/segment.h"

namespace pitr::remote {

namespace {

// Exactly 16 upper-case hexadecimal digits.
std::optional<uint64_t> ParseHex16(absl::string_view text) {
  if (text.size() != 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    value = value << 4 | static_cast<uint64_t>(digit);
  }
  return value;
}

}  // namespace

uint64_t WalPiece::file_offset() const {
  return from == segment ? 0 : SegmentFileOffset(segment, from);
}

uint64_t WalPiece::file_end() const {
  return SegmentFileOffset(segment, to);
}

std::string WalPieceKey(const WalPiece& piece) {
  return absl::StrFormat("%s%016X/%016X-%016X-%020d", kWalPrefix,
                         piece.segment, piece.from, piece.to,
                         piece.generation);
}

std::optional<WalPiece> ParseWalPieceKey(absl::string_view key) {
  if (!absl::ConsumePrefix(&key, kWalPrefix)) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(key, '/');
  if (parts.size() != 2) return std::nullopt;
  std::vector<absl::string_view> range = absl::StrSplit(parts[1], '-');
  if (range.size() != 3 || range[2].size() != 20) return std::nullopt;
  std::optional<uint64_t> segment = ParseHex16(parts[0]);
  std::optional<uint64_t> from = ParseHex16(range[0]);
  std::optional<uint64_t> to = ParseHex16(range[1]);
  WalPiece piece;
  if (!segment || !from || !to || !absl::SimpleAtoi(range[2], &piece.generation)) {
    return std::nullopt;
  }
  if (*from < *segment || *to <= *from) return std::nullopt;
  piece.segment = *segment;
  piece.from = *from;
  piece.to = *to;
  return piece;
}

}  // namespace pitr::remote
