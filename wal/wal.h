// Wal: the store's write-ahead log. Every change to any branch is appended
// here first, as an atomic batch, and gets an LSN: the byte position of the
// log, strictly increasing, never reused.
//
// - Append is safe from many threads at once. Concurrent batches are written
//   together and covered by one fdatasync (group commit, led by the writer at
//   the front of the queue); each caller returns only when its batch is
//   durable. If a write or an fdatasync fails, the log is poisoned: the state
//   of the file on disk is unknown, so that append and every later one fail
//   until the process reopens the log, with INTERNAL (RESOURCE_EXHAUSTED if
//   the disk is full) and the original error's message.
// - Open recovers: a torn tail (the last batch cut short, or a bad last
//   record) is dropped; damage before the tail refuses to open with DATA_LOSS
//   naming the segment and offset, unless WalOptions::repair is set.
// - Readers (NewReader) iterate batches from any batch boundary, and can
//   wait for new ones. LsnAtTimestamp resolves a wall-clock time to the LSN
//   of the last commit at or before it. Trim deletes whole segments that are
//   no longer needed.
//
// The on-disk format is in log_format.h and docs/wal-format.md.
// Thread-safety: every method may be called from any thread.
#ifndef PITR_WAL_WAL_H_
#define PITR_WAL_WAL_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/file_system.h"
#include "base/lsn.h"
#include "base/mutex.h"
#include "wal/batch.h"
#include "wal/record.h"
#include "wal/timestamp_index.h"

namespace pitr {

class WalReader;
struct RecoveredLog;

enum class SyncPolicy {
  kEveryBatch,  // an append returns once its batch is fdatasync'ed (default)
  kNone,        // never fdatasync while appending: for benchmarks only
};

// Where a batch goes relative to the log's segments. A log rolls to a new
// segment by size (WalOptions::segment_size); a read replica copying another
// log places each batch where the original did, so that both logs have the
// same segments (and archive to the same objects).
enum class SegmentRoll {
  kBySize,  // a new segment when the current one would grow past the size
  kNow,     // the batch starts a new segment (unless the current is empty)
  kNever,   // the batch goes into the current segment
};

struct AppendResult {
  Lsn start_lsn = 0;   // where the batch's first record starts
  Lsn commit_lsn = 0;  // just past its commit record: the batch's LSN
  int64_t timestamp_us = 0;
};

// A batch that has just become durable, with where it landed.
struct DurableBatch {
  const WalBatch* batch;
  AppendResult result;
};

struct WalOptions {
  // Directory of the segment files and the timestamp index; created if
  // missing. One Wal may open it at a time (it takes the lock file "LOCK").
  std::string dir;
  // A new segment starts when the next group of batches would make the
  // current one larger than this (a batch never spans two segments, so one
  // large batch may make a segment larger).
  uint64_t segment_size = 64 << 20;
  SyncPolicy sync = SyncPolicy::kEveryBatch;
  // On damage before the tail (a bad record, header, or chain of segments;
  // see docs/wal-format.md section 8), cut the log at the last good batch
  // (deleting any later segments) instead of refusing to open. Batches after
  // the damage are lost; each cut is logged.
  bool repair = false;
  // Largest batch accepted (its records plus the commit record).
  size_t max_batch_bytes = 64 << 20;
  // How many bytes of queued batches one group write gathers at most.
  size_t max_group_bytes = 4 << 20;
  // nullptr: FileSystem::Default(). Must outlive the Wal.
  FileSystem* fs = nullptr;
  // Stamps batches that carry no timestamp. nullptr: the wall clock.
  std::function<int64_t()> clock_us;
  // Called once per group of batches, in LSN order, after they are durable
  // and before any of their Append calls returns: the place to apply them
  // to the store, so that a batch is visible as soon as it is acknowledged.
  // Runs with the log's I/O lock held, one group at a time; must not call
  // the Wal. An error poisons the log, as a failed write does.
  std::function<absl::Status(const std::vector<DurableBatch>&)> on_durable;
};

struct WalStats {
  uint64_t batches = 0;   // batches appended since open
  uint64_t groups = 0;    // group writes (each one write + one fdatasync)
  uint64_t syncs = 0;     // fdatasync calls on segments
  uint64_t bytes = 0;     // record bytes appended since open
  uint64_t segments = 0;  // segment files now in the log
};

class Wal {
 public:
  // Opens (creating if needed) and recovers the log in options.dir.
  static absl::StatusOr<std::unique_ptr<Wal>> Open(WalOptions options);

  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;
  // Closes the log (see Close). REQUIRES: no reader is in use.
  ~Wal();

