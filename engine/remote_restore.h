// RestoreFromRemote: rebuilds a whole store (pages, every branch, snapshot,
// schedule and retention setting) in an empty data directory from the
// bucket alone, at the latest archived point or at a chosen point of the
// newest generation's history:
//
//   1. the newest base backup at or before the point is downloaded
//      (remote/base_backup.h), every object's checksum checked;
//   2. the archived WAL from the backup's applied LSN is fetched
//      (remote/wal_fetch.h) and cut at the point (a batch boundary: a
//      point inside a batch restores to the batch before);
//   3. the catalog is set to the bucket's image at the point
//      (remote/catalog_archive.h);
//   4. unless the restore is detached, the prefix is taken over: a new
//      generation starting at the point (remote/generation.h), so the store
//      that wrote it before, if it still runs, is fenced. A detached
//      restore changes nothing in the bucket: the way to test restores
//      while the store runs; it opens without a remote.
// Engine::Open then replays the WAL from the backup to the point, as after
// a crash, and the store reads exactly what the original read there.
//
// While it runs, the directory holds a file RESTORING; a restore that was
// interrupted is started over by the next one, and Engine::Open refuses
// such a directory.
#ifndef PITR_ENGINE_REMOTE_RESTORE_H_
#define PITR_ENGINE_REMOTE_RESTORE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "base/lsn.h"
#include "engine/point_in_time.h"
#include "remote/base_backup.h"
#include "remote/remote_storage.h"

namespace pitr {

// The marker of a restore in progress, in the data directory.
inline constexpr char kRestoringMarker[] = "RESTORING";

struct RemoteRestoreReport {
  Lsn lsn = 0;              // the point restored to
  // The generation the store now holds (detached: the one restored from).
  uint64_t generation = 0;
  remote::BackupManifest backup;  // the base backup it started from
  uint64_t wal_bytes = 0;         // of archived WAL fetched
  absl::Duration took;
};

struct RemoteRestoreOptions {
  // An LSN or a time, or neither for the latest archived point.
  PointInTime at;
  bool detached = false;
  // Start from the newest backup at or before `at`, but keep the archived
  // WAL to its end (and the catalog of the end): a store that reads every
  // point from `at` to the end of the archive (how cold history is read,
  // engine/cold_history.h). Detached only.
  bool to_end = false;
};

// FAILED_PRECONDITION if `dir` holds anything but an interrupted
// restore; NOT_FOUND if the bucket holds no store; OUT_OF_RANGE naming the
// restorable range if the point is outside it; DATA_LOSS naming the object
// if one is missing or damaged.
absl::StatusOr<RemoteRestoreReport> RestoreFromRemote(
    remote::RemoteStorage* storage, const std::string& dir,
    const RemoteRestoreOptions& options);

}  // namespace pitr

#endif  // PITR_ENGINE_REMOTE_RESTORE_H_
