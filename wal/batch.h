// WalBatch: the changes a client appends to the log as one atomic unit.
//
// A batch belongs to one timeline (the one its branch writes; see
// base/ids.h) and holds page images, page deltas and space
// truncations in order; Wal::Append adds the commit record that ends it.
// Records are encoded (framed and checksummed) as they are added, in the
// caller's thread. PutPageImage copies the image into the batch;
// PutPageImageNoCopy only points at it, and Wal::Append writes it to the log
// from where it is: the way to append large batches of pages a client
// already holds in memory. Not thread-safe; a batch may be appended more
// than once.
//
//   WalBatch batch(kMainTimeline);
//   PITR_RETURN_IF_ERROR(batch.PutPageImage({space, page}, image));
//   PITR_ASSIGN_OR_RETURN(AppendResult r, wal->Append(batch));
#ifndef PITR_WAL_BATCH_H_
#define PITR_WAL_BATCH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "wal/record.h"

namespace pitr {

class WalBatch {
 public:
  explicit WalBatch(TimelineId timeline) : timeline_(timeline) {}

  // Each Put returns INVALID_ARGUMENT, and leaves the batch unchanged, if
  // the bytes are empty or larger than a record can hold (MaxDataSize()).
  absl::Status PutPageImage(PageKey key, absl::string_view image);
  // As PutPageImage, without copying the image: its bytes must stay valid
  // and unchanged as long as the batch holds the record (until Clear or
  // destruction), or at least until the last Append of the batch returns.
  absl::Status PutPageImageNoCopy(PageKey key, absl::string_view image);
  absl::Status PutPageDelta(PageKey key, uint32_t offset,
                            absl::string_view bytes);
  // Pages >= page_count of `space` stop existing.
  void PutSpaceTruncate(uint32_t space, uint32_t page_count);

  // Empties the batch (records and timestamp) but keeps its buffer, so a
  // client appending many batches can reuse one without reallocating.
  void Clear();
  // Makes room for `bytes` of encoded records.
  void Reserve(size_t bytes) { encoded_.reserve(bytes); }

  // The commit timestamp (microseconds since the Unix epoch). Without one,
  // the log stamps the batch with the current time when it is appended.
  void SetTimestamp(int64_t timestamp_us) { timestamp_us_ = timestamp_us; }

  TimelineId timeline() const { return timeline_; }
  std::optional<int64_t> timestamp_us() const { return timestamp_us_; }
  uint32_t record_count() const {
    return static_cast<uint32_t>(records_.size());
  }
  bool empty() const { return records_.empty(); }
  // Encoded size in the log, without the commit record.
  size_t encoded_size() const { return encoded_.size() + not_copied_bytes_; }
  // Appends to *pieces the encoded records (frames as in log_format.h,
  // without the commit) as pieces of memory to write one after another:
  // the batch's own bytes and the images added without copy. Valid while
  // the batch is unchanged.
  void AppendPieces(std::vector<absl::string_view>* pieces) const;

  // The records as they will read back from the log when the batch starts
  // at start_lsn (as Wal::Append reports it).
  std::vector<WalRecord> Records(Lsn start_lsn) const;
  // The records without copying their bytes; valid while the batch is
  // unchanged (and, for images added without copy, while their bytes are).
  std::vector<WalRecordView> RecordViews() const;

  // The largest image or delta a record can hold.
  static size_t MaxDataSize();

 private:
  // A record as added, so that RecordViews needs no decoding.
  struct AddedRecord {
    WalRecordView view;  // view.data is set here only if not copied
    // Copied: where the data is in encoded_. Not copied: where in encoded_
    // the caller's bytes belong (right after the record's fixed part).
    size_t data_offset = 0;
    size_t data_size = 0;
    bool copied = true;
  };

  absl::Status CheckData(absl::string_view what, absl::string_view bytes) const;
  absl::Status PutImage(PageKey key, absl::string_view image, bool copy);
  // Records `view`, whose frame was just appended to encoded_ (with `data`
  // if copied).
  void AddRecord(WalRecordView view, absl::string_view data, bool copied);

  TimelineId timeline_;
  std::optional<int64_t> timestamp_us_;
  std::string encoded_;  // the frames, but for the data not copied
  std::vector<AddedRecord> records_;
  size_t not_copied_bytes_ = 0;
};

// Puts every record of `from` into *to, in order, and gives it `from`'s
// timestamp: a batch that appends as `from` did (a copy of a log, a replay).
// The records' errors as Put* returns them.
absl::Status AddCommittedRecords(const CommittedBatch& from, WalBatch* to);

}  // namespace pitr

#endif  // PITR_WAL_BATCH_H_
