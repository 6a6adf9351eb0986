// Exports: every page of a branch at one point, streamed as a dump
// (docs/dump-format.md) with constant memory; or, for an incremental dump,
// only what changed since a base point of the same branch.
//
// The points are pinned first (a lease that never expires, and a catalog
// hold on the timeline), so GC keeps them readable for the whole export
// even if the branch is restored or deleted meanwhile; reads then follow
// the timeline's own path, not the branch's. A full export enumerates the
// spaces from the size events of the timelines on the path and the pages
// from the page-first version keys (docs/storage-format.md): one seek per
// space and per page, each page read as GetPage would. An incremental one
// takes the pages that may differ from the change keys (CandidatePages),
// so its cost grows with the changes since the base, not with the store.
#include <optional>
#include <set>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "engine/changed_pages.h"
#include "engine/dump_writer.h"
#include "engine/engine.h"
#include "engine/engine_core.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace {

// Fills in what the header says of the store and of the states at its
// LSNs, read on `timeline`.
absl::Status DescribeSource(EngineCore* core, TimelineId timeline,
                            DumpHeader* header) {
  PITR_ASSIGN_OR_RETURN(std::optional<int64_t> timestamp,
                        core->wal->TimestampAtLsn(header->lsn));
  header->timestamp_us = timestamp.value_or(0);
  header->page_size = core->page_size;
  header->source_store = core->catalog->store_id();
  PITR_ASSIGN_OR_RETURN(header->timeline,
                        core->catalog->StateTimeline(timeline, header->lsn));
  if (header->incremental()) {
    PITR_ASSIGN_OR_RETURN(
        header->base_timeline,
        core->catalog->StateTimeline(timeline, header->base_lsn));
  }
  return absl::OkStatus();
}

ExportSummary Summarize(const DumpHeader& header, const DumpWriter& writer) {
  const DumpTrailer& counts = writer.counts();
  spdlog::info(
      "pitr: exported {} pages of {} spaces of \"{}\" at lsn {}{} ({} bytes)",
      counts.pages, counts.spaces, header.source_branch_name,
      FormatLsn(header.lsn),
      header.incremental()
          ? absl::StrCat(", changed since lsn ", FormatLsn(header.base_lsn))
          : "",
      writer.bytes_written());
  return ExportSummary{header.lsn,    header.base_lsn, header.timestamp_us,
                       counts.spaces, counts.pages,    writer.bytes_written()};
}

// A full export, of a point pinned by the caller.
absl::StatusOr<ExportSummary> ExportPinned(EngineCore* core,
                                           TimelineId timeline,
                                           DumpHeader header,
                                           const DumpSink& sink,
                                           const DumpProgress& progress) {
  const Lsn lsn = header.lsn;
  PITR_RETURN_IF_ERROR(DescribeSource(core, timeline, &header));
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
        PITR_ASSIGN_OR_RETURN(read,
                              from.reader->Read({*space, *page}, path, lsn));
      } else {
        PITR_ASSIGN_OR_RETURN(read,
                              from.reader->Read({*space, *page}, path, lsn));
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
  return Summarize(header, *writer);
}

