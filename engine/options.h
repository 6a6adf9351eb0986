// EngineOptions: how an engine is opened (Engine::Open). Every field has a
// default that suits a server; tests shrink the sizes and periods.
#ifndef PITR_ENGINE_OPTIONS_H_
#define PITR_ENGINE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "branch/catalog.h"
#include "wal/wal.h"

namespace pitr {

namespace remote {
class RemoteStorage;
}  // namespace remote

struct EngineOptions {
  // Data directory: the WAL in dir/wal, the page store in dir/pages.
  // Created if missing.
  std::string dir;
  // Page size in bytes, fixed when the store is created: a power of two from
  // 512 to 65536. 0 means 8192 for a new store, and whatever the store has
  // for an existing one (a different non-zero value is refused).
  uint32_t page_size = 0;

  // WAL.
  uint64_t wal_segment_size = 64 << 20;
  SyncPolicy sync = SyncPolicy::kEveryBatch;

  // In-memory layer: each memtable holds up to memtable_bytes; at most
  // max_memtables exist (the one being written and those waiting to be
  // flushed), after which appends slow down until flushing catches up.
  size_t memtable_bytes = 64 << 20;
  int max_memtables = 4;
  // A flush also happens when the oldest unflushed batch is this old, or
  // when the WAL holds this many bytes that are not flushed yet (which bounds
  // the replay after a crash).
  absl::Duration flush_age = absl::Seconds(60);
  uint64_t flush_wal_bytes = 256 << 20;

  // Cache of hot blocks and page images.
  size_t cache_bytes = 256 << 20;
  // Pages recent reads returned, kept whole (engine/hot_pages.h): a read of
  // a hot page then skips the page store. 0: none kept.
  size_t hot_page_bytes = 64 << 20;
  // Page images in RocksDB blob files (less write amplification).
  bool blob_files = true;
  // Materialise an image after this many deltas on a page.
  uint32_t image_after_deltas = 16;
  // History kept readable on branches that set no retention of their own,
  // until a default is set with Engine::SetDefaultRetention (which the
  // store keeps, and which then applies instead).
  Retention default_retention{absl::Hours(24 * 7), std::nullopt};
  // How often the background runs GC (absl::InfiniteDuration(): never; GC
  // then runs only when asked, Engine::gc().Run).
  absl::Duration gc_period = absl::Minutes(10);

  // Images waiting to be materialised, at most (more are dropped; the page
  // is picked up again after its next image_after_deltas deltas).
  size_t max_pending_images = 100000;
  // Append refuses a batch whose commit time is more than this ahead of
  // the machine's clock (a clock far in the future would stamp every later
  // commit with that time: timestamps never decrease). Infinite: no limit.
  absl::Duration max_clock_skew = absl::Minutes(1);
  // How often background work looks for something to do.
  absl::Duration maintenance_interval = absl::Milliseconds(100);

  // Object storage that keeps the history off this machine
  // (docs/bucket-format.md), or nullptr for none; it must outlive the
  // engine. At open the engine claims the next generation of the prefix
  // (remote/generation.h; recorded in dir/remote_generation first) and
  // starts archiving the WAL (remote/wal_archiver.h). The WAL is never
  // trimmed past what is archived.
  remote::RemoteStorage* remote = nullptr;
  // A batch reaches object storage within about this of its commit.
  absl::Duration archive_delay = absl::Seconds(1);
  // Append returns only once its batch is in object storage too. If it is
  // not there after archive_sync_timeout, Append fails with
  // DEADLINE_EXCEEDED saying so: the batch is committed on this machine
  // (readable, durable) and still goes to object storage when it can.
  bool archive_sync = false;
  absl::Duration archive_sync_timeout = absl::Seconds(30);
  // With `remote`: how much of each branch's past the local disk keeps
  // (engine/cold_history.h). Older history inside the retention windows is
  // then only in the bucket and read from there, through a local cache of
  // at most remote_cache_bytes; the disk keeps at least the history since
  // the newest base backup. Infinite: all of it is kept locally.
  absl::Duration local_history = absl::InfiniteDuration();
  uint64_t remote_cache_bytes = uint64_t{1} << 30;
  // Set: the store is a read replica of the pitrd at this address
  // (engine/replication.h), restored from its bucket (`remote`, which the
  // replica reads but never writes until Engine::Promote). Empty: a
  // primary. A data directory that was opened as a replica stays one
  // until promoted.
  std::string replica_of;
  // With `remote`: a base backup (engine/backups.h) this long after the
  // last one of the store's history, and at once if it has none. Zero: only
  // on demand (Backups::Create).
  absl::Duration backup_every = absl::ZeroDuration();
};

}  // namespace pitr

#endif  // PITR_ENGINE_OPTIONS_H_
