// Backups: base backups of the store in the bucket (remote/base_backup.h),
// taken on demand and, with EngineOptions::backup_every, on a schedule by a
// thread of their own (an upload can take minutes; it must not hold up
// flushes). A backup is a RocksDB checkpoint of the page store (catalog
// included) and a copy of the commit timestamp index, uploaded
// incrementally against the newest backup of the store's history, then a
// manifest naming its LSN. Writes go on meanwhile: the checkpoint flushes
// and hard-links, the upload reads the links.
//
// After each backup, and on demand, CollectGarbage deletes from the bucket
// what no restore inside the store's retention can need any more
// (remote/bucket_retention.h): older backups, the WAL and catalog images
// before the oldest backup kept.
//
// A backup's LSN is the end of the log once the copy is complete, so
// everything in the copy happened at or before it; its manifest is written
// only once the archive holds the WAL up to that LSN, so every backup in
// the bucket can be restored from the bucket alone.
//
// Locks: run_mu_ (one backup at a time) before mu_ (the schedule's state
// and the stats). A backup takes no engine lock but the archiver's.
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_ENGINE_BACKUPS_H_
#define PITR_ENGINE_BACKUPS_H_

#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/mutex.h"
#include "base/lsn.h"
#include "remote/base_backup.h"
#include "remote/bucket_retention.h"

namespace pitr {

struct EngineCore;

struct BackupStats {
  uint64_t taken = 0;     // since open
  uint64_t failures = 0;  // since open
  // The newest backup of the store's history (as found at open, or taken
  // since); nullopt: none.
  std::optional<remote::BackupManifest> last;
  absl::Status last_error;  // of the last attempt
  // The oldest point a restore from the bucket reaches, as of the last
  // CollectGarbage (nullopt: not run yet).
  std::optional<Lsn> restorable_from;
  uint64_t garbage_objects_deleted = 0;  // since open
  // Bytes of every object under the store's prefix (WAL, catalog images,
  // backups, of every generation), at the last MeasureBucket.
  std::optional<uint64_t> bucket_bytes;
};

class Backups {
 public:
  // `core` must outlive the backups.
  explicit Backups(EngineCore* core);
  Backups(const Backups&) = delete;
  Backups& operator=(const Backups&) = delete;
  ~Backups();  // Stop()

  // Takes a base backup now and returns its manifest; if nothing was
  // written since this generation's last one, returns that one.
  // FAILED_PRECONDITION without a remote (or once the archive is fenced).
  absl::StatusOr<remote::BackupManifest> Create();
  // The backups of the store's history in the bucket, oldest first.
  absl::StatusOr<std::vector<remote::BackupManifest>> List() const;

  // Deletes from the bucket what no restore inside retention can need.
  absl::StatusOr<remote::BucketGarbage> CollectGarbage();

  // Lists the whole prefix and records its size in stats().bucket_bytes.
  absl::StatusOr<uint64_t> MeasureBucket();

  // Starts the schedule (EngineOptions::backup_every; nothing if zero).
  absl::Status Start();
  // Ends the schedule after the backup in hand. Idempotent.
  void Stop();

  BackupStats stats() const;

 private:
  void Loop(absl::Duration every);
  absl::StatusOr<remote::BackupManifest> CreateLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  absl::StatusOr<remote::BucketGarbage> CollectGarbageLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);

  EngineCore* const core_;
  Mutex run_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable Mutex mu_;
  CondVar stopping_changed_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  BackupStats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace pitr

#endif  // PITR_ENGINE_BACKUPS_H_
