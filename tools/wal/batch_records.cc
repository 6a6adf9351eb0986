#include "tools/wal/batch_records.h"

#include "base/status_macros.h"

namespace pitr::waltool {

absl::Status FillBatch(const CommittedBatch& from, WalBatch* to) {
  for (const WalRecord& r : from.records) {
    switch (r.kind) {
      case RecordKind::kPageImage:
        PITR_RETURN_IF_ERROR(to->PutPageImage(r.key, r.data));
        break;
      case RecordKind::kPageDelta:
        PITR_RETURN_IF_ERROR(to->PutPageDelta(r.key, r.offset, r.data));
        break;
      case RecordKind::kSpaceTruncate:
        to->PutSpaceTruncate(r.key.space, r.page_count);
        break;
    }
  }
  to->SetTimestamp(from.timestamp_us);
  return absl::OkStatus();
}

}  // namespace pitr::waltool
