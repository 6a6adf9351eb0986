// Retention in the bucket: which objects under a prefix no restore inside
// the store's retention can need any more. A restore to a point P needs
// the newest base backup at or before P, the archived WAL from that
// backup's applied LSN (whole segments: a fetch starts at the segment's
// header) and the newest catalog image at or before P. So for every P from
// `oldest_needed` (the oldest point any branch, snapshot or lease can
// still read) on, the bucket keeps:
//   - the newest backup at or before oldest_needed (the "base"), and every
//     later one, with every file their manifests name;
//   - the WAL pieces of the base's applied segment and after;
//   - the newest catalog image at or before the base's LSN, and after.
// Everything else of this lineage is garbage, and so is what older
// generations wrote outside it (another line of history, which no restore
// of this lineage reads), and any backup file no kept manifest names (an
// interrupted backup's). Objects of newer generations are never touched.
#ifndef PITR_REMOTE_BUCKET_RETENTION_H_
#define PITR_REMOTE_BUCKET_RETENTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/lsn.h"
#include "remote/base_backup.h"
#include "remote/lineage.h"
#include "remote/remote_storage.h"

namespace pitr::remote {

struct BucketGarbage {
  // The oldest point a restore from the bucket reaches once it is deleted
  // (the base backup's LSN; 0 without backups).
  Lsn restorable_from = 0;
  std::vector<std::string> manifests;  // delete these first
  std::vector<std::string> objects;    // then these
  uint64_t bytes = 0;                  // of both
};

// `objects`: every object under the prefix; `backups`: the lineage's
// (ListBackups, oldest first). Without backups nothing is garbage: the
// archive is then the only history there is.
BucketGarbage PlanBucketGarbage(const std::vector<ObjectInfo>& objects,
                                const std::vector<BackupManifest>& backups,
                                const Lineage& lineage, Lsn oldest_needed);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_BUCKET_RETENTION_H_
