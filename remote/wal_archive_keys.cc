#include "remote/wal_archive_keys.h"

#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "remote/object_names.h"
#include "wal/segment.h"

namespace pitr::remote {

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
  if (range.size() != 3) return std::nullopt;
  std::optional<uint64_t> segment = ParseHex16(parts[0]);
  std::optional<uint64_t> from = ParseHex16(range[0]);
  std::optional<uint64_t> to = ParseHex16(range[1]);
  std::optional<uint64_t> generation = ParseDecimal(range[2], 20);
  if (!segment || !from || !to || !generation) return std::nullopt;
  WalPiece piece;
  piece.generation = *generation;
  if (*from < *segment || *to <= *from) return std::nullopt;
  piece.segment = *segment;
  piece.from = *from;
  piece.to = *to;
  return piece;
}

}  // namespace pitr::remote
