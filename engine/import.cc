// Imports: a full dump loaded into a new root branch, or an incremental
// dump applied to the branch that imported its base.
//
// Three steps, so that a dump cut short or damaged, or an import that
// fails or crashes half way, leaves nothing visible:
//   1. read the whole file once, checking every checksum and the trailer
//      (DumpReader) and that it fits this store (and for an incremental
//      dump, that the branch holds its base), writing nothing;
//   2. make a timeline no branch reads, held so GC leaves it alone (a root
//      for a full dump; for an incremental one a child of the branch's
//      timeline at its latest point), and write the pages to it through
//      the WAL in batches of at most kBatchBytes (each durable and applied
//      like any append);
//   3. in one catalog commit, make the branch on that timeline and a
//      snapshot of kind kImport at the last batch's LSN (full), or move the
//      branch onto it if nothing wrote the branch meanwhile (incremental),
//      recording where the state came from (ImportProvenance).
// Until 3, nothing names the timeline: after an error the hold goes, after
// a crash it was never on disk, and GC reclaims the data as unused.
#include <algorithm>
#include <vector>

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

// A space being imported, and its size as the import goes: from the base
// state's (0 for a full dump), cut by the dump's truncation, grown by its
// pages. Records at its end then give it exactly page_count pages: a
// truncation if it is larger, a page just past the end and a truncation
// if it is smaller (pages at its end do not exist).
struct ImportedSpace {
  uint32_t space = 0;
  uint32_t page_count = 0;
  uint64_t size = 0;
  void Truncate(WalBatch* batch, uint32_t keep) {
    batch->PutSpaceTruncate(space, keep);
    size = std::min<uint64_t>(size, keep);
  }
  void AddPage(uint32_t page) { size = std::max<uint64_t>(size, page + 1ull); }
  bool NeedsGrowing() const { return size < page_count; }
  absl::Status AddSizeRecords(WalBatch* batch, uint32_t page_size) {
    if (NeedsGrowing()) {
      PITR_RETURN_IF_ERROR(batch->PutPageImage({space, page_count},
                                               std::string(page_size, '\0')));
      size = page_count + 1ull;
    }
    if (size > page_count) Truncate(batch, page_count);
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
  // Every space must be reachable from a base where it is empty.
  std::optional<ImportedSpace> space;
  DumpEntry entry;
  auto check_space = [&]() -> absl::Status {
    if (space && space->NeedsGrowing() &&
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
      space = ImportedSpace{entry.space, entry.page_count, 0};
    } else if (entry.kind == DumpEntry::Kind::kPage) {
      space->AddPage(entry.page);
    }
  }
  return reader;
}

// Step 2: the dump's pages written to `timeline` through the WAL, on top
// of the state `base` reads (empty for a full dump); returns the commit LSN
// of the last batch, if any.
absl::StatusOr<std::optional<Lsn>> WriteImport(
    EngineCore* core, const std::string& dump_path, TimelineId timeline,
    const std::vector<ReadStep>& base, uint64_t total_pages,
    const DumpProgress& progress) {
  // Read again, checked again: the file may have changed since step 1.
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<DumpReader> reader,
                        DumpReader::OpenFile(dump_path));
  if (reader->header().page_size != core->page_size) {
    return absl::DataLossError(
        absl::StrCat("the dump ", dump_path, " changed while it was imported"));
  }
  std::optional<Lsn> last;
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
      uint32_t base_size = 0;
      if (!base.empty()) {
        PITR_ASSIGN_OR_RETURN(base_size,
                              core->store->SpaceSize(entry.space, base));
      }
      space = ImportedSpace{entry.space, entry.page_count, base_size};
    } else if (entry.kind == DumpEntry::Kind::kTruncate) {
      space->Truncate(&batch, entry.keep);
    } else {
      PITR_RETURN_IF_ERROR(
          batch.PutPageImage({entry.space, entry.page}, entry.image));
      space->AddPage(entry.page);
      ++pages;
      if (progress) PITR_RETURN_IF_ERROR(progress(pages, total_pages));
    }
    if (batch.encoded_size() >= kBatchBytes) PITR_RETURN_IF_ERROR(append());
  }
  PITR_RETURN_IF_ERROR(append());
  return last;
}

