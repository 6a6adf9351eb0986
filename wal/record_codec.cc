#include "wal/record_codec.h"

#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "wal/log_format.h"

namespace pitr::record_codec {
namespace {

namespace lf = ::pitr::log_format;

// The fixed part of an image or delta payload, built on the stack: this
// runs once per record.
struct PagePrefix {
  PagePrefix(TimelineId timeline, PageKey key, uint32_t offset = 0) {
    EncodeFixed64(bytes, timeline.value());
    EncodeFixed32(bytes + 8, key.space);
    EncodeFixed32(bytes + 12, key.page);
    EncodeFixed32(bytes + 16, offset);
  }
  absl::string_view image() const { return {bytes, lf::kPageRecordPrefix}; }
  absl::string_view delta() const { return {bytes, lf::kDeltaRecordPrefix}; }
  char bytes[lf::kDeltaRecordPrefix];
};

// `needed` describes the valid sizes, e.g. "exactly 20" or "at least 17".
absl::Status BadPayload(const Frame& frame, absl::string_view needed) {
  return absl::DataLossError(
      absl::StrCat("record of type ", frame.type, " has a payload of ",
                   frame.payload.size(), " bytes; it needs ", needed));
}

}  // namespace

void AppendFrame(std::string* dst, uint8_t type, absl::string_view fixed,
                 absl::string_view data, DataBytes data_bytes) {
  size_t start = dst->size();
  PutFixed32(dst, 0);  // crc, filled in below
  PutFixed32(dst, static_cast<uint32_t>(fixed.size() + data.size()));
  dst->push_back(static_cast<char>(type));
  dst->append(fixed.data(), fixed.size());
  // The CRC is taken from the caller's bytes, before any copy.
  uint32_t crc =
      crc32c::Extend(0, dst->data() + start + 4, dst->size() - start - 4);
  crc = crc32c::Extend(crc, data.data(), data.size());
  EncodeFixed32(&(*dst)[start], crc32c::Mask(crc));
  if (data_bytes == DataBytes::kCopy) dst->append(data.data(), data.size());
}

void AppendPageImage(std::string* dst, TimelineId timeline, PageKey key,
                     absl::string_view image, DataBytes data_bytes) {
  AppendFrame(dst, lf::kPageImage, PagePrefix(timeline, key).image(), image,
              data_bytes);
}

void AppendPageDelta(std::string* dst, TimelineId timeline, PageKey key,
                     uint32_t offset, absl::string_view bytes) {
  AppendFrame(dst, lf::kPageDelta, PagePrefix(timeline, key, offset).delta(),
              bytes);
}

void AppendSpaceTruncate(std::string* dst, TimelineId timeline, uint32_t space,
                         uint32_t page_count) {
  std::string fixed;
  PutFixed64(&fixed, timeline.value());
  PutFixed32(&fixed, space);
  PutFixed32(&fixed, page_count);
  AppendFrame(dst, lf::kSpaceTruncate, fixed, {});
}

void AppendCommit(std::string* dst, TimelineId timeline, int64_t timestamp_us,
                  uint32_t record_count) {
  std::string fixed;
  PutFixed64(&fixed, timeline.value());
  PutFixed64(&fixed, static_cast<uint64_t>(timestamp_us));
  PutFixed32(&fixed, record_count);
  AppendFrame(dst, lf::kCommit, fixed, {});
}

FrameResult ParseFrame(absl::string_view buf, Frame* frame,
                       std::string* reason) {
  if (buf.size() < lf::kFrameHeaderSize) return FrameResult::kTruncated;
  uint32_t length = DecodeFixed32(buf.data() + 4);
  if (length > lf::kMaxPayloadSize) {
    *reason = absl::StrCat("record length ", length, " exceeds the maximum ",
                           lf::kMaxPayloadSize);
    return FrameResult::kCorrupt;
  }
  size_t size = lf::kFrameHeaderSize + length;
  if (buf.size() < size) return FrameResult::kTruncated;
  uint32_t expected = crc32c::Unmask(DecodeFixed32(buf.data()));
  uint32_t actual = crc32c::Extend(0, buf.data() + 4, size - 4);
  if (expected != actual) {
    *reason = absl::StrCat("record checksum mismatch (stored ", expected,
                           ", computed ", actual, ")");
    return FrameResult::kCorrupt;
  }
  frame->type = static_cast<uint8_t>(buf[8]);
  frame->payload = buf.substr(lf::kFrameHeaderSize, length);
  frame->size = size;
  return FrameResult::kOk;
}

absl::Status DecodeCommit(const Frame& frame, Commit* commit) {
  if (frame.payload.size() != lf::kCommitPayload) {
    return BadPayload(frame, absl::StrCat("exactly ", lf::kCommitPayload));
  }
  const char* p = frame.payload.data();
  commit->timeline = TimelineId(DecodeFixed64(p));
  commit->timestamp_us = static_cast<int64_t>(DecodeFixed64(p + 8));
  commit->record_count = DecodeFixed32(p + 16);
  return absl::OkStatus();
}

absl::Status DecodeChange(const Frame& frame, WalRecordView* view) {
  const char* p = frame.payload.data();
  const size_t size = frame.payload.size();
  switch (frame.type) {
    case lf::kPageImage:
    case lf::kPageDelta: {
      const bool delta = frame.type == lf::kPageDelta;
      const size_t prefix =
          delta ? lf::kDeltaRecordPrefix : lf::kPageRecordPrefix;
      if (size <= prefix) {
        return BadPayload(frame, absl::StrCat("at least ", prefix + 1));
      }
      view->kind = delta ? RecordKind::kPageDelta : RecordKind::kPageImage;
      view->timeline = TimelineId(DecodeFixed64(p));
      view->key = PageKey{DecodeFixed32(p + 8), DecodeFixed32(p + 12)};
      view->offset = delta ? DecodeFixed32(p + 16) : 0;
      view->page_count = 0;
      view->data = frame.payload.substr(prefix);
      return absl::OkStatus();
    }
    case lf::kSpaceTruncate:
      if (size != lf::kTruncatePayload) {
        return BadPayload(frame,
                          absl::StrCat("exactly ", lf::kTruncatePayload));
      }
      view->kind = RecordKind::kSpaceTruncate;
      view->timeline = TimelineId(DecodeFixed64(p));
      view->key = PageKey{DecodeFixed32(p + 8), 0};
      view->offset = 0;
      view->page_count = DecodeFixed32(p + 12);
      view->data = {};
      return absl::OkStatus();
    default:
      return absl::InternalError(
          absl::StrCat("DecodeChange called on record type ", frame.type));
  }
}

WalRecord ToRecord(const WalRecordView& view, Lsn lsn) {
  WalRecord record;
  record.lsn = lsn;
  record.kind = view.kind;
  record.timeline = view.timeline;
  record.key = view.key;
  record.offset = view.offset;
  record.page_count = view.page_count;
  record.data.assign(view.data.data(), view.data.size());
  return record;
}

}  // namespace pitr::record_codec
