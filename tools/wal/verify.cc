#include "tools/wal/verify.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "wal/log_format.h"

namespace pitr::waltool {
namespace {

namespace lf = log_format;

bool IsIndex(const std::string& path) {
  return absl::EndsWith(path, std::string("/") + lf::kIndexFileName);
}

uint64_t EntriesIn(uint64_t index_bytes) {
  return index_bytes < lf::kIndexHeaderSize
             ? 0
             : (index_bytes - lf::kIndexHeaderSize) / lf::kIndexEntrySize;
}

// Turns one change recovery made into a note; marks the report torn if it
// drops anything the files held.
void Explain(const FileChange& change, VerifyReport* report) {
  using Kind = FileChange::Kind;
  FileSystem* fs = FileSystem::Default();
  absl::StatusOr<uint64_t> real = fs->FileSize(change.path);
  const uint64_t real_size = real.ok() ? *real : 0;
  if (IsIndex(change.path)) {
    if (change.kind == Kind::kCreate) {
      report->notes.push_back(
          "no timestamp index: opening the log would create it");
    } else if (change.kind == Kind::kTruncate &&
               EntriesIn(change.size) < EntriesIn(real_size)) {
      report->outcome = VerifyReport::Outcome::kTornTail;
      report->notes.push_back(absl::StrCat(
          "timestamp index: ", EntriesIn(real_size) - EntriesIn(change.size),
          " entries from ordinal ", EntriesIn(change.size),
          " on are for commits the segments do not hold (or differ from "
          "them); recovery would drop them"));
    } else if (change.kind == Kind::kWrite) {
      report->notes.push_back(
          absl::StrCat("timestamp index: recovery would write ",
                       change.size / lf::kIndexEntrySize,
                       " entries the index lacks (it lags after a crash)"));
    }
    return;
  }
  if (change.kind == Kind::kTruncate) {
    report->outcome = VerifyReport::Outcome::kTornTail;
    report->notes.push_back(
        absl::StrCat("torn tail: segment ", change.path, " from file offset ",
                     change.size, " (", real_size - change.size,
                     " bytes of an incomplete last batch) would be dropped"));
  } else if (change.kind == Kind::kDelete) {
    report->outcome = VerifyReport::Outcome::kTornTail;
    report->notes.push_back(
        absl::StrCat("torn tail: segment ", change.path, " (", real_size,
                     " bytes, a header never made durable) would be deleted"));
  }
}

}  // namespace

absl::StatusOr<VerifyReport> Verify(const WalSourceOptions& options) {
  VerifyReport report;
  absl::StatusOr<std::unique_ptr<WalSource>> source = WalSource::Open(options);
  if (absl::IsDataLoss(source.status())) {
    report.outcome = VerifyReport::Outcome::kCorrupt;
    report.problem = std::string(source.status().message());
    return report;
  }
  PITR_RETURN_IF_ERROR(source.status());
  for (const FileChange& change : (*source)->recovery_changes()) {
    Explain(change, &report);
  }
  Wal& wal = (*source)->wal();
  report.oldest_lsn = wal.oldest_lsn();
  report.end_lsn = wal.end_lsn();
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> reader,
                        wal.NewReader(wal.oldest_lsn()));
  CommittedBatch batch;
  while (true) {
    absl::StatusOr<bool> more = reader->Next(&batch);
    if (absl::IsDataLoss(more.status())) {
      report.outcome = VerifyReport::Outcome::kCorrupt;
      report.problem = std::string(more.status().message());
      return report;
    }
    PITR_RETURN_IF_ERROR(more.status());
    if (!*more) break;
    ++report.batches;
    report.records += batch.records.size();
  }
  return report;
}

}  // namespace pitr::waltool
