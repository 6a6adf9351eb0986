// SegmentScanner reads whole batches from one segment file, from a batch
// boundary up to a limit, through a read buffer. Recovery and WalReader both
// use it. Internal to wal/; not thread-safe.
#ifndef PITR_WAL_SEGMENT_SCANNER_H_
#define PITR_WAL_SEGMENT_SCANNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "base/lsn.h"
#include "wal/record.h"

namespace pitr {

class SegmentScanner {
 public:
  // Scans [from, limit) of the segment at `path` that starts at
  // segment_start. `file` must outlive the scanner.
  SegmentScanner(const RandomAccessFile* file, std::string path,
                 Lsn segment_start, Lsn from, Lsn limit);

  SegmentScanner(const SegmentScanner&) = delete;
  SegmentScanner& operator=(const SegmentScanner&) = delete;

  // Reads the next batch into *batch and returns true, or returns false when
  // the scan is exactly at `limit`. On a problem, returns DATA_LOSS (bad
  // checksum, malformed record, batch cut off by the limit) or
  // FAILED_PRECONDITION (a record type this build does not know and may not
  // ignore), naming the segment, the file offset and the LSN; problem_lsn()
  // then says where the record at fault starts.
  absl::StatusOr<bool> Next(CommittedBatch* batch);

  // Where the next batch starts: just past the last batch returned.
  Lsn position() const { return position_; }
  Lsn limit() const { return limit_; }
  // Where the problem reported by Next starts (the record at fault).
  Lsn problem_lsn() const { return problem_lsn_; }
  // True if the problem is in the framing itself (a frame cut short, an
  // impossible length, a checksum mismatch): what a torn write looks like.
  // False if a checksummed record says something invalid.
  bool problem_in_frame() const { return problem_in_frame_; }

 private:
  // Makes buffer_ hold [lsn, lsn + n) or as much of it as exists before the
  // limit; returns the bytes held from lsn.
  absl::StatusOr<absl::string_view> Peek(Lsn lsn, size_t n);
  absl::Status Problem(Lsn lsn, bool in_frame, absl::StatusCode code,
                       absl::string_view why);

  const RandomAccessFile* const file_;
  const std::string path_;
  const Lsn segment_start_;
  const Lsn limit_;
  Lsn position_;
  std::string buffer_;
  Lsn buffer_start_;  // LSN of buffer_[0]
  Lsn problem_lsn_ = 0;
  bool problem_in_frame_ = false;
};

}  // namespace pitr

#endif  // PITR_WAL_SEGMENT_SCANNER_H_
