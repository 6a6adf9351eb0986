// DbFile: the main database file of one SQLite connection on the pitr VFS,
// in terms of SQLite's file operations but free of SQLite's types (the VFS
// glue in vfs.cc maps its statuses to SQLite result codes).
//
// Transactions follow SQLite's locks. Taking SHARED from NONE starts a
// transaction: its read point (every page is read as of that LSN) is where
// the branch stands, and the page cache kept from earlier transactions is
// revalidated against it. Both come from the file's ChangeWatch while its
// lease holds, with no round trip; otherwise from GetChanges.
// Taking RESERVED checks again that the database has not changed since
// (ABORTED if it has; commits to other databases of the branch only move
// the read point forward, see Rebase). Writes go to a WriteBuffer that reads
// see first; Commit (xSync, SQLITE_FCNTL_COMMIT_ATOMIC_WRITE, or at the latest
// dropping from RESERVED+ to SHARED or NONE) appends them as one WAL batch
// conditional on the read point. A refused commit (ABORTED: another writer
// committed first) makes the transaction doomed: its later writes can only
// restore the read point's contents (SQLite's rollback), and a commit of
// anything else is refused again.
//
// Opened with a point (`at`), the file is read-only as of that point.
//
// Statuses: ABORTED (SQLITE_BUSY), PERMISSION_DENIED (read-only),
// INVALID_ARGUMENT (a write that is not one whole page), others from the
// server (UNAVAILABLE when it is down).
//
// Thread-compatible: SQLite uses a file from one connection at a time.
#ifndef PITR_CLIENTS_SQLITE_DB_FILE_H_
#define PITR_CLIENTS_SQLITE_DB_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/sqlite/change_watch.h"
#include "clients/sqlite/page_cache.h"
#include "clients/sqlite/remote_db.h"
#include "clients/sqlite/write_buffer.h"
#include "proto/resources.pb.h"

namespace pitr::sqlite {

// SQLite's lock levels (SQLITE_LOCK_*), same values.
enum class LockLevel {
  kNone = 0,
  kShared = 1,
  kReserved = 2,
  kPending = 3,
  kExclusive = 4
};

struct DbFileOptions {
  // Set: read-only as of this point.
  std::optional<v1::PointInTime> at;
  // Pages the cache keeps between transactions (OpenOptions' default).
  size_t cache_pages = 4096;
  // Pages a sequential read fetches in one GetPages (at most half the
  // cache).
  uint32_t read_ahead_pages = 32;
};

// What a DbFile has done since it was opened (pitr_stats()).
struct DbFileStats {
  uint64_t transactions = 0;       // read points fixed
  uint64_t watched = 0;            // ...from the watch, with no round trip
  uint64_t page_reads = 0;         // pages SQLite read (from any source)
  uint64_t cache_hits = 0;         // ...found in the page cache
  uint64_t fetches = 0;            // GetPages calls
  uint64_t pages_fetched = 0;      // pages they returned (read-ahead too)
  uint64_t pages_invalidated = 0;  // cached pages GetChanges dropped
  uint64_t commits = 0;            // batches appended
  uint64_t conflicts = 0;          // transactions refused: the branch moved
};

class DbFile {
 public:
  // Fixes the first read point and checks that an existing database has
  // the store's page size (FAILED_PRECONDITION naming both sizes).
  static absl::StatusOr<std::unique_ptr<DbFile>> Open(
      std::unique_ptr<RemoteDb> db, const DbFileOptions& options);

  DbFile(const DbFile&) = delete;
  DbFile& operator=(const DbFile&) = delete;

  RemoteDb& db() { return *db_; }
  bool read_only() const { return read_only_; }
  uint32_t page_size() const { return db_->page_size(); }

  absl::Status Lock(LockLevel level);
  absl::Status Unlock(LockLevel level);

  // Reads `n` bytes at `offset`; bytes past the end of the file are zeros
  // and set *short_read.
  absl::Status Read(uint64_t offset, char* out, size_t n, bool* short_read);
  // Writes one whole page. REQUIRES: RESERVED or more.
  absl::Status Write(uint64_t offset, const char* data, size_t n);
  absl::Status Truncate(uint64_t size);
  absl::StatusOr<uint64_t> Size();

