#include "wal/segment_scanner.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/status_macros.h"
#include "wal/log_format.h"
#include "wal/record_codec.h"
#include "wal/segment.h"

namespace pitr {
namespace {

namespace lf = log_format;
constexpr size_t kReadChunk = 256 << 10;

}  // namespace

SegmentScanner::SegmentScanner(const RandomAccessFile* file, std::string path,
                               Lsn segment_start, Lsn from, Lsn limit)
    : file_(file),
      path_(std::move(path)),
      segment_start_(segment_start),
      limit_(limit),
      position_(from),
      buffer_start_(from) {}

absl::StatusOr<absl::string_view> SegmentScanner::Peek(Lsn lsn, size_t n) {
  n = static_cast<size_t>(std::min<uint64_t>(n, limit_ - lsn));
  if (lsn < buffer_start_ || lsn + n > buffer_start_ + buffer_.size()) {
    size_t want = static_cast<size_t>(
        std::min<uint64_t>(std::max(n, kReadChunk), limit_ - lsn));
    buffer_.resize(want);
    PITR_ASSIGN_OR_RETURN(
        size_t got,
        file_->Read(SegmentFileOffset(segment_start_, lsn), want, &buffer_[0]));
    buffer_.resize(got);
    buffer_start_ = lsn;
  }
  absl::string_view held(buffer_);
  held.remove_prefix(static_cast<size_t>(lsn - buffer_start_));
  return held.substr(0, n);
}

absl::Status SegmentScanner::Problem(Lsn lsn, bool in_frame,
                                     absl::StatusCode code,
                                     absl::string_view why) {
  problem_lsn_ = lsn;
  problem_in_frame_ = in_frame;
  return absl::Status(code, absl::StrCat("WAL segment ", path_, " at offset ",
                                         SegmentFileOffset(segment_start_, lsn),
                                         " (lsn ", FormatLsn(lsn), "): ", why));
}

absl::StatusOr<bool> SegmentScanner::Next(CommittedBatch* batch) {
  if (position_ == limit_) return false;
  batch->start_lsn = position_;
  batch->records.clear();
  uint32_t frames = 0;
  Lsn lsn = position_;
  while (true) {
    if (lsn == limit_) {
      return Problem(
          lsn, true, absl::StatusCode::kDataLoss,
          absl::StrCat("batch starting at lsn ", FormatLsn(batch->start_lsn),
                       " ends without its commit record"));
    }
    PITR_ASSIGN_OR_RETURN(absl::string_view header,
                          Peek(lsn, lf::kFrameHeaderSize));
    // Read the whole frame; an impossible length is caught by ParseFrame
    // from the header alone.
    size_t frame_size = lf::kFrameHeaderSize;
    if (header.size() == lf::kFrameHeaderSize) {
      frame_size += std::min<uint32_t>(DecodeFixed32(header.data() + 4),
                                       lf::kMaxPayloadSize + 1);
    }
    PITR_ASSIGN_OR_RETURN(absl::string_view whole, Peek(lsn, frame_size));
    record_codec::Frame frame;
    std::string reason;
    record_codec::FrameResult result =
        record_codec::ParseFrame(whole, &frame, &reason);
    if (result == record_codec::FrameResult::kTruncated) {
      return Problem(lsn, true, absl::StatusCode::kDataLoss,
                     "record cut short by the end of the log");
    }
    if (result == record_codec::FrameResult::kCorrupt) {
      return Problem(lsn, true, absl::StatusCode::kDataLoss, reason);
    }

    if (frame.type == lf::kCommit) {
      record_codec::Commit commit;
      absl::Status s = record_codec::DecodeCommit(frame, &commit);
      if (!s.ok()) {
        return Problem(lsn, false, absl::StatusCode::kDataLoss, s.message());
      }
      if (commit.record_count != frames) {
        return Problem(
            lsn, false, absl::StatusCode::kDataLoss,
            absl::StrCat("commit record counts ", commit.record_count,
                         " records but its batch has ", frames));
      }
      for (const WalRecord& record : batch->records) {
        if (record.timeline != commit.timeline) {
          return Problem(record.lsn, false, absl::StatusCode::kDataLoss,
                         absl::StrCat("record of timeline ", record.timeline.value(),
                                      " in a batch of timeline ",
                                      commit.timeline.value()));
        }
      }
      batch->timeline = commit.timeline;
      batch->timestamp_us = commit.timestamp_us;
      batch->commit_lsn = lsn + frame.size;
      position_ = batch->commit_lsn;
      return true;
    }

    ++frames;
    const uint8_t base_type = frame.type & ~lf::kIgnorableBit;
    const bool known =
        frame.type == base_type &&
        (base_type == lf::kPageImage || base_type == lf::kPageDelta ||
         base_type == lf::kSpaceTruncate);
    if (known) {
      WalRecordView view;
      absl::Status s = record_codec::DecodeChange(frame, &view);
      if (!s.ok()) {
        return Problem(lsn, false, absl::StatusCode::kDataLoss, s.message());
      }
      batch->records.push_back(record_codec::ToRecord(view, lsn));
    } else if ((frame.type & lf::kIgnorableBit) == 0) {
      return Problem(lsn, false, absl::StatusCode::kFailedPrecondition,
                     absl::StrCat("record type ", frame.type,
                                  " is unknown to this build and not marked "
                                  "ignorable; it was written by a newer "
                                  "version of pitr"));
    }
    lsn += frame.size;
  }
}

}  // namespace pitr
