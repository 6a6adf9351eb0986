// PageStore: the persistent layers of the page store, in RocksDB, and the
// reads that reconstruct a page from them.
//
// RocksDB's memtable is the in-memory layer: writes land there (RocksDB's
// own WAL is off; pitr's WAL is the log) and become visible at once; full
// memtables are frozen and flushed in the background into SST files, the
// delta and image layers. Page images go to RocksDB blob files, so
// compaction moves only keys and small deltas. Key layout: store_keys.h.
//
// Thread-safety: reads from any thread. Writes are serialised by an
// internal mutex, so RocksDB never sees two writers at once.
#ifndef PITR_ENGINE_PAGE_STORE_H_
#define PITR_ENGINE_PAGE_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/mutex.h"
#include "branch/catalog.h"
#include "branch/catalog_store.h"
#include "engine/iterator_pool.h"
#include "engine/store_keys.h"
#include "rocksdb/db.h"
#include "wal/record.h"

namespace pitr {

struct PageStoreOptions {
  std::string dir;
  size_t memtable_bytes = 64 << 20;
  int max_memtables = 4;  // memory bound; writes stall beyond it
  size_t cache_bytes = 256 << 20;
  bool blob_files = true;
};

// What a page read found.
struct PageRead {
  std::optional<std::string> page;  // nullopt: the page does not exist
  int deltas_applied = 0;           // the length of the delta chain walked
};

class PageStore : public CatalogStore {
 public:
  static absl::StatusOr<std::unique_ptr<PageStore>> Open(
      const PageStoreOptions& options);

  PageStore(const PageStore&) = delete;
  PageStore& operator=(const PageStore&) = delete;
  ~PageStore();

  // Applies batch atomically (not synced: durability comes from the WAL
  // until Flush).
  absl::Status Write(rocksdb::WriteBatch* batch);
  // Persists every memtable to SST files and waits for it.
  absl::Status Flush();

  // CatalogStore: catalog records are written through RocksDB's own WAL,
  // synced, so they are durable at once (page data is not: pitr's WAL
  // covers it until a flush).
  absl::Status Commit(
      const std::vector<std::pair<std::string, std::string>>& puts,
      const std::vector<std::string>& deletes) override;
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      absl::string_view prefix) const override;

  // Where one step of a read looks: versions of `timeline` up to `as_of`,
  // except those at or before `truncated_at` (the page was truncated there
  // on this timeline, which also hides every older step).
  struct Step {
    TimelineId timeline;
    store_keys::Position as_of;
    std::optional<store_keys::Position> truncated_at;
  };

  // The page as of the end of `path` (a timeline and its ancestors, newest
  // first): the newest image along the path plus the deltas after it,
  // applied in order. A page with deltas but no image starts from zeros.
  // REQUIRES: page_size > 0.
  absl::StatusOr<PageRead> ReadPage(PageKey key, const std::vector<Step>& path,
                                    uint32_t page_size) const;

  // How many deltas a read at the end of `path` would walk before an image,
  // counting no further than `cap` (truncations are not considered, so
  // this may count more than a read walks). Reads keys only.
  absl::StatusOr<uint32_t> ChainLength(PageKey key,
                                       const std::vector<ReadStep>& path,
                                       uint32_t cap) const;

  // The size of the space at the first step of `path` that has a size
  // event (0 if none has: the space never had a page).
  absl::StatusOr<uint32_t> SpaceSize(uint32_t space,
                                     const std::vector<ReadStep>& path) const;

  // The last truncation of key.space at or before `as_of` that removed
  // key.page, if any.
  absl::StatusOr<std::optional<store_keys::Position>> LastTruncationOf(
      TimelineId timeline, PageKey key, store_keys::Position as_of) const;

  // Enumeration, for exports (one seek each, constant memory). NextSpace:
  // the first space >= from with a size event on a timeline of `path`.
  // NextPage: the first page >= from of `space` with a version on any
  // timeline. nullopt: there is none.
  absl::StatusOr<std::optional<uint32_t>> NextSpace(
      const std::vector<ReadStep>& path, uint32_t from) const;
  absl::StatusOr<std::optional<uint32_t>> NextPage(uint32_t space,
                                                   uint32_t from) const;

  // Every (timeline, space) that has ever been truncated.
  absl::StatusOr<std::vector<std::pair<TimelineId, uint32_t>>> TruncatedSpaces()
      const;

