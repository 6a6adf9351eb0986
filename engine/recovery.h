// Recovery: what opening a store does to bring the page store up to the
// WAL after a restart or a crash.
//
// Every page store write records `applied_lsn`, the WAL prefix it holds
// (docs/storage-format.md, "Metadata"). Whatever RocksDB recovered, the WAL
// must still hold everything after it (a flush trims the WAL only below
// what it made durable); replaying from there through the Applier is
// idempotent, so the store then reads exactly as before the crash, up to
// the last acknowledged batch.
//
// Thread-safety: for Engine::Open, before any other thread uses the store.
#ifndef PITR_ENGINE_RECOVERY_H_
#define PITR_ENGINE_RECOVERY_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "base/lsn.h"
#include "branch/catalog.h"
#include "engine/applier.h"
#include "engine/page_store.h"
#include "wal/wal.h"

namespace pitr {

// The WAL prefix the page store holds (0 for a new store); DATA_LOSS if the
// record is malformed.
absl::StatusOr<Lsn> AppliedLsn(const PageStore& store);

// OK if the WAL covers everything after `applied` (the store and the log
// belong together); DATA_LOSS naming both ranges otherwise.
absl::Status CheckWalCoversStore(Lsn applied, const Wal& wal);

// Replays every batch of the WAL after `applied` through `applier`, logging
// progress every few seconds; returns how many batches it replayed. A batch
// of a timeline the catalog no longer knows (GC collected it on purpose)
// moves applied_lsn on and writes nothing else.
absl::StatusOr<uint64_t> ReplayWal(Wal* wal, Lsn applied,
                                   const Catalog& catalog, Applier* applier);

}  // namespace pitr

#endif  // PITR_ENGINE_RECOVERY_H_
