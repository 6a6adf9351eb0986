#include "engine/remote_restore.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "base/timestamp.h"
#include "engine/archived_catalog_store.h"
#include "engine/page_store.h"
#include "remote/catalog_archive.h"
#include "remote/generation.h"
#include "remote/lineage.h"
#include "remote/wal_fetch.h"
#include "spdlog/spdlog.h"
#include "wal/segment.h"
#include "wal/wal.h"

namespace pitr {

namespace {

// OK if `dir` is missing, empty, or holds an interrupted restore (then
// emptied); FAILED_PRECONDITION naming what it holds otherwise.
absl::Status PrepareDirectory(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::exists(dir, error)) {
    return FileSystem::Default()->CreateDirs(dir);
  }
  std::vector<std::string> entries;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    entries.push_back(entry.path().filename());
  }
  if (error) {
    return absl::InternalError(
        absl::StrCat("listing ", dir, ": ", error.message()));
  }
  if (entries.empty()) return absl::OkStatus();
  if (std::find(entries.begin(), entries.end(), kRestoringMarker) ==
      entries.end()) {
    std::sort(entries.begin(), entries.end());
    return absl::FailedPreconditionError(absl::StrCat(
        "a restore from the bucket needs an empty data directory, but ", dir,
        " holds ", entries.size(), " entries (", entries.front(),
        ", ...): restore into a new directory"));
  }
  spdlog::info("pitr: {} holds an interrupted restore: starting over", dir);
  for (const std::string& name : entries) {
    PITR_RETURN_IF_ERROR(RemoveTree(JoinPath(dir, name)));
  }
  return absl::OkStatus();
}

// Ends the (closed) log in `wal_dir` at `end`, a batch boundary: the
// segment holding it is truncated there, later segments deleted.
absl::Status CutLog(const std::string& wal_dir, Lsn end) {
  FileSystem* fs = FileSystem::Default();
  PITR_ASSIGN_OR_RETURN(std::vector<Lsn> starts, ListSegmentFiles(fs, wal_dir));
  for (auto it = starts.rbegin(); it != starts.rend(); ++it) {
    const std::string path = JoinPath(wal_dir, SegmentFileName(*it));
    if (*it > end) {
      PITR_RETURN_IF_ERROR(fs->DeleteFile(path));
    } else {
      return fs->TruncateFile(path, SegmentFileOffset(*it, end));
    }
  }
  return absl::OkStatus();
}

// The last batch boundary at or before `lsn` in the log of `wal_dir`, from
// `from` (a boundary) on; and the log's end.
struct LogPoints {
  Lsn at = 0;
  Lsn end = 0;
};
absl::StatusOr<LogPoints> ResolveInLog(const std::string& wal_dir, Lsn from,
                                       const PointInTime& at) {
  WalOptions options;
  options.dir = wal_dir;
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Wal> wal, Wal::Open(options));
  LogPoints points;
  points.end = wal->end_lsn();
  if (at.timestamp_us) {
    PITR_ASSIGN_OR_RETURN(points.at, wal->LsnAtTimestamp(*at.timestamp_us));
  } else if (!at.lsn) {
    points.at = points.end;
  } else {
    points.at = from;
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> reader,
                          wal->NewReader(from));
    CommittedBatch batch;
    while (true) {
      PITR_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
      if (!more || batch.commit_lsn > *at.lsn) break;
      points.at = batch.commit_lsn;
    }
  }
  PITR_RETURN_IF_ERROR(wal->Close());
  return points;
}

std::string DescribePoint(const PointInTime& at) {
  if (at.lsn) return absl::StrCat("lsn ", FormatLsn(*at.lsn));
  if (at.timestamp_us) return FormatTimestampUs(*at.timestamp_us);
  return "the latest archived point";
}

}  // namespace

