// Reading the batches of bare segment files: a directory of WAL segments
// without the rest of a log (no timestamp index, no lock), such as the
// archived segments fetched from a bucket (remote/wal_fetch.h). A read
// replica catching up from the bucket applies them this way.
#ifndef PITR_WAL_SEGMENT_FILES_H_
#define PITR_WAL_SEGMENT_FILES_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "base/lsn.h"
#include "wal/record.h"

namespace pitr {

// Calls visit(batch, starts_segment) for every batch of the segment files
// in `dir` from `from` (a batch boundary) on, in LSN order; starts_segment
// says that the batch is the first of its segment. The segments must
// follow one another without a gap from the one holding `from`: DATA_LOSS
// naming the file otherwise, or on a damaged header or record. Stops at
// visit's first error and returns it.
absl::Status ForEachBatchInSegments(
    const std::string& dir, Lsn from,
    const std::function<absl::Status(const CommittedBatch&, bool)>& visit);

}  // namespace pitr

#endif  // PITR_WAL_SEGMENT_FILES_H_
