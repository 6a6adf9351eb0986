// Conversions between the pitr.v1 API messages (proto/*.proto) and the
// engine's types: times, durations, retention, branches, snapshots,
// schedules and WAL records. The services (server/*_service.cc) use these
// and nothing else to translate, so every message is filled one way.
//
// Thread-safe: pure functions.
#ifndef PITR_SERVER_CONVERT_H_
#define PITR_SERVER_CONVERT_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "branch/catalog.h"
#include "engine/engine.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "proto/resources.pb.h"
#include "wal/batch.h"
#include "wal/record.h"

namespace pitr {

// Microseconds since the Unix epoch <-> google.protobuf.Timestamp.
google::protobuf::Timestamp TimestampProto(int64_t timestamp_us);
// INVALID_ARGUMENT (naming `field`) for nanos outside [0, 1e9) or a time
// before 0001-01-01 or after 9999-12-31.
absl::StatusOr<int64_t> TimestampUs(const google::protobuf::Timestamp& proto,
                                    const char* field);

google::protobuf::Duration DurationProto(absl::Duration duration);
// INVALID_ARGUMENT (naming `field`) for a negative or malformed duration.
absl::StatusOr<absl::Duration> ToDuration(
    const google::protobuf::Duration& proto, const char* field);

v1::Retention RetentionProto(const Retention& retention);
absl::StatusOr<Retention> ToRetention(const v1::Retention& proto);

v1::HistoryBounds HistoryBoundsProto(const HistoryBounds& bounds);

// A branch as the API shows it. `parent_name` and `depth` come from the
// catalog (see BranchDescriber in branch_service.cc).
v1::Branch BranchProto(const Branch& branch, const std::string& parent_name,
                       uint32_t depth);

v1::Snapshot SnapshotProto(const Snapshot& snapshot,
                           const std::string& branch_name);
v1::SnapshotSchedule ScheduleProto(const SnapshotSchedule& schedule,
                                   const std::string& branch_name);

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

#endif  // PITR_SERVER_CONVERT_H_
