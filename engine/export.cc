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
#include "spdlog/spdlog.h"

namespace pitr {

uint64_t Engine::Pin(TimelineId timeline, Lsn lsn) {
  const uint64_t pin = history_.AddPin(timeline, lsn, absl::InfiniteFuture());
  catalog_->Hold(timeline);
  return pin;
}

void Engine::Unpin(uint64_t pin) {
  MutexLock l(&branch_mu_);
  if (std::optional<TimelineId> timeline = history_.RemovePin(pin)) {
    catalog_->Release(*timeline);
  }
}

absl::StatusOr<ExportSummary> Engine::ExportBranch(
    BranchId branch, const PointInTime& at, const DumpSink& sink,
    const DumpProgress& progress) {
  DumpHeader header;
  TimelineId timeline;
  uint64_t pin;
  {
    MutexLock l(&branch_mu_);
    PITR_ASSIGN_OR_RETURN(Branch b, catalog_->Get(branch));
    {
      ReaderMutexLock gc(&history_.mu());
      PITR_ASSIGN_OR_RETURN(header.lsn, ResolvePoint(branch, at));
    }
    header.source_branch = b.id;
    header.source_branch_name = b.name;
    timeline = b.timeline;
    pin = Pin(timeline, header.lsn);
  }
  absl::Cleanup unpin = [&] { Unpin(pin); };
  return ExportPinned(timeline, std::move(header), sink, progress);
}

absl::StatusOr<ExportSummary> Engine::ExportSnapshot(
    absl::string_view snapshot, const DumpSink& sink,
    const DumpProgress& progress) {
  if (closed_) return absl::FailedPreconditionError("the store is closed");
  DumpHeader header;
  TimelineId timeline;
  uint64_t pin;
  {
    MutexLock l(&branch_mu_);
    PITR_ASSIGN_OR_RETURN(Snapshot snap, catalog_->GetSnapshot(snapshot));
    header.lsn = snap.lsn;
    header.source_branch = snap.branch;
    absl::StatusOr<Branch> b = catalog_->Get(snap.branch);
    if (b.ok()) header.source_branch_name = b->name;  // else deleted since
    timeline = snap.timeline;
    pin = Pin(timeline, snap.lsn);
  }
  absl::Cleanup unpin = [&] { Unpin(pin); };
  return ExportPinned(timeline, std::move(header), sink, progress);
}

absl::StatusOr<ExportSummary> Engine::ExportPinned(
    TimelineId timeline, DumpHeader header, const DumpSink& sink,
    const DumpProgress& progress) {
  const Lsn lsn = header.lsn;
  PITR_ASSIGN_OR_RETURN(std::optional<int64_t> timestamp,
                        wal_->TimestampAtLsn(lsn));
  header.timestamp_us = timestamp.value_or(0);
  header.page_size = page_size_;
  PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                        catalog_->TimelinePath(timeline, lsn));
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<DumpWriter> writer,
                        DumpWriter::Start(header, sink));
  std::optional<uint32_t> space;
  PITR_ASSIGN_OR_RETURN(space, store_->NextSpace(path, 0));
  for (; space;) {
    PITR_ASSIGN_OR_RETURN(uint32_t size, store_->SpaceSize(*space, path));
    // A space of no pages holds none, and pages at or past a space's size
    // do not exist (docs/storage-format.md, "Values").
    if (size > 0) PITR_RETURN_IF_ERROR(writer->AddSpace(*space, size));
    std::optional<uint32_t> page;
    PITR_ASSIGN_OR_RETURN(page, store_->NextPage(*space, 0));
    for (; page && *page < size;) {
      PageRead read;
      {
        ReaderMutexLock gc(&history_.mu());
        PITR_ASSIGN_OR_RETURN(read, ReadPageOnPath({*space, *page}, path, lsn));
      }
      if (read.page) {
        PITR_RETURN_IF_ERROR(writer->AddPage(*page, *read.page));
        if (progress) {
          PITR_RETURN_IF_ERROR(progress(writer->counts().pages, 0));
        }
      }
      if (*page == kInvalidPageNumber - 1) break;
      PITR_ASSIGN_OR_RETURN(page, store_->NextPage(*space, *page + 1));
    }
    if (*space == UINT32_MAX) break;
    PITR_ASSIGN_OR_RETURN(space, store_->NextSpace(path, *space + 1));
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

}  // namespace pitr
