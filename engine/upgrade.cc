#include "engine/upgrade.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "engine/store_keys.h"
#include "rocksdb/write_batch.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace sk = store_keys;

namespace {

// Format 2 -> 3: a change key for every version from the WAL, and each
// timeline's head: its newest page version (a batch that only truncated or
// resized spaces after it is not seen: that head is then the last batch
// that wrote a page).
absl::Status RecordChangesAndHeads(PageStore* store) {
  constexpr size_t kBatchBytes = 16 << 20;
  std::map<TimelineId, Lsn> heads;
  rocksdb::WriteBatch write;
  absl::Status written;
  PITR_RETURN_IF_ERROR(store->ForEachVersion(
      [&](const sk::ParsedVersionKey& v, absl::string_view) {
        Lsn& head = heads[v.timeline];
        head = std::max(head, v.at.commit_lsn);
        if (v.kind != sk::VersionKeyKind::kMaterialized) {
          write.Put(sk::ChangeKey(v.timeline, v.at), sk::EncodePageKey(v.key));
        }
        if (write.GetDataSize() >= kBatchBytes) {
          written = store->Write(&write);
          write.Clear();
        }
        return written.ok();
      }));
  PITR_RETURN_IF_ERROR(written);
  for (const auto& [timeline, lsn] : heads) {
    write.Put(sk::HeadKey(timeline), sk::EncodeU64(lsn));
  }
  spdlog::info("page store: upgrade: recorded the heads of {} timelines",
               heads.size());
  return store->Write(&write);
}

}  // namespace

absl::Status UpgradeStoreFormat(PageStore* store) {
  PITR_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        store->GetMeta(sk::kMetaFormatVersion));
  if (!stored) {
    return absl::DataLossError("page store: no format version is recorded");
  }
  std::optional<uint32_t> format = sk::DecodeU32(*stored);
  if (!format || *format == 0) {
    return absl::DataLossError("page store: malformed format version");
  }
  if (*format == sk::kFormatVersion) return absl::OkStatus();
  if (*format > sk::kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the page store has format version ", *format,
        ", written by a newer pitr; this build reads versions 1 to ",
        sk::kFormatVersion));
  }
  spdlog::info("page store: upgrading from format {} to {}", *format,
               sk::kFormatVersion);
  const absl::Time start = absl::Now();
  if (*format == 1) {
    absl::Time last_report = start;
    PITR_RETURN_IF_ERROR(store->RewriteVersionKeysV1([&](uint64_t rewritten) {
      if (absl::Now() - last_report >= absl::Seconds(5)) {
        last_report = absl::Now();
        spdlog::info("page store: upgrade: {} version keys rewritten",
                     rewritten);
      }
    }));
  }
  PITR_RETURN_IF_ERROR(RecordChangesAndHeads(store));
  // The rewritten keys must be on disk before the version says so (the
  // page store does not use RocksDB's WAL).
  PITR_RETURN_IF_ERROR(store->Flush());
  rocksdb::WriteBatch write;
  write.Put(sk::MetaKey(sk::kMetaFormatVersion),
            sk::EncodeU32(sk::kFormatVersion));
  PITR_RETURN_IF_ERROR(store->Write(&write));
  PITR_RETURN_IF_ERROR(store->Flush());
  spdlog::info("page store: upgraded to format {} in {}", sk::kFormatVersion,
               absl::FormatDuration(absl::Now() - start));
  return absl::OkStatus();
}

}  // namespace pitr
