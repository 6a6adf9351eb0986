// Read replicas, from the engine's side. A replica is a store that copies
// another pitrd's (its primary's) history exactly:
//
// - It starts as a restore of the primary's bucket (engine/remote_restore.h,
//   detached), then takes each batch the primary commits through
//   Engine::ApplyReplicated, which appends it to the replica's own WAL at
//   the same LSN, with the same commit time and in the same segment as on
//   the primary (wal.h, SegmentRoll). Both logs are then the same bytes,
//   and every read at an LSN answers as the primary's does.
// - The catalog (branches, snapshots, schedules, retention) is not in the
//   WAL: the primary's whole catalog comes in as an image
//   (remote/catalog_archive.h) through Engine::ApplyCatalogImage, once the
//   replica holds the batches up to the image's LSN.
// - Nothing else changes it: every write call fails with FAILED_PRECONDITION
//   naming the primary, and neither snapshot schedules nor expiry nor
//   backups nor archiving run. GC runs, but deletes only what the primary
//   has already given up (its GC horizons, recorded in its catalog), never
//   more, so no point the primary still serves is lost here.
// - The data directory holds the file REPLICA (the primary's address):
//   opening it as a primary is refused until it is promoted.
//
// Promotion (Engine::Promote) turns the replica into a primary once the old
// one is gone: it applies whatever the bucket holds past its log (batches
// the old primary archived but did not stream), takes the bucket over (a
// new generation: the old primary, if it comes back, can no longer write
// or delete there; remote/generation.h), and starts archiving, backups,
// schedules and GC as a primary does. The new generation begins where the
// archive ended, so the batches the replica received but the bucket never
// got are archived by the new primary.
#ifndef PITR_ENGINE_REPLICATION_H_
#define PITR_ENGINE_REPLICATION_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "base/lsn.h"
#include "remote/catalog_archive.h"

namespace pitr {

// The marker of a replica in its data directory.
inline constexpr char kReplicaMarker[] = "REPLICA";

// Catalog changes, as Engine::CatalogChangesSince gives them.
struct CatalogChanges {
  uint64_t through = 0;  // the count of changes they bring the reader to
  bool complete = true;  // every change is there, else only the last state
  std::vector<remote::CatalogImage> images;
};

// What Engine::CatchUpFromArchive applied.
struct ArchiveCatchUp {
  uint64_t batches = 0;
  Lsn from = 0;  // the replica's log ended here
  Lsn to = 0;    // and now ends here
};

// What Engine::Promote did.
struct PromoteReport {
  ArchiveCatchUp caught_up;  // from the bucket, before taking it over
  Lsn lsn = 0;               // the end of the log when it became primary
  uint64_t generation = 0;   // the generation it now writes with
  Lsn generation_start = 0;  // where the archive ended (the new one begins)
  absl::Duration took;
};

}  // namespace pitr

#endif  // PITR_ENGINE_REPLICATION_H_
