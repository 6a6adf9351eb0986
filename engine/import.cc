// Imports: a dump (docs/dump-format.md) loaded into a new root branch.
//
// Three steps, so that a dump cut short or damaged, or an import that
// fails or crashes half way, leaves nothing visible:
//   1. read the whole file once, checking every checksum and the trailer
//      (DumpReader) and that it fits this store, writing nothing;
//   2. make a root timeline no branch reads, held so GC leaves it alone,
//      and write the pages to it through the WAL in batches of at most
//      kBatchBytes (each durable and applied like any append);
//   3. in one catalog commit, make the branch on that timeline and a
//      snapshot of kind kImport at the last batch's LSN.
// Until 3, nothing names the timeline: after an error the hold goes, after
// a crash it was never on disk, and GC reclaims the data as unused.
#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/timestamp.h"
#include "engine/dump_reader.h"
#include "engine/engine.h"
#include "engine/engine_core.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace {

constexpr size_t kBatchBytes = 1 << 20;

// A space being imported. Its size comes from its pages unless pages at
// its end do not exist (a truncation after they were written): then a
// page just past the end and a truncation to the size set it exactly.
struct ImportedSpace {
  uint32_t space = 0;
  uint32_t page_count = 0;
  std::optional<uint32_t> last_page;
  bool NeedsSizeRecords() const {
    return page_count > 0 && (!last_page || *last_page + 1 < page_count);
  }
  absl::Status AddSizeRecords(WalBatch* batch, uint32_t page_size) const {
    if (!NeedsSizeRecords()) return absl::OkStatus();
    PITR_RETURN_IF_ERROR(
        batch->PutPageImage({space, page_count}, std::string(page_size, '\0')));
    batch->PutSpaceTruncate(space, page_count);
    return absl::OkStatus();
  }
};

// Step 1: the whole dump, checked, and fit for a store of page_size.
absl::StatusOr<std::unique_ptr<DumpReader>> VerifyDump(const std::string& path,
                                                       uint32_t page_size) {
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<DumpReader> reader,
                        DumpReader::OpenFile(path));
  if (reader->header().page_size != page_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the dump ", path, " holds pages of ", reader->header().page_size,
        " bytes but this store's pages have ", page_size,
        " bytes; import it into a store of page size ",
        reader->header().page_size));
  }
  std::optional<ImportedSpace> space;
  DumpEntry entry;
  auto check_space = [&]() -> absl::Status {
    if (space && space->NeedsSizeRecords() &&
        space->page_count == kInvalidPageNumber) {
      return absl::InvalidArgumentError(
          absl::StrCat("space ", space->space,
                       " of the dump has 4294967295 pages but not "
                       "its last one; pitr cannot give a space that size"));
    }
    return absl::OkStatus();
  };
  while (true) {
    PITR_ASSIGN_OR_RETURN(bool more, reader->Next(&entry));
    if (!more || entry.kind == DumpEntry::Kind::kSpace) {
      PITR_RETURN_IF_ERROR(check_space());
      if (!more) break;
      space = ImportedSpace{entry.space, entry.page_count, std::nullopt};
    } else {
      space->last_page = entry.page;
    }
  }
  return reader;
}

// Step 2: the dump's pages written to `timeline` through the WAL; returns
// the commit LSN of the last batch.
absl::StatusOr<Lsn> WriteImport(EngineCore* core, const std::string& dump_path,
                                TimelineId timeline, uint64_t total_pages,
                                const DumpProgress& progress) {
  // Read again, checked again: the file may have changed since step 1.
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<DumpReader> reader,
                        DumpReader::OpenFile(dump_path));
  if (reader->header().page_size != core->page_size) {
    return absl::DataLossError(
        absl::StrCat("the dump ", dump_path, " changed while it was imported"));
  }
  Lsn last = core->latest_lsn.load();
  WalBatch batch(timeline);
  batch.Reserve(kBatchBytes + core->page_size);
  auto append = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    PITR_RETURN_IF_ERROR(core->ValidateBatch(batch));
    ReaderMutexLock l(&core->branch_mu);
    PITR_ASSIGN_OR_RETURN(AppendResult result, core->wal->Append(batch));
    last = result.commit_lsn;
    batch.Clear();
    return absl::OkStatus();
  };
  std::optional<ImportedSpace> space;
  uint64_t pages = 0;
  DumpEntry entry;
  while (true) {
    PITR_ASSIGN_OR_RETURN(bool more, reader->Next(&entry));
    if (!more || entry.kind == DumpEntry::Kind::kSpace) {
      if (space)
        PITR_RETURN_IF_ERROR(space->AddSizeRecords(&batch, core->page_size));
      if (!more) break;
      space = ImportedSpace{entry.space, entry.page_count, std::nullopt};
    } else {
      PITR_RETURN_IF_ERROR(
          batch.PutPageImage({entry.space, entry.page}, entry.image));
      space->last_page = entry.page;
      ++pages;
      if (progress) PITR_RETURN_IF_ERROR(progress(pages, total_pages));
    }
    if (batch.encoded_size() >= kBatchBytes) PITR_RETURN_IF_ERROR(append());
  }
  PITR_RETURN_IF_ERROR(append());
  return last;
}

}  // namespace

absl::StatusOr<ImportSummary> Engine::ImportDump(absl::string_view name,
                                                 const std::string& dump_path,
                                                 const DumpProgress& progress) {
  if (core_->closed) return absl::FailedPreconditionError("the store is closed");
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  PITR_RETURN_IF_ERROR(CheckBranchName(name));
  if (core_->catalog->GetByName(name).ok()) {
    return absl::AlreadyExistsError(
        absl::StrCat("branch \"", name, "\" already exists"));
  }
  if (core_->catalog->GetSnapshot(name).ok()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "snapshot \"", name,
        "\" already exists (an import makes a snapshot named as its branch)"));
  }
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<DumpReader> verified,
                        VerifyDump(dump_path, core_->page_size));
  ImportSummary summary;
  summary.source = verified->header();
  summary.spaces = verified->trailer().spaces;
  summary.pages = verified->trailer().pages;
  verified.reset();

  TimelineId timeline;
  {
    MutexLock l(&core_->branch_mu);
    PITR_ASSIGN_OR_RETURN(timeline, core_->catalog->CreateRootTimeline(NowMicros()));
  }
  bool visible = false;
  absl::Cleanup release = [&] {
    if (!visible) core_->catalog->Release(timeline);
  };
  PITR_ASSIGN_OR_RETURN(
      Lsn lsn, WriteImport(core_.get(), dump_path, timeline, summary.pages, progress));
  MutexLock l(&core_->branch_mu);
  PITR_ASSIGN_OR_RETURN(
      Catalog::Imported imported,
      core_->catalog->CreateImportedBranch(name, timeline, lsn, name, NowMicros()));
  visible = true;
  core_->history.SetFloors({{imported.branch.id, lsn}});  // its history starts there
  summary.branch = imported.branch;
  summary.snapshot = imported.snapshot;
  spdlog::info(
      "pitr: imported {} pages of {} spaces from {} (branch \"{}\" at lsn {}) "
      "as branch \"{}\" (#{}) at lsn {}",
      summary.pages, summary.spaces, dump_path,
      summary.source.source_branch_name, FormatLsn(summary.source.lsn),
      summary.branch.name, summary.branch.id, FormatLsn(lsn));
  return summary;
}

}  // namespace pitr
