#include "wal/batch.h"

#include "absl/strings/str_cat.h"
#include "wal/log_format.h"
#include "wal/record_codec.h"

namespace pitr {

size_t WalBatch::MaxDataSize() {
  return log_format::kMaxPayloadSize - log_format::kDeltaRecordPrefix;
}

absl::Status WalBatch::CheckData(absl::string_view what,
                                 absl::string_view bytes) const {
  if (bytes.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "empty ", what, " (it must have 1 to ", MaxDataSize(), " bytes)"));
  }
  if (bytes.size() > MaxDataSize()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " of ", bytes.size(),
                                                   " bytes is too large (1 to ",
                                                   MaxDataSize(), " bytes)"));
  }
  return absl::OkStatus();
}

absl::Status WalBatch::PutPageImage(PageKey key, absl::string_view image) {
  if (absl::Status s = CheckData("page image", image); !s.ok()) return s;
  record_codec::AppendPageImage(&encoded_, branch_, key, image);
  ++record_count_;
  return absl::OkStatus();
}

absl::Status WalBatch::PutPageDelta(PageKey key, uint32_t offset,
                                    absl::string_view bytes) {
  if (absl::Status s = CheckData("page delta", bytes); !s.ok()) return s;
  record_codec::AppendPageDelta(&encoded_, branch_, key, offset, bytes);
  ++record_count_;
  return absl::OkStatus();
}

void WalBatch::PutSpaceTruncate(uint32_t space, uint32_t page_count) {
  record_codec::AppendSpaceTruncate(&encoded_, branch_, space, page_count);
  ++record_count_;
}

void WalBatch::Clear() {
  encoded_.clear();
  record_count_ = 0;
  timestamp_us_.reset();
}

std::vector<WalRecordView> WalBatch::RecordViews() const {
  std::vector<WalRecordView> views;
  views.reserve(record_count_);
  absl::string_view rest = encoded_;
  std::string unused_reason;
  while (!rest.empty()) {
    record_codec::Frame frame;
    // encoded_ was built by this class; its frames always parse.
    record_codec::ParseFrame(rest, &frame, &unused_reason);
    WalRecordView& view = views.emplace_back();
    record_codec::DecodeChange(frame, &view).IgnoreError();
    view.position = encoded_.size() - rest.size();
    rest.remove_prefix(frame.size);
  }
  return views;
}

std::vector<WalRecord> WalBatch::Records(Lsn start_lsn) const {
  std::vector<WalRecord> records;
  for (const WalRecordView& view : RecordViews()) {
    records.push_back(record_codec::ToRecord(view, start_lsn + view.position));
  }
  return records;
}

}  // namespace pitr
