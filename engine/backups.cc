#include "engine/backups.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "engine/engine_core.h"
#include "engine/recovery.h"
#include "remote/generation.h"
#include "remote/lineage.h"
#include "spdlog/spdlog.h"
#include "wal/log_format.h"

namespace pitr {

namespace {

// Where a backup is assembled, inside the data directory (hard links need
// the same file system). Removed after each backup, and before the next if
// a crash left it.
constexpr char kStagingDir[] = "backup.tmp";
// How long a backup waits for the archive to hold the WAL up to its LSN.
constexpr absl::Duration kArchiveWait = absl::Minutes(10);
// After a failed scheduled backup, the next try.
constexpr absl::Duration kRetryAfter = absl::Minutes(1);

}  // namespace

Backups::Backups(EngineCore* core) : core_(core) {}

Backups::~Backups() { Stop(); }

absl::StatusOr<std::vector<remote::BackupManifest>> Backups::List() const {
  remote::RemoteStorage* storage = core_->options.remote;
  if (storage == nullptr) {
    return absl::FailedPreconditionError(
        "the store has no remote: start pitrd with --remote to keep backups");
  }
  if (core_->replica()) {
    // The primary's: the newest generation's line of history.
    PITR_ASSIGN_OR_RETURN(std::vector<remote::Generation> generations,
                          remote::ListGenerations(storage));
    if (generations.empty()) return std::vector<remote::BackupManifest>();
    return remote::ListBackups(
        storage, remote::Lineage(generations, generations.back().number));
  }
  PITR_ASSIGN_OR_RETURN(remote::Lineage lineage,
                        remote::Lineage::Of(storage, core_->generation()));
  return remote::ListBackups(storage, lineage);
}

absl::StatusOr<remote::BackupManifest> Backups::Create() {
  PITR_RETURN_IF_ERROR(core_->CheckWritable());
  MutexLock run(&run_mu_);
  absl::StatusOr<remote::BackupManifest> made = CreateLocked();
  {
    MutexLock l(&mu_);
    stats_.last_error = made.status();
    if (made.ok()) {
      ++stats_.taken;
      stats_.last = *made;
    } else {
      ++stats_.failures;
    }
  }
  if (made.ok()) {
    // A new backup may leave older ones unneeded.
    absl::StatusOr<remote::BucketGarbage> collected = CollectGarbageLocked();
    if (!collected.ok()) {
      spdlog::error("pitr: cleaning the bucket after the backup: {}",
                    collected.status().ToString());
    }
  }
  return made;
}

absl::StatusOr<remote::BucketGarbage> Backups::CollectGarbage() {
  MutexLock run(&run_mu_);
  return CollectGarbageLocked();
}

absl::StatusOr<remote::BucketGarbage> Backups::CollectGarbageLocked() {
  PITR_ASSIGN_OR_RETURN(std::vector<remote::BackupManifest> backups, List());
  // The oldest point any branch, snapshot or lease can read.
  PITR_ASSIGN_OR_RETURN(GarbageCollector::Plan plan,
                        core_->gc.PlanAndPublish());
  Lsn oldest_needed = core_->latest_lsn.load();
  for (const auto& [branch, floor] : plan.floors) {
    oldest_needed = std::min(oldest_needed, floor);
  }
  for (const auto& [timeline, horizon] : plan.horizons) {
    oldest_needed = std::min(oldest_needed, horizon);
  }
  remote::RemoteStorage* storage = core_->options.remote;
  PITR_ASSIGN_OR_RETURN(std::vector<remote::ObjectInfo> objects,
                        storage->List(""));
  PITR_ASSIGN_OR_RETURN(remote::Lineage lineage,
                        remote::Lineage::Of(storage, core_->generation()));
  remote::BucketGarbage garbage =
      remote::PlanBucketGarbage(objects, backups, lineage, oldest_needed);
  if (!garbage.manifests.empty() || !garbage.objects.empty()) {
    // Never delete once another pitrd took the prefix over.
    PITR_RETURN_IF_ERROR(remote::CheckStillNewest(storage, core_->generation()));
    // Manifests first: a backup stops existing before its files go.
    PITR_RETURN_IF_ERROR(storage->DeleteBatch(garbage.manifests));
    PITR_RETURN_IF_ERROR(storage->DeleteBatch(garbage.objects));
    spdlog::info(
        "pitr: deleted {} objects ({} bytes, {} backups) from {} that no "
        "restore inside retention needs (oldest needed lsn {}); restores "
        "reach back to lsn {}",
        garbage.manifests.size() + garbage.objects.size(), garbage.bytes,
        garbage.manifests.size(), storage->Describe(),
        FormatLsn(oldest_needed), FormatLsn(garbage.restorable_from));
  }
  MutexLock l(&mu_);
  stats_.restorable_from = garbage.restorable_from;
  stats_.garbage_objects_deleted +=
      garbage.manifests.size() + garbage.objects.size();
  return garbage;
}

absl::StatusOr<remote::BackupManifest> Backups::CreateLocked() {
  PITR_ASSIGN_OR_RETURN(std::vector<remote::BackupManifest> existing, List());
  // Nothing was written since the last backup of this generation: it is
  // this one (its name would be the same).
  if (!existing.empty() && existing.back().generation == core_->generation() &&
      existing.back().lsn == core_->latest_lsn.load()) {
    spdlog::info("pitr: no write since the backup at lsn {}: keeping it",
                 FormatLsn(existing.back().lsn));
    return existing.back();
  }
  const absl::Time started = absl::Now();
  const std::string staging = JoinPath(core_->options.dir, kStagingDir);
  PITR_RETURN_IF_ERROR(RemoveTree(staging));
  PITR_RETURN_IF_ERROR(FileSystem::Default()->CreateDirs(staging));

  remote::BackupSource source;
  source.dir = staging;
  source.generation = core_->generation();
  // The live applied LSN before the checkpoint is at most the copy's.
  PITR_ASSIGN_OR_RETURN(source.applied_lsn, AppliedLsn(*core_->store));
  PITR_ASSIGN_OR_RETURN(std::vector<std::string> pages,
                        core_->store->Checkpoint(JoinPath(staging, "pages")));
  for (const std::string& file : pages) {
    source.paths.push_back(JoinPath("pages", file));
  }
  // The timestamp index outlives WAL trimming: it is how times before the
  // archived WAL resolve. Copied after the checkpoint, it covers it.
  const std::string index =
      JoinPath(JoinPath(core_->options.dir, "wal"), log_format::kIndexFileName);
  PITR_RETURN_IF_ERROR(
      FileSystem::Default()->CreateDirs(JoinPath(staging, "wal")));
  std::error_code error;
  std::filesystem::copy_file(
      index, JoinPath(JoinPath(staging, "wal"), log_format::kIndexFileName),
      error);
  if (error) {
    return absl::InternalError(absl::StrCat("copying the timestamp index ",
                                            index, ": ", error.message()));
  }
  source.paths.push_back(JoinPath("wal", log_format::kIndexFileName));
  source.lsn = core_->latest_lsn.load();
  PITR_ASSIGN_OR_RETURN(source.identity, core_->store->Identity());
  PITR_RETURN_IF_ERROR(core_->archiver()->WaitArchived(
      source.lsn, absl::Now() + kArchiveWait));

  absl::Time last_report = absl::Now();
  PITR_ASSIGN_OR_RETURN(
      remote::BackupManifest manifest,
      remote::UploadBackup(
          core_->options.remote, source,
          existing.empty() ? nullptr : &existing.back(),
          [&](uint64_t done, uint64_t total) {
            if (absl::Now() - last_report < absl::Seconds(5)) return;
            last_report = absl::Now();
            spdlog::info("pitr: backup at lsn {}: uploaded {} of {} bytes",
                         FormatLsn(source.lsn), done, total);
          }));
  PITR_RETURN_IF_ERROR(RemoveTree(staging));
  spdlog::info(
      "pitr: backup at lsn {} in {} ({} files, {} bytes, {} of them new) "
      "in {}",
      FormatLsn(manifest.lsn), core_->options.remote->Describe(),
      manifest.files.size(), manifest.total_bytes(), manifest.new_bytes,
      absl::FormatDuration(absl::Now() - started));
  return manifest;
}

absl::StatusOr<uint64_t> Backups::MeasureBucket() {
  if (core_->archiver() == nullptr) {
    return absl::FailedPreconditionError("the store has no remote");
  }
  PITR_ASSIGN_OR_RETURN(std::vector<remote::ObjectInfo> objects,
                        core_->options.remote->List(""));
  uint64_t bytes = 0;
  for (const remote::ObjectInfo& object : objects) bytes += object.size;
  MutexLock l(&mu_);
  stats_.bucket_bytes = bytes;
  return bytes;
}

absl::Status Backups::Start() {
  const absl::Duration every = core_->options.backup_every;
  if (every <= absl::ZeroDuration() || core_->archiver() == nullptr) {
    return absl::OkStatus();
  }
  PITR_ASSIGN_OR_RETURN(std::vector<remote::BackupManifest> existing, List());
  {
    MutexLock l(&mu_);
    if (!existing.empty()) stats_.last = existing.back();
  }
  thread_ = std::thread([this, every] { Loop(every); });
  return absl::OkStatus();
}

void Backups::Stop() {
  {
    MutexLock l(&mu_);
    stopping_ = true;
    stopping_changed_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

BackupStats Backups::stats() const {
  MutexLock l(&mu_);
  return stats_;
}

void Backups::Loop(absl::Duration every) {
  while (true) {
    {
      MutexLock l(&mu_);
      absl::Time due = absl::Now();
      if (!stats_.last_error.ok()) {
        due += kRetryAfter;
      } else if (stats_.last) {
        due = absl::FromUnixMicros(stats_.last->created_us) + every;
      }
      while (!stopping_ && !stopping_changed_.WaitWithDeadline(&mu_, due)) {
      }
      if (stopping_) return;
    }
    absl::StatusOr<remote::BackupManifest> made = Create();
    if (!made.ok()) {
      spdlog::error("pitr: scheduled backup failed (next try in {}): {}",
                    absl::FormatDuration(kRetryAfter),
                    made.status().ToString());
    }
  }
}

}  // namespace pitr
