// ReplicationSource: what a primary sends one read replica, in the order
// the replica must apply it (replication.h): the committed batches from
// the replica's position, each saying whether it began a segment, and the
// catalog's changes, each just before the first batch that follows it in
// the log (a branch's timeline exists on the replica before the batches
// that write it). pitrd's replication stream (server/replication_service.h)
// sends one message per event.
//
// A stream that starts sends first the newest catalog change at or before
// its position; if the store no longer holds every change the replica
// missed (ArchivedCatalogStore::kKeptChanges), it sends the catalog as it
// is now, at once.
//
// Not thread-safe; must not outlive its engine.
#ifndef PITR_ENGINE_REPLICATION_SOURCE_H_
#define PITR_ENGINE_REPLICATION_SOURCE_H_

#include <cstdint>
#include <deque>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/lsn.h"
#include "engine/engine.h"
#include "remote/catalog_archive.h"
#include "wal/record.h"
#include "wal/wal.h"

namespace pitr {

struct ReplicationEvent {
  enum class Kind { kBatch, kCatalog };
  Kind kind = Kind::kBatch;
  CommittedBatch batch;         // kBatch
  bool starts_segment = false;  // kBatch: it began a segment
  remote::CatalogImage catalog;  // kCatalog
};

class ReplicationSource {
 public:
  // From `from`, a batch boundary the log still holds (OUT_OF_RANGE below
  // the oldest, naming it).
  static absl::StatusOr<std::unique_ptr<ReplicationSource>> Start(
      Engine* engine, Lsn from);

  // Sets *event to the next event and returns true, or returns false once
  // everything committed so far was sent (then WaitForMore).
  absl::StatusOr<bool> Next(ReplicationEvent* event);
  // Blocks until a batch past position() is committed (OK), the deadline
  // passes (DEADLINE_EXCEEDED) or the store closes (CANCELLED).
  absl::Status WaitForMore(absl::Time deadline);

  // Where the next batch starts.
  Lsn position() const { return reader_->position(); }

 private:
  ReplicationSource(Engine* engine, std::unique_ptr<WalReader> reader)
      : engine_(engine), reader_(std::move(reader)) {}
  // Queues the catalog changes made since the last look.
  absl::Status Refresh();

  Engine* const engine_;
  const std::unique_ptr<WalReader> reader_;
  uint64_t changes_seen_ = 0;
  std::deque<remote::CatalogImage> pending_;  // changes not sent, in order
  bool send_at_once_ = false;  // pending_.front() goes before any batch
  // A batch read, not sent yet.
  bool holds_batch_ = false;
  CommittedBatch held_;
  bool held_starts_segment_ = false;
};

}  // namespace pitr

#endif  // PITR_ENGINE_REPLICATION_SOURCE_H_
