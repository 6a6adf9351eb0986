#include "engine/recovery.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "engine/store_keys.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace sk = store_keys;

absl::StatusOr<Lsn> AppliedLsn(const PageStore& store) {
  PITR_ASSIGN_OR_RETURN(std::optional<std::string> meta,
                        store.GetMeta(sk::kMetaAppliedLsn));
  if (!meta) return Lsn{0};
  std::optional<uint64_t> decoded = sk::DecodeU64(*meta);
  if (!decoded) return absl::DataLossError("page store: malformed applied lsn");
  return *decoded;
}

absl::Status CheckWalCoversStore(Lsn applied, const Wal& wal) {
  if (applied < wal.oldest_lsn() || applied > wal.end_lsn()) {
    return absl::DataLossError(absl::StrCat(
        "the page store holds the WAL up to lsn ", FormatLsn(applied),
        " but the WAL covers lsn ", FormatLsn(wal.oldest_lsn()), " to ",
        FormatLsn(wal.end_lsn()), ": one of them lost data"));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ReplayWal(Wal* wal, Lsn applied,
                                   const Catalog& catalog, Applier* applier) {
  const Lsn end = wal->end_lsn();
  if (applied < end) {
    spdlog::info("pitr: replaying the WAL from lsn {} to {} ({} bytes)",
                 FormatLsn(applied), FormatLsn(end), end - applied);
  }
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> reader,
                        wal->NewReader(applied));
  uint64_t batches = 0;
  const absl::Time started = absl::Now();
  absl::Time last_report = started;
  CommittedBatch batch;
  while (true) {
    PITR_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more) break;
    BatchToApply apply{batch.timeline, batch.commit_lsn, {}};
    // A timeline the catalog no longer knows was collected by GC on
    // purpose: its batches only move applied_lsn on.
    const bool collected = !catalog.GetTimeline(batch.timeline).ok();
    for (const WalRecord& record : batch.records) {
      if (collected) break;
      apply.records.push_back(WalRecordView{0, record.kind, record.timeline,
                                            record.key, record.offset,
                                            record.page_count, record.data});
    }
    PITR_RETURN_IF_ERROR(applier->Apply({apply}));
    ++batches;
    if (absl::Now() - last_report > absl::Seconds(5)) {
      last_report = absl::Now();
      spdlog::info("pitr: replay at lsn {} of {} ({:.0f}%)",
                   FormatLsn(batch.commit_lsn), FormatLsn(end),
                   100.0 * (batch.commit_lsn - applied) / (end - applied));
    }
  }
  if (batches > 0) {
    spdlog::info("pitr: replayed {} batches in {}", batches,
                 absl::FormatDuration(absl::Now() - started));
  }
  return batches;
}

}  // namespace pitr
