// Exports: every page of a branch at one point, streamed as a dump
// (docs/dump-format.md) with constant memory.
//
// The point is pinned first (a lease that never expires, and a catalog
// hold on its timeline), so GC keeps it readable for the whole export even
// if the branch is restored or deleted meanwhile; reads then follow the
// timeline's own path, not the branch's. Spaces are enumerated from the
// size events of the timelines on the path and pages from the page-first
// version keys (docs/storage-format.md): one seek per space and per page,
// each page read as GetPage would.
#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "engine/dump_writer.h"
#include "engine/engine.h"
#include "engine/engine_core.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace {

// The export itself, of a point pinned by the caller.
absl::StatusOr<ExportSummary> ExportPinned(EngineCore* core,
                                           TimelineId timeline,
                                           DumpHeader header,
                                           const DumpSink& sink,
                                           const DumpProgress& progress) {
  const Lsn lsn = header.lsn;
  PITR_ASSIGN_OR_RETURN(std::optional<int64_t> timestamp,
                        core->wal->TimestampAtLsn(lsn));
  header.timestamp_us = timestamp.value_or(0);
  header.page_size = core->page_size;
  PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                        core->catalog->TimelinePath(timeline, lsn));
  // The local store, or for history the local disk no longer holds, a cold
  // store from the bucket (which needs no lock: it never changes).
  bool local;
  {
    ReaderMutexLock gc(&core->history.mu());
    local = core->history.IsLocal(path, lsn);
  }
  ColdHistory::Source from{nullptr, core->store.get(), &core->reader};
  if (!local) {
    PITR_ASSIGN_OR_RETURN(from, core->cold.SourceFor(path, lsn));
  }
  PageStore* store = from.store;
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<DumpWriter> writer,
                        DumpWriter::Start(header, sink));
  std::optional<uint32_t> space;
  PITR_ASSIGN_OR_RETURN(space, store->NextSpace(path, 0));
  for (; space;) {
    PITR_ASSIGN_OR_RETURN(uint32_t size, store->SpaceSize(*space, path));
    // A space of no pages holds none, and pages at or past a space's size
    // do not exist (docs/storage-format.md, "Values").
    if (size > 0) PITR_RETURN_IF_ERROR(writer->AddSpace(*space, size));
    std::optional<uint32_t> page;
    PITR_ASSIGN_OR_RETURN(page, store->NextPage(*space, 0));
    for (; page && *page < size;) {
      PageRead read;
      if (local) {
        ReaderMutexLock gc(&core->history.mu());
        PITR_ASSIGN_OR_RETURN(read, from.reader->Read({*space, *page}, path, lsn));
      } else {
        PITR_ASSIGN_OR_RETURN(read, from.reader->Read({*space, *page}, path, lsn));
      }
      if (read.page) {
        PITR_RETURN_IF_ERROR(writer->AddPage(*page, *read.page));
        if (progress) {
          PITR_RETURN_IF_ERROR(progress(writer->counts().pages, 0));
        }
      }
      if (*page == kInvalidPageNumber - 1) break;
      PITR_ASSIGN_OR_RETURN(page, store->NextPage(*space, *page + 1));
    }
    if (*space == UINT32_MAX) break;
    PITR_ASSIGN_OR_RETURN(space, store->NextSpace(path, *space + 1));
  }
  PITR_RETURN_IF_ERROR(writer->Finish());
  const DumpTrailer& counts = writer->counts();
  spdlog::info(
      "pitr: exported {} pages of {} spaces of \"{}\" at lsn {} ({} "
      "bytes)",
      counts.pages, counts.spaces, header.source_branch_name, FormatLsn(lsn),
      writer->bytes_written());
  return ExportSummary{lsn, header.timestamp_us, counts.spaces, counts.pages,
                       writer->bytes_written()};
}

}  // namespace

absl::StatusOr<ExportSummary> Engine::ExportBranch(
    BranchId branch, const PointInTime& at, const DumpSink& sink,
    const DumpProgress& progress) {
  DumpHeader header;
  TimelineId timeline;
  uint64_t pin;
  {
    MutexLock l(&core_->branch_mu);
    PITR_ASSIGN_OR_RETURN(Branch b, core_->catalog->Get(branch));
    {
      ReaderMutexLock gc(&core_->history.mu());
      PITR_ASSIGN_OR_RETURN(header.lsn, core_->ResolvePoint(branch, at));
    }
    header.source_branch = b.id;
    header.source_branch_name = b.name;
    timeline = b.timeline;
    pin = core_->PinPoint(timeline, header.lsn);
  }
  absl::Cleanup unpin = [&] { core_->Unpin(pin); };
  return ExportPinned(core_.get(), timeline, std::move(header), sink, progress);
}

absl::StatusOr<ExportSummary> Engine::ExportSnapshot(
    absl::string_view snapshot, const DumpSink& sink,
    const DumpProgress& progress) {
  if (core_->closed) return absl::FailedPreconditionError("the store is closed");
  DumpHeader header;
  TimelineId timeline;
  uint64_t pin;
  {
    MutexLock l(&core_->branch_mu);
    PITR_ASSIGN_OR_RETURN(Snapshot snap, core_->catalog->GetSnapshot(snapshot));
    header.lsn = snap.lsn;
    header.source_branch = snap.branch;
    absl::StatusOr<Branch> b = core_->catalog->Get(snap.branch);
    if (b.ok()) header.source_branch_name = b->name;  // else deleted since
    timeline = snap.timeline;
    pin = core_->PinPoint(timeline, snap.lsn);
  }
  absl::Cleanup unpin = [&] { core_->Unpin(pin); };
  return ExportPinned(core_.get(), timeline, std::move(header), sink, progress);
}

}  // namespace pitr
