// The engine's side of read replicas (replication.h): applying the
// primary's batches and catalog, catching up from the bucket, promotion.
#include "engine/replication.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "engine/engine.h"
#include "engine/engine_core.h"
#include "remote/catalog_archive.h"
#include "remote/generation.h"
#include "remote/lineage.h"
#include "remote/wal_fetch.h"
#include "remote/wal_lineage.h"
#include "spdlog/spdlog.h"
#include "wal/segment_files.h"

namespace pitr {

namespace {

// Where CatchUpFromArchive puts the fetched WAL, in the data directory.
constexpr char kFetchDir[] = "replica_fetch";

absl::Status CheckReplica(const EngineCore& core, const char* what) {
  if (core.closed) return absl::FailedPreconditionError("the store is closed");
  if (core.replica()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(what, " is for a read replica; this store is a primary"));
}

// The newest generation's line of history in the bucket.
absl::StatusOr<remote::Lineage> NewestLineage(remote::RemoteStorage* storage) {
  PITR_ASSIGN_OR_RETURN(std::vector<remote::Generation> generations,
                        remote::ListGenerations(storage));
  if (generations.empty()) {
    return absl::NotFoundError(
        absl::StrCat(storage->Describe(), " holds no store (no generations/)"));
  }
  return remote::Lineage(generations, generations.back().number);
}

}  // namespace

std::optional<std::string> Engine::replica_of() const {
  if (!core_->replica()) return std::nullopt;
  return core_->primary();
}

absl::Status Engine::WaitForLsn(Lsn lsn, absl::Time deadline) const {
  if (core_->latest_lsn.load() >= lsn) return absl::OkStatus();
  // The log's end passes lsn only once the batch before it is applied.
  absl::Status waited = core_->wal->WaitForEnd(lsn - 1, deadline);
  if (absl::IsDeadlineExceeded(waited)) {
    const Lsn latest = core_->latest_lsn.load();
    return absl::DeadlineExceededError(absl::StrCat(
        "the store is at lsn ", FormatLsn(latest), ", ", lsn - latest,
        " bytes of WAL short of lsn ", FormatLsn(lsn)));
  }
  return waited;
}

absl::Status Engine::ApplyReplicated(const WalBatch& batch, Lsn start_lsn,
                                     Lsn commit_lsn, bool starts_segment) {
  PITR_RETURN_IF_ERROR(CheckReplica(*core_, "ApplyReplicated"));
  if (!batch.timestamp_us()) {
    return absl::InvalidArgumentError(
        "a replicated batch carries the primary's commit time");
  }
  const Lsn end = core_->wal->end_lsn();
  if (start_lsn != end) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the replicated batch starts at lsn ", FormatLsn(start_lsn),
        " but this replica's log ends at lsn ", FormatLsn(end)));
  }
  if (!core_->catalog->GetTimeline(batch.timeline()).ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the replicated batch at lsn ", FormatLsn(start_lsn),
        " writes timeline ", batch.timeline().value(),
        ", which this replica's catalog does not hold yet"));
  }
  PITR_RETURN_IF_ERROR(core_->ValidateBatch(batch));
  AppendResult placed;
  {
    ReaderMutexLock l(&core_->branch_mu);
    PITR_ASSIGN_OR_RETURN(
        placed, core_->wal->Append(batch, starts_segment ? SegmentRoll::kNow
                                                         : SegmentRoll::kNever));
  }
  if (placed.start_lsn != start_lsn || placed.commit_lsn != commit_lsn) {
    return absl::DataLossError(absl::StrCat(
        "the replica's log diverged from the primary's: a batch the primary "
        "committed at lsn ", FormatLsn(start_lsn), "..", FormatLsn(commit_lsn),
        " landed at ", FormatLsn(placed.start_lsn), "..",
        FormatLsn(placed.commit_lsn), "; rebuild the replica"));
  }
  return absl::OkStatus();
}

absl::Status Engine::ApplyCommittedBatch(const CommittedBatch& batch,
                                         bool starts_segment) {
  WalBatch copy(batch.timeline);
  PITR_RETURN_IF_ERROR(AddCommittedRecords(batch, &copy));
  return ApplyReplicated(copy, batch.start_lsn, batch.commit_lsn,
                         starts_segment);
}

absl::Status Engine::ApplyCatalogImage(const remote::CatalogImage& image) {
  PITR_RETURN_IF_ERROR(CheckReplica(*core_, "ApplyCatalogImage"));
  {
    MutexLock l(&core_->branch_mu);
    PITR_RETURN_IF_ERROR(core_->catalog_store.Replace(image));
    PITR_RETURN_IF_ERROR(core_->catalog->Reload());
    PITR_RETURN_IF_ERROR(core_->schedules->Reload());
    PITR_RETURN_IF_ERROR(core_->spaces->Reload());
  }
  // Floors for the branches it brought.
  return core_->gc.PlanAndPublish().status();
}

void Engine::SetPrimaryArchivedLsn(Lsn lsn) {
  core_->primary_archived_lsn = lsn;
}

