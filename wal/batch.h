// WalBatch: the changes a client appends to the log as one atomic unit.
//
// A batch belongs to one branch and holds page images, page deltas and space
// truncations in order; Wal::Append adds the commit record that ends it.
// Records are encoded as they are added, so appending a batch copies no
// page twice. Not thread-safe; a batch may be appended more than once.
//
//   WalBatch batch(kMainBranch);
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
  explicit WalBatch(BranchId branch) : branch_(branch) {}

  // Each Put returns INVALID_ARGUMENT, and leaves the batch unchanged, if
  // the bytes are empty or larger than a record can hold (MaxDataSize()).
  absl::Status PutPageImage(PageKey key, absl::string_view image);
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

  BranchId branch() const { return branch_; }
  std::optional<int64_t> timestamp_us() const { return timestamp_us_; }
  uint32_t record_count() const { return record_count_; }
  bool empty() const { return record_count_ == 0; }
  // Encoded size in the log, without the commit record.
  size_t encoded_size() const { return encoded_.size(); }
  // The encoded records (frames as in log_format.h), without the commit.
  absl::string_view encoded() const { return encoded_; }

  // The records as they will read back from the log when the batch starts
  // at start_lsn (as Wal::Append reports it).
  std::vector<WalRecord> Records(Lsn start_lsn) const;
  // The records without copying their bytes; valid while the batch is
  // unchanged.
  std::vector<WalRecordView> RecordViews() const;

  // The largest image or delta a record can hold.
  static size_t MaxDataSize();

 private:
  absl::Status CheckData(absl::string_view what, absl::string_view bytes) const;

  BranchId branch_;
  std::optional<int64_t> timestamp_us_;
  std::string encoded_;
  uint32_t record_count_ = 0;
};

}  // namespace pitr

#endif  // PITR_WAL_BATCH_H_
