// TimestampIndex maps commit timestamps to commit LSNs, one entry per
// committed batch, persisted in the file "commit_timestamps.idx" (layout in
// log_format.h).
//
// Entries are appended in LSN order and timestamps never decrease, so both
// "the last commit at or before time T" and "is L a commit LSN" are binary
// searches over the file: O(log n) reads and O(1) memory however long the
// history. The index outlives WAL trimming, so timestamps stay resolvable
// for all the history the page store keeps.
//
// Entry i is the store's i-th commit ever (its ordinal). Appends are written
// but not synced; the Wal syncs the index before it deletes WAL segments, and
// on open rebuilds the entries of the segments it still has, so no entry is
// ever lost.
//
// Thread-safety: lookups may run from any thread at any time. Append,
// ReplaceFrom and Sync must be serialised by the caller (the Wal's I/O lock).
#ifndef PITR_WAL_TIMESTAMP_INDEX_H_
#define PITR_WAL_TIMESTAMP_INDEX_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "base/lsn.h"
#include "base/mutex.h"

namespace pitr {

class TimestampIndex {
 public:
  struct Entry {
    int64_t timestamp_us = 0;
    Lsn commit_lsn = 0;
    friend bool operator==(const Entry& a, const Entry& b) {
      return a.timestamp_us == b.timestamp_us && a.commit_lsn == b.commit_lsn;
    }
  };

  // Opens the index at path, creating an empty one if it does not exist.
  // A partial entry at the end (a torn write) is ignored and later
  // overwritten. DATA_LOSS if the header is damaged.
  static absl::StatusOr<std::unique_ptr<TimestampIndex>> Open(
      FileSystem* fs, const std::string& path);

  TimestampIndex(const TimestampIndex&) = delete;
  TimestampIndex& operator=(const TimestampIndex&) = delete;

  // The ordinal of the first entry stored, and one past that of the last
  // (so the index is empty when they are equal).
  uint64_t first_ordinal() const { return first_ordinal_; }
  uint64_t end_ordinal() const;

  // The entry with the given ordinal. OUT_OF_RANGE past the end, DATA_LOSS if
  // its checksum does not match.
  absl::StatusOr<Entry> Get(uint64_t ordinal) const;

  // The last entry whose timestamp is <= timestamp_us, or nullopt if every
  // entry is later (or there is none).
  absl::StatusOr<std::optional<Entry>> LastAtOrBefore(
      int64_t timestamp_us) const;

  // The last entry whose commit LSN is <= lsn, or nullopt if none is.
  absl::StatusOr<std::optional<Entry>> LastAtOrBeforeLsn(Lsn lsn) const;

  // Whether some entry has exactly this commit LSN.
  absl::StatusOr<bool> ContainsLsn(Lsn lsn) const;

  // Appends entries (written, not synced).
  absl::Status Append(const std::vector<Entry>& entries);

  // Makes the entries from `ordinal` on equal to `entries`: keeps the
  // matching prefix, rewrites the rest. Used by recovery.
  // REQUIRES: ordinal <= end_ordinal().
  absl::Status ReplaceFrom(uint64_t ordinal, const std::vector<Entry>& entries);

  absl::Status Sync();

 private:
  TimestampIndex(FileSystem* fs, std::string path,
                 std::unique_ptr<RandomAccessFile> reader,
                 std::unique_ptr<WritableFile> writer, uint64_t first_ordinal,
                 uint64_t end_ordinal);

  uint64_t FileOffset(uint64_t ordinal) const;

  // Binary search: the first ordinal whose entry does not satisfy
  // `before(entry)`, given that `before` holds for a prefix of the entries.
  template <typename Pred>
  absl::StatusOr<uint64_t> PartitionPoint(Pred before) const;

  FileSystem* const fs_;
  const std::string path_;
  const std::unique_ptr<RandomAccessFile> reader_;
  const std::unique_ptr<WritableFile> writer_;  // O_APPEND: writes at the end
  const uint64_t first_ordinal_;  // ordinal of the first entry in the file
  mutable Mutex mu_;
  uint64_t end_ordinal_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr

#endif  // PITR_WAL_TIMESTAMP_INDEX_H_