absl::StatusOr<ArchiveCatchUp> Engine::CatchUpFromArchive() {
  PITR_RETURN_IF_ERROR(CheckReplica(*core_, "CatchUpFromArchive"));
  remote::RemoteStorage* storage = core_->options.remote;
  ArchiveCatchUp caught_up;
  caught_up.from = caught_up.to = core_->wal->end_lsn();
  PITR_ASSIGN_OR_RETURN(remote::Lineage lineage, NewestLineage(storage));
  PITR_ASSIGN_OR_RETURN(
      remote::WalPiecesBySegment pieces,
      remote::PiecesOfLineage(storage, lineage.generation()));
  if (remote::CoveredFrom(pieces, caught_up.from) <= caught_up.from) {
    return caught_up;  // the bucket holds nothing past this log
  }
  const std::string dir = JoinPath(core_->options.dir, kFetchDir);
  PITR_RETURN_IF_ERROR(RemoveTree(dir));
  PITR_RETURN_IF_ERROR(
      remote::FetchWal(storage, lineage.generation(), caught_up.from, dir)
          .status());
  // The bucket's catalog images past this replica's go in among the
  // batches, each before the first batch after it; one of a later LSN
  // goes early if a batch writes a timeline the catalog does not know yet
  // (the archive keeps the newest image of each of its passes only).
  PITR_ASSIGN_OR_RETURN(remote::CatalogImage ours,
                        core_->catalog_store.Image());
  PITR_ASSIGN_OR_RETURN(std::vector<remote::CatalogImageName> names,
                        remote::ListCatalogImages(storage, lineage));
  std::deque<remote::CatalogImageName> images;
  for (const remote::CatalogImageName& name : names) {
    if (name.lsn > ours.lsn) images.push_back(name);
  }
  auto apply_next_image = [&]() -> absl::Status {
    PITR_ASSIGN_OR_RETURN(remote::CatalogImage image,
                          remote::ReadCatalogImage(storage, images.front()));
    images.pop_front();
    return ApplyCatalogImage(image);
  };
  absl::Status applied = ForEachBatchInSegments(
      dir, caught_up.from,
      [&](const CommittedBatch& batch, bool starts_segment) -> absl::Status {
        while (!images.empty() && images.front().lsn <= batch.start_lsn) {
          PITR_RETURN_IF_ERROR(apply_next_image());
        }
        while (!images.empty() &&
               !core_->catalog->GetTimeline(batch.timeline).ok()) {
          PITR_RETURN_IF_ERROR(apply_next_image());
        }
        PITR_RETURN_IF_ERROR(ApplyCommittedBatch(batch, starts_segment));
        ++caught_up.batches;
        caught_up.to = batch.commit_lsn;
        return absl::OkStatus();
      });
  while (applied.ok() && !images.empty() &&
         images.front().lsn <= caught_up.to) {
    applied = apply_next_image();
  }
  absl::Status removed = RemoveTree(dir);
  PITR_RETURN_IF_ERROR(applied);
  PITR_RETURN_IF_ERROR(removed);
  spdlog::info("pitr: replica caught up from {}: {} batches, lsn {} to {}",
               storage->Describe(), caught_up.batches,
               FormatLsn(caught_up.from), FormatLsn(caught_up.to));
  return caught_up;
}

absl::StatusOr<PromoteReport> Engine::Promote() {
  PITR_RETURN_IF_ERROR(CheckReplica(*core_, "Promote"));
  const absl::Time started = absl::Now();
  remote::RemoteStorage* storage = core_->options.remote;
  PromoteReport report;
  // 1. Everything the old primary archived.
  PITR_ASSIGN_OR_RETURN(report.caught_up, CatchUpFromArchive());
  const Lsn end = core_->wal->end_lsn();
  PITR_ASSIGN_OR_RETURN(remote::Lineage lineage, NewestLineage(storage));
  PITR_ASSIGN_OR_RETURN(
      remote::WalPiecesBySegment pieces,
      remote::PiecesOfLineage(storage, lineage.generation()));
  // Where the archive ends: the new generation archives from there.
  report.generation_start =
      std::min(end, remote::CoveredFrom(pieces, core_->wal->oldest_lsn()));
  // 2. The catalog, if the bucket's is newer than the stream's.
  PITR_ASSIGN_OR_RETURN(std::optional<remote::CatalogImageName> name,
                        remote::FindCatalogImage(storage, lineage, end));
  PITR_ASSIGN_OR_RETURN(remote::CatalogImage ours,
                        core_->catalog_store.Image());
  if (name && name->lsn > ours.lsn) {
    PITR_ASSIGN_OR_RETURN(remote::CatalogImage newer,
                          remote::ReadCatalogImage(storage, *name));
    PITR_RETURN_IF_ERROR(ApplyCatalogImage(newer));
  }
  // 3. The bucket is taken over: the old primary is fenced from now on.
  const std::string holder = remote::NewHolder();
  PITR_ASSIGN_OR_RETURN(
      remote::Generation generation,
      remote::TakeOverGeneration(storage, report.generation_start, holder));
  PITR_RETURN_IF_ERROR(remote::WriteLocalClaim(
      core_->options.dir, {generation.number, holder}));
  // 4. A primary from here on.
  PITR_RETURN_IF_ERROR(FileSystem::Default()->DeleteFile(
      JoinPath(core_->options.dir, kReplicaMarker)));
  const std::string old_primary = core_->primary();
  core_->SetReplicaOf(std::nullopt);
  PITR_RETURN_IF_ERROR(core_->gc.PlanAndPublish().status());
  PITR_RETURN_IF_ERROR(core_->StartArchive(generation.number));
  PITR_RETURN_IF_ERROR(core_->backups.Start());
  report.lsn = end;
  report.generation = generation.number;
  report.took = absl::Now() - started;
  spdlog::info(
      "pitr: promoted: no longer a replica of {}; primary at lsn {}, "
      "generation {} of {} from lsn {} ({} batches from the bucket first)",
      old_primary, FormatLsn(end), generation.number, storage->Describe(),
      FormatLsn(report.generation_start), report.caught_up.batches);
  return report;
}

absl::StatusOr<CatalogChanges> Engine::CatalogChangesSince(
    uint64_t after) const {
  return core_->catalog_store.ChangesSince(after);
}

uint64_t Engine::catalog_changes() const {
  return core_->catalog_store.changes();
}

}  // namespace pitr