absl::StatusOr<RemoteRestoreReport> RestoreFromRemote(
    remote::RemoteStorage* storage, const std::string& dir,
    const RemoteRestoreOptions& options) {
  const PointInTime& at = options.at;
  if (at.lsn && at.timestamp_us) {
    return absl::InvalidArgumentError(
        "give the point to restore to as an lsn or a time, not both");
  }
  if (options.to_end && !options.detached) {
    return absl::InvalidArgumentError(
        "a restore that keeps the archive to its end is detached");
  }
  const absl::Time started = absl::Now();
  PITR_RETURN_IF_ERROR(PrepareDirectory(dir));
  PITR_RETURN_IF_ERROR(WriteFileDurably(FileSystem::Default(),
                                        JoinPath(dir, kRestoringMarker), ""));

  PITR_ASSIGN_OR_RETURN(std::vector<remote::Generation> generations,
                        remote::ListGenerations(storage));
  if (generations.empty()) {
    return absl::NotFoundError(absl::StrCat(
        storage->Describe(), " holds no store (no generations/): nothing to "
        "restore"));
  }
  const remote::Lineage lineage(generations, generations.back().number);
  PITR_ASSIGN_OR_RETURN(std::vector<remote::BackupManifest> backups,
                        remote::ListBackups(storage, lineage));
  if (backups.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        storage->Describe(), " holds no base backup of generation ",
        lineage.generation(), "'s history: a restore starts from one"));
  }
  // The newest backup that can hold the point: by LSN, or by the time it
  // was taken (everything in it committed before).
  const remote::BackupManifest* backup = nullptr;
  for (const remote::BackupManifest& b : backups) {
    if ((at.lsn && b.lsn > *at.lsn) ||
        (at.timestamp_us && b.created_us > *at.timestamp_us)) {
      break;
    }
    backup = &b;
  }
  if (backup == nullptr) {
    return absl::OutOfRangeError(absl::StrCat(
        "cannot restore to ", DescribePoint(at), ": the oldest base backup in ",
        storage->Describe(), " is at lsn ", FormatLsn(backups.front().lsn),
        ", taken ", FormatTimestampUs(backups.front().created_us)));
  }
  spdlog::info(
      "pitr: restoring {} from {} to {}: base backup at lsn {} ({} files, "
      "{} bytes)",
      dir, storage->Describe(), DescribePoint(at), FormatLsn(backup->lsn),
      backup->files.size(), backup->total_bytes());
  absl::Time last_report = absl::Now();
  PITR_RETURN_IF_ERROR(remote::DownloadBackup(
      storage, *backup, dir, [&](uint64_t done, uint64_t total) {
        if (absl::Now() - last_report < absl::Seconds(5)) return;
        last_report = absl::Now();
        spdlog::info("pitr: restore: downloaded {} of {} bytes", done, total);
      }));
  // A checkpoint carries no IDENTITY file: the restored database gets a
  // new identity when it opens, so its files are never taken for the
  // original's (remote/base_backup.h).

  const std::string wal_dir = JoinPath(dir, "wal");
  PITR_ASSIGN_OR_RETURN(
      remote::FetchedWal fetched,
      remote::FetchWal(storage, lineage.generation(), backup->applied_lsn,
                       wal_dir));
  spdlog::info("pitr: restore: fetched the WAL from lsn {} to {} ({} bytes)",
               FormatLsn(fetched.start), FormatLsn(fetched.end),
               fetched.bytes);
  PITR_ASSIGN_OR_RETURN(LogPoints points,
                        ResolveInLog(wal_dir, backup->applied_lsn, at));
  if (points.end < backup->lsn) {
    return absl::DataLossError(absl::StrCat(
        "the archived WAL of ", storage->Describe(), " ends at lsn ",
        FormatLsn(points.end), ", before the base backup's lsn ",
        FormatLsn(backup->lsn), ": WAL objects are missing"));
  }
  if ((at.lsn && *at.lsn > points.end) || points.at < backup->lsn) {
    return absl::OutOfRangeError(absl::StrCat(
        "cannot restore to ", DescribePoint(at), ": from the base backup at lsn ",
        FormatLsn(backup->lsn), " the bucket restores lsn ",
        FormatLsn(backup->lsn), " to ", FormatLsn(points.end)));
  }
  const Lsn point = options.to_end ? points.end : points.at;
  PITR_RETURN_IF_ERROR(CutLog(wal_dir, point));

  // The catalog as it stood at the point.
  PITR_ASSIGN_OR_RETURN(std::optional<remote::CatalogImageName> image_name,
                        remote::FindCatalogImage(storage, lineage, point));
  if (image_name) {
    PITR_ASSIGN_OR_RETURN(remote::CatalogImage image,
                          remote::ReadCatalogImage(storage, *image_name));
    PageStoreOptions store_options;
    store_options.dir = JoinPath(dir, "pages");
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<PageStore> store,
                          PageStore::Open(store_options));
    ArchivedCatalogStore catalog(store.get(), [point] { return point; });
    PITR_RETURN_IF_ERROR(catalog.Replace(image));
  } else {
    spdlog::warn(
        "pitr: restore: {} holds no catalog image at or before lsn {}; the "
        "catalog is the base backup's",
        storage->Describe(), FormatLsn(point));
  }

  RemoteRestoreReport report;
  report.generation = lineage.generation();
  if (!options.detached) {
    const std::string holder = remote::NewHolder();
    PITR_ASSIGN_OR_RETURN(remote::Generation generation,
                          remote::TakeOverGeneration(storage, point, holder));
    PITR_RETURN_IF_ERROR(
        remote::WriteLocalClaim(dir, {generation.number, holder}));
    report.generation = generation.number;
  }
  PITR_RETURN_IF_ERROR(
      FileSystem::Default()->DeleteFile(JoinPath(dir, kRestoringMarker)));

  report.lsn = point;
  report.backup = *backup;
  report.wal_bytes = fetched.bytes;
  report.took = absl::Now() - started;
  spdlog::info(
      "pitr: restored {} to lsn {} in {} (base backup at lsn {}, {} WAL "
      "bytes){}",
      dir, FormatLsn(point), absl::FormatDuration(report.took),
      FormatLsn(backup->lsn), fetched.bytes,
      options.detached
          ? "; detached: open it without a remote"
          : absl::StrCat("; the store now holds generation ",
                         report.generation));
  return report;
}

}  // namespace pitr
