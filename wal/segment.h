// Segment files: their names and headers (layout in log_format.h), for the
// log and for what copies segment files whole (remote/wal_archiver.h).
#ifndef PITR_WAL_SEGMENT_H_
#define PITR_WAL_SEGMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/file_system.h"
#include "base/lsn.h"

namespace pitr {

struct SegmentHeader {
  Lsn start_lsn = 0;
  uint64_t commits_before = 0;
};

// "<start_lsn as 16 upper-case hex digits>.wal".
std::string SegmentFileName(Lsn start_lsn);
// The start LSN a segment file name encodes; nullopt for other names.
std::optional<Lsn> ParseSegmentFileName(absl::string_view name);

std::string EncodeSegmentHeader(const SegmentHeader& header);
// DATA_LOSS naming `path` if the bytes are not a valid header.
absl::StatusOr<SegmentHeader> DecodeSegmentHeader(absl::string_view bytes,
                                                  absl::string_view path);

// The start LSNs of the segment files in `dir`, in order.
absl::StatusOr<std::vector<Lsn>> ListSegmentFiles(FileSystem* fs,
                                                  const std::string& dir);

// File offset of `lsn` in the segment that starts at segment_start.
uint64_t SegmentFileOffset(Lsn segment_start, Lsn lsn);

}  // namespace pitr

#endif  // PITR_WAL_SEGMENT_H_
