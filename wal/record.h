// The vocabulary of WAL records: the kinds of change, a record decoded from
// the log, and a committed batch.
#ifndef PITR_WAL_RECORD_H_
#define PITR_WAL_RECORD_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "base/ids.h"
#include "base/lsn.h"

namespace pitr {

enum class RecordKind : uint8_t {
  kPageImage = 1,  // `data` is the whole page
  kPageDelta = 2,  // `data` replaces bytes [offset, offset + size) of the page
  kSpaceTruncate = 3,  // pages >= page_count of key.space are removed
};

// One change read back from the log. Fields that a kind does not use are 0
// or empty.
struct WalRecord {
  Lsn lsn = 0;  // position of the record's first byte
  RecordKind kind = RecordKind::kPageImage;
  TimelineId timeline;
  PageKey key;              // image and delta; truncate uses key.space only
  uint32_t offset = 0;      // delta
  uint32_t page_count = 0;  // truncate
  std::string data;         // image or delta bytes

  friend bool operator==(const WalRecord& a, const WalRecord& b) {
    return std::tie(a.lsn, a.kind, a.timeline, a.key.space, a.key.page, a.offset,
                    a.page_count, a.data) ==
           std::tie(b.lsn, b.kind, b.timeline, b.key.space, b.key.page, b.offset,
                    b.page_count, b.data);
  }
};

// A change inside an encoded batch, read without copying its bytes: `data`
// points into the batch and lives as long as it does.
struct WalRecordView {
  size_t position = 0;  // byte offset of the record within the batch
  RecordKind kind = RecordKind::kPageImage;
  TimelineId timeline;
  PageKey key;
  uint32_t offset = 0;
  uint32_t page_count = 0;
  absl::string_view data;
};

// A whole batch read back from the log: its records and its commit.
struct CommittedBatch {
  Lsn start_lsn = 0;   // where the batch's first record starts
  Lsn commit_lsn = 0;  // just past its commit record; where the next starts
  TimelineId timeline;
  int64_t timestamp_us = 0;  // commit time, microseconds since the Unix epoch
  std::vector<WalRecord> records;
};

// Text of a record kind: "image", "delta", "truncate".
absl::string_view RecordKindName(RecordKind kind);

}  // namespace pitr

#endif  // PITR_WAL_RECORD_H_
