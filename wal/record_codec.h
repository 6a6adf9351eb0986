// Encoding and decoding of record frames and their payloads (the layout is
// in log_format.h). Internal to wal/.
#ifndef PITR_WAL_RECORD_CODEC_H_
#define PITR_WAL_RECORD_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "wal/record.h"

namespace pitr::record_codec {

// Whether an Append function below copies a record's data bytes into *dst,
// or leaves them out for the caller to write right after what it appended.
// The frame's length and CRC cover the data either way.
enum class DataBytes { kCopy, kLeaveOut };

// Appends a frame (header and payload) to *dst. The payload is the
// concatenation of `fixed` and `data`.
void AppendFrame(std::string* dst, uint8_t type, absl::string_view fixed,
                 absl::string_view data,
                 DataBytes data_bytes = DataBytes::kCopy);

void AppendPageImage(std::string* dst, TimelineId timeline, PageKey key,
                     absl::string_view image,
                     DataBytes data_bytes = DataBytes::kCopy);
void AppendPageDelta(std::string* dst, TimelineId timeline, PageKey key,
                     uint32_t offset, absl::string_view bytes);
void AppendSpaceTruncate(std::string* dst, TimelineId timeline, uint32_t space,
                         uint32_t page_count);
void AppendCommit(std::string* dst, TimelineId timeline, int64_t timestamp_us,
                  uint32_t record_count);

enum class FrameResult {
  kOk,
  kTruncated,  // buf ends before the frame does
  kCorrupt,    // impossible length or checksum mismatch
};

struct Frame {
  uint8_t type = 0;
  absl::string_view payload;
  size_t size = 0;  // header + payload
};

// Parses the frame at the start of buf. On kCorrupt, *reason says why.
FrameResult ParseFrame(absl::string_view buf, Frame* frame,
                       std::string* reason);

struct Commit {
  TimelineId timeline;
  int64_t timestamp_us = 0;
  uint32_t record_count = 0;
};

// Decodes a kCommit frame. DATA_LOSS if its payload has the wrong size.
absl::Status DecodeCommit(const Frame& frame, Commit* commit);

// Decodes an image, delta or truncate frame into *view (view->position is
// the caller's); view->data points into the frame. DATA_LOSS if the payload
// is malformed.
absl::Status DecodeChange(const Frame& frame, WalRecordView* view);

// The record a view describes, at `lsn`, with its own copy of the bytes.
WalRecord ToRecord(const WalRecordView& view, Lsn lsn);

}  // namespace pitr::record_codec

#endif  // PITR_WAL_RECORD_CODEC_H_