// Whether `branch` holds the base state of the incremental dump `header`:
// its last import was that state, and nothing wrote or restored it since.
// FAILED_PRECONDITION naming what differs otherwise.
absl::Status CheckHoldsBase(EngineCore* core, const Branch& branch,
                            const DumpHeader& header)
    ABSL_SHARED_LOCKS_REQUIRED(core->branch_mu) {
  const std::string dump_base = absl::StrCat(
      "the dump holds the changes of branch \"", header.source_branch_name,
      "\" of store ", header.source_store.ToHex(), " from lsn ",
      FormatLsn(header.base_lsn), " (timeline ", header.base_timeline.value(),
      ") to lsn ", FormatLsn(header.lsn));
  const std::optional<ImportProvenance> last =
      core->catalog->Provenance(branch.id);
  if (!last) {
    return absl::FailedPreconditionError(absl::StrCat(
        dump_base, "; branch \"", branch.name,
        "\" was not made by an import, so it cannot hold that base (import a "
        "full dump first)"));
  }
  if (last->store.IsZero()) {
    return absl::FailedPreconditionError(absl::StrCat(
        dump_base, "; branch \"", branch.name,
        "\" was imported from a version-1 dump, which names no store (import "
        "a full dump of this pitr first)"));
  }
  if (last->store != header.source_store ||
      last->source_timeline != header.base_timeline ||
      last->source_lsn != header.base_lsn) {
    return absl::FailedPreconditionError(absl::StrCat(
        dump_base, "; branch \"", branch.name, "\" holds the state of store ",
        last->store.ToHex(), " at lsn ", FormatLsn(last->source_lsn),
        " (timeline ", last->source_timeline.value(),
        ") instead: export the changes since that point"));
  }
  const Lsn latest = core->BranchLatest(branch);
  if (branch.timeline != last->timeline || latest != last->lsn) {
    return absl::FailedPreconditionError(absl::StrCat(
        dump_base, "; branch \"", branch.name,
        "\" was written or restored since its last import (which left it at "
        "lsn ",
        FormatLsn(last->lsn), " on timeline ", last->timeline.value(),
        "; it stands at lsn ", FormatLsn(latest), " on timeline ",
        branch.timeline.value(), ")"));
  }
  return absl::OkStatus();
}

// Logs what an import did.
void LogImport(const ImportSummary& summary, const std::string& dump_path,
               Lsn lsn) {
  spdlog::info(
      "pitr: imported {} pages of {} spaces from {} (branch \"{}\" at lsn "
      "{}{}) {} branch \"{}\" (#{}) at lsn {}",
      summary.pages, summary.spaces, dump_path,
      summary.source.source_branch_name, FormatLsn(summary.source.lsn),
      summary.source.incremental()
          ? absl::StrCat(", changes since lsn ",
                         FormatLsn(summary.source.base_lsn))
          : "",
      summary.source.incremental() ? "onto" : "as", summary.branch.name,
      summary.branch.id, FormatLsn(lsn));
}

}  // namespace