  // Appends batch atomically and returns where it landed once it is durable
  // (per options.sync). Errors, each leaving the log unchanged:
  // INVALID_ARGUMENT for an empty or too large batch; OUT_OF_RANGE for a
  // timestamp earlier than the last commit's (timestamps never decrease);
  // FAILED_PRECONDITION after Close; once poisoned, INTERNAL or
  // RESOURCE_EXHAUSTED (see above).
  // `roll` places it (a batch appended with kNow or kNever is written in a
  // group of its own).
  absl::StatusOr<AppendResult> Append(const WalBatch& batch,
                                      SegmentRoll roll = SegmentRoll::kBySize);

  // A reader positioned at `from`, which must be a batch boundary (the
  // start of the log or a commit LSN) between oldest_lsn() and end_lsn().
  // OUT_OF_RANGE below the trimmed start or past the end; INVALID_ARGUMENT
  // if `from` is inside a batch. The reader must not outlive the Wal.
  absl::StatusOr<std::unique_ptr<WalReader>> NewReader(Lsn from);

  // The commit LSN of the last batch whose timestamp is <= timestamp_us.
  // OUT_OF_RANGE if every commit is later (naming the first one) or there
  // is none. Works for all history, trimmed segments included.
  absl::StatusOr<Lsn> LsnAtTimestamp(int64_t timestamp_us) const;

  // The timestamp of the last commit at or before `lsn`: the time of the
  // state as of lsn. nullopt before the first commit.
  absl::StatusOr<std::optional<int64_t>> TimestampAtLsn(Lsn lsn) const;

  // Deletes every segment that ends at or below `lsn` (never the segment
  // being written); reading below the new oldest_lsn() is then OUT_OF_RANGE.
  // OUT_OF_RANGE if lsn > end_lsn().
  absl::Status Trim(Lsn lsn);

  // Waits for queued appends, makes everything durable and closes the
  // files. Later appends fail with FAILED_PRECONDITION; waiting readers wake
  // with CANCELLED. Idempotent.
  absl::Status Close();

  // A segment file as the log holds it now: the records of [start, end)
  // are durable in it, from file offset log_format::kSegmentHeaderSize
  // (log_format.h) on. `end` is the next segment's start once it is
  // sealed, else the end of the log; a sealed segment never changes again.
  struct Segment {
    Lsn start = 0;
    Lsn end = 0;
    bool sealed = false;
    std::string path;
  };
  // The segments, oldest first (the last is the one being written).
  std::vector<Segment> Segments() const;

  // Blocks until the log ends past `beyond` (OK), the deadline passes
  // (DEADLINE_EXCEEDED) or the log is closed (CANCELLED).
  absl::Status WaitForEnd(Lsn beyond, absl::Time deadline) const;

  // The oldest LSN still readable (the start of the oldest segment).
  Lsn oldest_lsn() const;
  // The commit LSN of the last durable batch (the end of the log).
  Lsn end_lsn() const;
  // The timestamp of the last commit, if there is one.
  std::optional<int64_t> last_timestamp_us() const;
  WalStats stats() const;

 private:
  friend class WalReader;
  struct Writer;