  // Rewrites format 1's version keys ('v', oldest first) as format 2's
  // ('V', newest first), in batches that each put the new keys and delete
  // the old ones, and calls progress(keys rewritten so far) after each.
  // Resumable: after a crash some keys are rewritten, and the next call
  // rewrites the rest.
  absl::Status RewriteVersionKeysV1(
      const std::function<void(uint64_t)>& progress);

  // Calls fn with every page version key, in key order (all versions of a
  // page, timeline by timeline, the newest timeline and the newest version
  // first), until fn returns false.
  // Does not fill the cache.
  absl::Status ForEachVersion(
      const std::function<bool(const store_keys::ParsedVersionKey&,
                               absl::string_view key)>& fn) const;
  // Key and value bytes of the page store's records, by the timeline they
  // belong to: versions, size and truncation events (docs/storage-format.md,
  // "Keys"). Counts what RocksDB holds before compression and file
  // overhead, as of one consistent view. One pass over every record, with
  // no cache fill; RocksDB 7.8's iterator loads each blob value (page
  // image) it lands on, so this reads the whole store.
  struct TimelineBytes {
    std::map<TimelineId, uint64_t> by_timeline;
    uint64_t other = 0;  // catalog and metadata records
    uint64_t records = 0;
  };
  // `cancelled` (if set) is asked every few thousand records; CANCELLED
  // once it says true.
  absl::StatusOr<TimelineBytes> MeasureTimelines(
      const std::function<bool()>& cancelled = nullptr) const;
  // Deletes the size and truncation events, page changes and head of a
  // timeline.
  absl::Status DeleteTimelineRecords(TimelineId timeline);
  // Calls fn with each page changed on `timeline` at a position in
  // (after, up_to] (commit LSNs), oldest first, from the change keys
  // (store_keys::ChangeKey): its cost is that of the changes in the range.
  absl::Status ForEachChange(TimelineId timeline, Lsn after, Lsn up_to,
                             const std::function<void(PageKey)>& fn) const;
  // The truncations on `timeline` at commit LSNs in (after, up_to]: space
  // and the page count it was cut to.
  absl::StatusOr<std::vector<std::pair<uint32_t, uint32_t>>> Truncations(
      TimelineId timeline, Lsn after, Lsn up_to) const;
  // The head of every timeline that has one (store_keys::HeadKey).
  absl::StatusOr<std::map<TimelineId, Lsn>> TimelineHeads() const;
  // Compacts everything, forcing blob garbage collection, so the space of
  // deleted versions returns to the file system now.
  absl::Status CompactAll();

  absl::StatusOr<std::optional<std::string>> GetMeta(
      absl::string_view name) const;

  // Writes a consistent copy of the store into `dir` (which must not
  // exist): memtables are flushed, then the live SST and blob files are
  // hard-linked and the rest copied. Writes go on meanwhile. Returns the
  // copy's files, relative to `dir`.
  absl::StatusOr<std::vector<std::string>> Checkpoint(const std::string& dir);
  // The database's RocksDB identity (its IDENTITY file): unique to it.
  absl::StatusOr<std::string> Identity() const;

  // On-disk size of the live SST and blob files.
  uint64_t LiveBytes() const;
  // RocksDB's estimate of the number of keys (mostly page versions):
  // cheap, and rough (deletes and overwrites are not netted out).
  uint64_t EstimatedKeys() const;
  // Memory held by memtables (the one written and those awaiting flush).
  uint64_t InMemoryBytes() const;
  // Key and value bytes of every catalog change committed since open.
  uint64_t CatalogBytesWritten() const { return catalog_bytes_.load(); }

 private:
  explicit PageStore(std::unique_ptr<rocksdb::DB> db);

  // Calls visit(version key, value) for the versions of `key` along `path`,
  // newest first, honouring each step's truncation, until visit returns
  // false.
  absl::Status WalkBack(
      PageKey key, const std::vector<Step>& path, rocksdb::Iterator* it,
      const std::function<bool(const store_keys::ParsedVersionKey&,
                               absl::string_view value)>& visit) const;

  // Idle iterators kept for page reads: enough for every reading thread of
  // a busy server.
  static constexpr size_t kPooledIterators = 16;

  const std::unique_ptr<rocksdb::DB> db_;
  mutable IteratorPool read_iterators_;
  std::atomic<uint64_t> catalog_bytes_{0};
  Mutex write_mu_;
};

// Turns a RocksDB status into an absl::Status with the same meaning.
absl::Status FromRocksDb(const rocksdb::Status& status, absl::string_view what);

}  // namespace pitr

#endif  // PITR_ENGINE_PAGE_STORE_H_
