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
  return PutImage(key, image, /*copy=*/true);
}

absl::Status WalBatch::PutPageImageNoCopy(PageKey key,
                                          absl::string_view image) {
  return PutImage(key, image, /*copy=*/false);
}

absl::Status WalBatch::PutImage(PageKey key, absl::string_view image,
                                bool copy) {
  if (absl::Status s = CheckData("page image", image); !s.ok()) return s;
  WalRecordView view;
  view.position = encoded_size();
  view.kind = RecordKind::kPageImage;
  view.key = key;
  record_codec::AppendPageImage(&encoded_, timeline_, key, image,
                                copy ? record_codec::DataBytes::kCopy
                                     : record_codec::DataBytes::kLeaveOut);
  AddRecord(view, image, copy);
  return absl::OkStatus();
}

absl::Status WalBatch::PutPageDelta(PageKey key, uint32_t offset,
                                    absl::string_view bytes) {
  if (absl::Status s = CheckData("page delta", bytes); !s.ok()) return s;
  WalRecordView view;
  view.position = encoded_size();
  view.kind = RecordKind::kPageDelta;
  view.key = key;
  view.offset = offset;
  record_codec::AppendPageDelta(&encoded_, timeline_, key, offset, bytes);
  AddRecord(view, bytes, /*copied=*/true);
  return absl::OkStatus();
}

void WalBatch::PutSpaceTruncate(uint32_t space, uint32_t page_count) {
  WalRecordView view;
  view.position = encoded_size();
  view.kind = RecordKind::kSpaceTruncate;
  view.key = PageKey{space, 0};
  view.page_count = page_count;
  record_codec::AppendSpaceTruncate(&encoded_, timeline_, space, page_count);
  AddRecord(view, {}, /*copied=*/true);
}

void WalBatch::AddRecord(WalRecordView view, absl::string_view data,
                         bool copied) {
  AddedRecord& record = records_.emplace_back();
  record.view = view;
  record.view.timeline = timeline_;
  record.copied = copied;
  record.data_size = data.size();
  if (copied) {
    record.data_offset = encoded_.size() - data.size();
  } else {
    record.data_offset = encoded_.size();
    record.view.data = data;
    not_copied_bytes_ += data.size();
  }
}

void WalBatch::Clear() {
  encoded_.clear();
  records_.clear();
  not_copied_bytes_ = 0;
  timestamp_us_.reset();
}

void WalBatch::AppendPieces(std::vector<absl::string_view>* pieces) const {
  const absl::string_view encoded = encoded_;
  size_t from = 0;
  for (const AddedRecord& record : records_) {
    if (record.copied) continue;
    pieces->push_back(encoded.substr(from, record.data_offset - from));
    pieces->push_back(record.view.data);
    from = record.data_offset;
  }
  pieces->push_back(encoded.substr(from));
}

std::vector<WalRecordView> WalBatch::RecordViews() const {
  std::vector<WalRecordView> views;
  views.reserve(records_.size());
  for (const AddedRecord& record : records_) {
    WalRecordView& view = views.emplace_back(record.view);
    if (record.copied) {
      view.data = absl::string_view(encoded_).substr(record.data_offset,
                                                     record.data_size);
    }
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

absl::Status AddCommittedRecords(const CommittedBatch& from, WalBatch* to) {
  for (const WalRecord& r : from.records) {
    absl::Status status;
    switch (r.kind) {
      case RecordKind::kPageImage:
        status = to->PutPageImage(r.key, r.data);
        break;
      case RecordKind::kPageDelta:
        status = to->PutPageDelta(r.key, r.offset, r.data);
        break;
      case RecordKind::kSpaceTruncate:
        to->PutSpaceTruncate(r.key.space, r.page_count);
        break;
    }
    if (!status.ok()) return status;
  }
  to->SetTimestamp(from.timestamp_us);
  return absl::OkStatus();
}

}  // namespace pitr