  // Where a reader finds `lsn`: its segment file, and that segment's end if
  // it is no longer being written.
  struct SegmentRef {
    Lsn start = 0;
    std::optional<Lsn> sealed_end;
    std::string path;
  };

  Wal(WalOptions options, std::unique_ptr<FileLock> lock,
      std::unique_ptr<TimestampIndex> index, const RecoveredLog& recovered,
      std::unique_ptr<WritableFile> active_file);

  // The front writer assigns LSNs and timestamps to a group of queued
  // batches, writes them (without mu_) and wakes the group.
  void LeadGroup(Writer* leader) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteGroup(const std::vector<Writer*>& group, Lsn start,
                          uint64_t commits_before, bool* rolled)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  absl::Status RollSegment(Lsn start, uint64_t commits_before)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  std::string SegmentPath(Lsn start) const;

  // For readers.
  absl::StatusOr<SegmentRef> SegmentFor(Lsn lsn) const;

  const WalOptions options_;
  FileSystem* const fs_;
  const std::unique_ptr<FileLock> lock_;
  const std::unique_ptr<TimestampIndex> index_;

  // Lock order: io_mu_ before mu_. mu_ is never held across file I/O.
  mutable Mutex io_mu_;
  mutable Mutex mu_ ABSL_ACQUIRED_AFTER(io_mu_);

  // Only the writer leading a group, Trim or Close touch these.
  std::unique_ptr<WritableFile> active_file_ ABSL_GUARDED_BY(io_mu_);
  uint64_t active_bytes_ ABSL_GUARDED_BY(io_mu_);  // record bytes in it
  // End of what is written (and synced, if the policy syncs). It runs
  // ahead of end_lsn_ while a group's on_durable hook has already applied
  // the group but its leader has not yet published it.
  Lsn written_lsn_ ABSL_GUARDED_BY(io_mu_);
  std::string commit_records_ ABSL_GUARDED_BY(io_mu_);  // of the group

  std::deque<Writer*> writers_ ABSL_GUARDED_BY(mu_);
  std::vector<Lsn> segment_starts_ ABSL_GUARDED_BY(mu_);  // last: active
  Lsn end_lsn_ ABSL_GUARDED_BY(mu_);
  uint64_t commits_ ABSL_GUARDED_BY(mu_);  // commits ever, = index size
  std::optional<int64_t> last_timestamp_us_ ABSL_GUARDED_BY(mu_);
  absl::Status poison_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // Signalled when end_lsn_ advances, the queue drains or the log closes.
  mutable CondVar state_changed_;
  WalStats stats_ ABSL_GUARDED_BY(mu_);
};

// Reads committed batches in LSN order, from a batch boundary up to the end
// of the log, following new batches as they become durable. Not
// thread-safe; must not outlive its Wal.
class WalReader {
 public:
  WalReader(const WalReader&) = delete;
  WalReader& operator=(const WalReader&) = delete;
  ~WalReader();

  // Reads the next durable batch into *batch and returns true, or returns
  // false if the reader is at the end of the log. DATA_LOSS if the log is
  // damaged there; OUT_OF_RANGE if the segment was trimmed meanwhile.
  absl::StatusOr<bool> Next(CommittedBatch* batch);

  // Blocks until a batch past position() is durable (OK), the deadline
  // passes (DEADLINE_EXCEEDED) or the Wal is closed (CANCELLED).
  absl::Status WaitForMore(absl::Time deadline);

  // Where the next batch starts.
  Lsn position() const { return position_; }
  // The start of the segment that holds the batch Next returned last: that
  // batch began a segment if its start_lsn equals it.
  Lsn segment_start() const { return segment_start_; }

 private:
  friend class Wal;
  WalReader(const Wal* wal, Lsn from);

  const Wal* const wal_;
  Lsn position_;
  Lsn segment_start_ = 0;
  std::unique_ptr<RandomAccessFile> file_;
  std::unique_ptr<class SegmentScanner> scanner_;
};

}  // namespace pitr

#endif  // PITR_WAL_WAL_H_
