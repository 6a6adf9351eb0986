// Times and durations in the API's form: microseconds since the Unix epoch
// and absl::Duration <-> google.protobuf.Timestamp and Duration. pitrd
// reads and writes every time of a message through these, and so do its
// clients when they send one.
//
// Thread-safe: pure functions.
#ifndef PITR_PROTO_TIME_CONVERT_H_
#define PITR_PROTO_TIME_CONVERT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

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

}  // namespace pitr

#endif  // PITR_PROTO_TIME_CONVERT_H_
