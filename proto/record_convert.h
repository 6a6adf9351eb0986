// WAL records and page keys in the API's form: the engine's WalRecord and
// PageKey <-> v1::WalRecord and v1::PageKey. pitrd turns the records of an
// Append into a batch with these, and clients that write WAL (pitr-wal
// replay) turn their records into requests with them.
//
// Thread-safe: pure functions.
#ifndef PITR_PROTO_RECORD_CONVERT_H_
#define PITR_PROTO_RECORD_CONVERT_H_

#include "absl/status/status.h"
#include "base/ids.h"
#include "proto/resources.pb.h"
#include "wal/batch.h"
#include "wal/record.h"

namespace pitr {

// Adds the records to `batch`, the images without copying them: the batch
// must not be appended after `records` is gone. INVALID_ARGUMENT naming the
// record's index for a record with no change set or one the batch refuses;
// the engine's Append checks the rest (image size, delta range).
absl::Status AddRecords(
    const google::protobuf::RepeatedPtrField<v1::WalRecord>& records,
    WalBatch* batch);
v1::WalRecord RecordProto(const WalRecord& record);

v1::PageKey PageKeyProto(PageKey key);
PageKey ToPageKey(const v1::PageKey& proto);

}  // namespace pitr

#endif  // PITR_PROTO_RECORD_CONVERT_H_
