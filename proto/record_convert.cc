#include "proto/record_convert.h"

#include "absl/strings/str_cat.h"

namespace pitr {

absl::Status AddRecords(
    const google::protobuf::RepeatedPtrField<v1::WalRecord>& records,
    WalBatch* batch) {
  for (int i = 0; i < records.size(); ++i) {
    const v1::WalRecord& record = records[i];
    absl::Status status;
    switch (record.change_case()) {
      case v1::WalRecord::kImage:
        status = batch->PutPageImageNoCopy(ToPageKey(record.image().key()),
                                           record.image().data());
        break;
      case v1::WalRecord::kDelta:
        status =
            batch->PutPageDelta(ToPageKey(record.delta().key()),
                                record.delta().offset(), record.delta().data());
        break;
      case v1::WalRecord::kTruncate:
        batch->PutSpaceTruncate(record.truncate().space(),
                                record.truncate().page_count());
        break;
      case v1::WalRecord::CHANGE_NOT_SET:
        status = absl::InvalidArgumentError(
            "no change set (one of image, delta, truncate)");
        break;
    }
    if (!status.ok()) {
      return absl::Status(status.code(),
                          absl::StrCat("record ", i, " of ", records.size(),
                                       ": ", status.message()));
    }
  }
  return absl::OkStatus();
}

v1::WalRecord RecordProto(const WalRecord& record) {
  v1::WalRecord proto;
  switch (record.kind) {
    case RecordKind::kPageImage: {
      v1::WalRecord::PageImage* image = proto.mutable_image();
      *image->mutable_key() = PageKeyProto(record.key);
      image->set_data(record.data);
      break;
    }
    case RecordKind::kPageDelta: {
      v1::WalRecord::PageDelta* delta = proto.mutable_delta();
      *delta->mutable_key() = PageKeyProto(record.key);
      delta->set_offset(record.offset);
      delta->set_data(record.data);
      break;
    }
    case RecordKind::kSpaceTruncate:
      proto.mutable_truncate()->set_space(record.key.space);
      proto.mutable_truncate()->set_page_count(record.page_count);
      break;
  }
  return proto;
}

v1::PageKey PageKeyProto(PageKey key) {
  v1::PageKey proto;
  proto.set_space(key.space);
  proto.set_page(key.page);
  return proto;
}

PageKey ToPageKey(const v1::PageKey& proto) {
  return PageKey{proto.space(), proto.page()};
}

}  // namespace pitr