// An incremental export, of two points of `timeline` pinned by the caller:
// per space whose size or pages differ, its size at the later point, the
// lowest page the base has and the point has not (below that size) as a
// truncation, and the pages that differ (with a truncation, every page the
// point has from there on).
absl::StatusOr<ExportSummary> ExportChanges(EngineCore* core,
                                            TimelineId timeline,
                                            DumpHeader header,
                                            const DumpSink& sink,
                                            const DumpProgress& progress) {
  PITR_RETURN_IF_ERROR(DescribeSource(core, timeline, &header));
  PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                        core->catalog->TimelinePath(timeline, header.lsn));
  PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> base_path,
                        core->catalog->TimelinePath(timeline, header.base_lsn));
  {
    ReaderMutexLock gc(&core->history.mu());
    if (!core->history.IsLocal(base_path, header.base_lsn)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the base lsn ", FormatLsn(header.base_lsn),
          " is older than the history this server's disk holds "
          "(--local_history); an incremental export reaches local history "
          "only"));
    }
  }
  PageStore& store = *core->store;
  auto read = [core](PageKey key, const std::vector<ReadStep>& on,
                     Lsn lsn) -> absl::StatusOr<std::optional<std::string>> {
    ReaderMutexLock gc(&core->history.mu());
    PITR_ASSIGN_OR_RETURN(PageRead read, core->reader.Read(key, on, lsn));
    return std::move(read.page);
  };
  PITR_ASSIGN_OR_RETURN(const std::set<PageKey> candidates,
                        CandidatePages(store, base_path, path));
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<DumpWriter> writer,
                        DumpWriter::Start(header, sink));
  auto add_page = [&](uint32_t page, const std::string& image) -> absl::Status {
    PITR_RETURN_IF_ERROR(writer->AddPage(page, image));
    return progress ? progress(writer->counts().pages, 0) : absl::OkStatus();
  };
  for (auto it = candidates.begin(); it != candidates.end();) {
    const uint32_t space = it->space;
    // The first pass reads both points to find what differs; the second
    // writes, reading the later point again.
    std::vector<uint32_t> differing;
    std::optional<uint32_t> keep;
    PITR_ASSIGN_OR_RETURN(uint32_t size, store.SpaceSize(space, path));
    PITR_ASSIGN_OR_RETURN(uint32_t base_size,
                          store.SpaceSize(space, base_path));
    for (; it != candidates.end() && it->space == space; ++it) {
      PITR_ASSIGN_OR_RETURN(auto before, read(*it, base_path, header.base_lsn));
      PITR_ASSIGN_OR_RETURN(auto after, read(*it, path, header.lsn));
      if (before == after) continue;
      if (after) {
        differing.push_back(it->page);
      } else if (it->page < size && !keep) {
        keep = it->page;  // pages come in order: the lowest
      }
    }
    if (differing.empty() && !keep && size == base_size) continue;
    PITR_RETURN_IF_ERROR(writer->AddSpace(space, size));
    if (keep) PITR_RETURN_IF_ERROR(writer->AddTruncation(*keep));
    for (uint32_t page : differing) {
      if (keep && page >= *keep) break;
      PITR_ASSIGN_OR_RETURN(auto image, read({space, page}, path, header.lsn));
      PITR_RETURN_IF_ERROR(add_page(page, *image));
    }
    if (!keep) continue;
    PITR_ASSIGN_OR_RETURN(std::optional<uint32_t> page,
                          store.NextPage(space, *keep));
    for (; page && *page < size;) {
      PITR_ASSIGN_OR_RETURN(auto image, read({space, *page}, path, header.lsn));
      if (image) PITR_RETURN_IF_ERROR(add_page(*page, *image));
      if (*page == kInvalidPageNumber - 1) break;
      PITR_ASSIGN_OR_RETURN(page, store.NextPage(space, *page + 1));
    }
  }
  PITR_RETURN_IF_ERROR(writer->Finish());
  return Summarize(header, *writer);
}

}  // namespace

absl::StatusOr<ExportSummary> Engine::ExportBranch(
    BranchId branch, const PointInTime& at, const DumpSink& sink,
    const DumpProgress& progress, const std::optional<PointInTime>& since) {
  if (core_->closed)
    return absl::FailedPreconditionError("the store is closed");
  DumpHeader header;
  TimelineId timeline;
  std::vector<uint64_t> pins;
  absl::Cleanup unpin = [&] {
    for (uint64_t pin : pins) core_->Unpin(pin);
  };
  {
    MutexLock l(&core_->branch_mu);
    PITR_ASSIGN_OR_RETURN(Branch b, core_->catalog->Get(branch));
    {
      ReaderMutexLock gc(&core_->history.mu());
      PITR_ASSIGN_OR_RETURN(header.lsn, core_->ResolvePoint(branch, at));
      if (since) {
        PITR_ASSIGN_OR_RETURN(header.base_lsn,
                              core_->ResolvePoint(branch, *since));
        if (header.base_lsn > header.lsn || header.base_lsn == 0) {
          return absl::InvalidArgumentError(absl::StrCat(
              "the base of an incremental export must be a point of \"", b.name,
              "\" after lsn 0/0 and at or before the point exported (",
              FormatLsn(header.lsn), "); it is ", FormatLsn(header.base_lsn)));
        }
      }
    }
    header.source_branch = b.id;
    header.source_branch_name = b.name;
    timeline = b.timeline;
    pins.push_back(core_->PinPoint(timeline, header.lsn));
    if (since) pins.push_back(core_->PinPoint(timeline, header.base_lsn));
  }
  if (since) {
    return ExportChanges(core_.get(), timeline, std::move(header), sink,
                         progress);
  }
  return ExportPinned(core_.get(), timeline, std::move(header), sink, progress);
}

absl::StatusOr<ExportSummary> Engine::ExportSnapshot(
    absl::string_view snapshot, const DumpSink& sink,
    const DumpProgress& progress) {
  if (core_->closed)
    return absl::FailedPreconditionError("the store is closed");
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
