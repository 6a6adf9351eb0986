// The names of archived WAL objects (docs/bucket-format.md, "WAL").
//
// An archived WAL object is a byte range of one segment file of the log:
//   wal/<segment start>/<from>-<to>-<generation>
// with the LSNs as 16 upper-case hexadecimal digits and the generation as
// 20 decimal digits. It holds the records of [from, to) of the record
// stream (both batch boundaries), preceded by the segment's 40-byte header
// when from is the segment's start. The objects of a segment, in LSN order
// from its start, concatenate to the segment file.
#ifndef PITR_REMOTE_WAL_ARCHIVE_KEYS_H_
#define PITR_REMOTE_WAL_ARCHIVE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "base/lsn.h"

namespace pitr::remote {

inline constexpr char kWalPrefix[] = "wal/";

struct WalPiece {
  Lsn segment = 0;  // the segment's start
  Lsn from = 0;
  Lsn to = 0;
  uint64_t generation = 0;

  // Its byte range in the segment file.
  uint64_t file_offset() const;
  uint64_t file_end() const;
};

std::string WalPieceKey(const WalPiece& piece);
// The piece a key names; nullopt for any other key (or an impossible range).
std::optional<WalPiece> ParseWalPieceKey(absl::string_view key);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_WAL_ARCHIVE_KEYS_H_