  // Appends the buffered writes (if any change anything) as one batch.
  absl::Status Commit();
  // Drops the buffered writes (SQLITE_FCNTL_ROLLBACK_ATOMIC_WRITE).
  void Rollback();

  // The read point: the transaction's, or else the branch's position now.
  absl::StatusOr<v1::BranchPosition> Position();

  const DbFileStats& stats() const { return stats_; }

 private:
  DbFile(std::unique_ptr<RemoteDb> db, const DbFileOptions& options);

  // Starts a transaction at the branch's position now.
  absl::Status Begin();
  // Outside a transaction, moves the read point to the branch's position.
  absl::Status Refresh();
  // Moves the read point to the branch's position now if no page of this
  // database changed since it (commits to other databases of the branch):
  // what the transaction read is the same there. False if the database
  // changed (or the branch was restored). `ask_server`: not from the watch
  // (which may not have the change that just refused a commit yet).
  absl::StatusOr<bool> Rebase(bool ask_server);
  // Where the branch stands and what changed since cache_position_: from
  // the watch if its lease holds (then *watched) and `ask_server` is false,
  // else from GetChanges. *through: the watch's spans this covers, to
  // Consume once applied.
  absl::StatusOr<RemoteDb::Changes> ChangesSinceCache(bool ask_server,
                                                      uint64_t* through,
                                                      bool* watched);
  // The changes have been applied to the cache: the watch's spans through
  // `through` are no longer needed, nor the record of own commits.
  void Consumed(uint64_t through);
  // (Re)starts the watch if it is not running, unless the server cannot
  // watch (a replica), it was (re)started less than a second ago, or the
  // file has not yet begun its second transaction after the one that
  // opened it: a connection that opens, runs one statement and closes
  // would pay for starting a watch and never use it.
  void KeepWatching();
  // The page as the transaction sees it; nullptr past the end of the file.
  absl::StatusOr<const std::string*> Page(uint32_t page);
  // Reads `page` (and, on a sequential scan, the pages after it) from the
  // server into the cache.
  absl::Status Fetch(uint32_t page);
  // Drops buffered writes that leave a page as the read point has it.
  absl::Status ForgetUnchangedWrites();
  absl::Status CheckPageSize();

  // A commit of this file: the branch went from `from` to `to` by it alone
  // (the condition held), so the watch's span between the two changed only
  // pages the cache already has.
  struct OwnCommit {
    v1::BranchPosition from;
    v1::BranchPosition to;
  };

  const std::unique_ptr<RemoteDb> db_;
  const bool read_only_;
  const uint32_t read_ahead_pages_;
  LockLevel lock_ = LockLevel::kNone;
  // The read point, and the database's size there.
  v1::BranchPosition position_;
  uint32_t base_pages_ = 0;
  // Committed pages as of cache_position_ (when set).
  PageCache cache_;
  std::optional<v1::BranchPosition> cache_position_;
  // The transaction's writes; page_count() is the file's size.
  WriteBuffer buffer_;
  bool doomed_ = false;
  // GetChanges could not relate the new read point to the cache's (a
  // restore, or history the server no longer keeps): SQLite's own cache
  // must be dropped too, even if the database's change counter happens to
  // be the one it cached (a counter reached again on another timeline).
  bool history_jumped_ = false;
  // The last page fetched and how many fetches in a row were sequential.
  uint32_t last_fetched_ = UINT32_MAX;
  uint32_t sequential_fetches_ = 0;
  // The lease on the branch's changes (none when read-only).
  std::unique_ptr<ChangeWatch> watch_;
  bool watch_unsupported_ = false;
  ChangeWatch::Clock::time_point watch_started_;
  std::vector<OwnCommit> own_commits_;
  DbFileStats stats_;
};

}  // namespace pitr::sqlite

#endif  // PITR_CLIENTS_SQLITE_DB_FILE_H_
