// Copying a batch's records into a WalBatch: what the engine and WAL
// directory targets both append.
#ifndef PITR_TOOLS_WAL_BATCH_RECORDS_H_
#define PITR_TOOLS_WAL_BATCH_RECORDS_H_

#include "absl/status/status.h"
#include "wal/batch.h"
#include "wal/record.h"

namespace pitr::waltool {

// Puts every record of `from` into *to, in order, and sets its timestamp.
absl::Status FillBatch(const CommittedBatch& from, WalBatch* to);

}  // namespace pitr::waltool

#endif  // PITR_TOOLS_WAL_BATCH_RECORDS_H_