absl::StatusOr<ImportSummary> Engine::ImportDump(absl::string_view name,
                                                 const std::string& dump_path,
                                                 const DumpProgress& progress) {
  if (core_->closed)
    return absl::FailedPreconditionError("the store is closed");
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  PITR_RETURN_IF_ERROR(CheckBranchName(name));
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<DumpReader> verified,
                        VerifyDump(dump_path, core_->page_size));
  ImportSummary summary;
  summary.source = verified->header();
  summary.spaces = verified->trailer().spaces;
  summary.pages = verified->trailer().pages;
  verified.reset();
  if (summary.source.incremental()) {
    return ImportChanges(name, dump_path, std::move(summary), progress);
  }
  if (core_->catalog->GetByName(name).ok()) {
    return absl::AlreadyExistsError(
        absl::StrCat("branch \"", name, "\" already exists"));
  }
  if (core_->catalog->GetSnapshot(name).ok()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "snapshot \"", name,
        "\" already exists (an import makes a snapshot named as its branch)"));
  }

  TimelineId timeline;
  {
    MutexLock l(&core_->branch_mu);
    PITR_ASSIGN_OR_RETURN(timeline, core_->catalog->CreateHeldTimeline(
                                        kNoTimeline, 0, NowMicros()));
  }
  bool visible = false;
  absl::Cleanup release = [&] {
    if (!visible) core_->catalog->Release(timeline);
  };
  PITR_ASSIGN_OR_RETURN(std::optional<Lsn> last,
                        WriteImport(core_.get(), dump_path, timeline, {},
                                    summary.pages, progress));
  const Lsn lsn = last.value_or(core_->latest_lsn.load());
  const ImportProvenance provenance{summary.source.source_store,
                                    summary.source.timeline, summary.source.lsn,
                                    timeline, last.value_or(0)};
  MutexLock l(&core_->branch_mu);
  PITR_ASSIGN_OR_RETURN(
      Catalog::Imported imported,
      core_->catalog->CreateImportedBranch(name, timeline, lsn, name,
                                           provenance, NowMicros()));
  visible = true;
  core_->history.SetFloors(
      {{imported.branch.id, lsn}});  // its history starts there
  summary.branch = imported.branch;
  summary.snapshot = imported.snapshot;
  LogImport(summary, dump_path, lsn);
  return summary;
}

absl::StatusOr<ImportSummary> Engine::ImportChanges(
    absl::string_view name, const std::string& dump_path, ImportSummary summary,
    const DumpProgress& progress) {
  const DumpHeader& header = summary.source;
  TimelineId timeline;
  Lsn base_lsn;
  std::vector<ReadStep> base;
  {
    MutexLock l(&core_->branch_mu);
    PITR_ASSIGN_OR_RETURN(Branch branch, core_->catalog->GetByName(name));
    PITR_RETURN_IF_ERROR(CheckHoldsBase(core_.get(), branch, header));
    base_lsn = core_->BranchLatest(branch);
    PITR_ASSIGN_OR_RETURN(
        base, core_->catalog->TimelinePath(branch.timeline, base_lsn));
    PITR_ASSIGN_OR_RETURN(
        timeline, core_->catalog->CreateHeldTimeline(branch.timeline, base_lsn,
                                                     NowMicros()));
  }
  bool visible = false;
  absl::Cleanup release = [&] {
    if (!visible) core_->catalog->Release(timeline);
  };
  PITR_ASSIGN_OR_RETURN(std::optional<Lsn> last,
                        WriteImport(core_.get(), dump_path, timeline, base,
                                    summary.pages, progress));
  const Lsn lsn = last.value_or(base_lsn);
  MutexLock l(&core_->branch_mu);
  // Nothing may have written the branch while the pages went in.
  PITR_ASSIGN_OR_RETURN(Branch branch, core_->catalog->GetByName(name));
  PITR_RETURN_IF_ERROR(CheckHoldsBase(core_.get(), branch, header));
  const ImportProvenance provenance{header.source_store, header.timeline,
                                    header.lsn, timeline, lsn};
  PITR_ASSIGN_OR_RETURN(summary.branch, core_->catalog->AdvanceImportedBranch(
                                            branch.id, lsn, provenance));
  visible = true;
  core_->history.SetFloors({{branch.id, lsn}});  // its history starts there
  LogImport(summary, dump_path, lsn);
  return summary;
}

}  // namespace pitr
