#include "proto/time_convert.h"

#include "absl/strings/str_cat.h"

namespace pitr {
namespace {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range of
// google.protobuf.Timestamp.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

}  // namespace

google::protobuf::Timestamp TimestampProto(int64_t timestamp_us) {
  google::protobuf::Timestamp proto;
  int64_t seconds = timestamp_us / 1000000;
  int64_t micros = timestamp_us % 1000000;
  if (micros < 0) {
    micros += 1000000;
    seconds -= 1;
  }
  proto.set_seconds(seconds);
  proto.set_nanos(static_cast<int32_t>(micros * 1000));
  return proto;
}

absl::StatusOr<int64_t> TimestampUs(const google::protobuf::Timestamp& proto,
                                    const char* field) {
  if (proto.nanos() < 0 || proto.nanos() >= 1000000000 ||
      proto.seconds() < kMinTimestampSeconds ||
      proto.seconds() > kMaxTimestampSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is not a valid timestamp (seconds ",
                     proto.seconds(), ", nanos ", proto.nanos(),
                     "): seconds must lie in [", kMinTimestampSeconds, ", ",
                     kMaxTimestampSeconds, "] and nanos in [0, 999999999]"));
  }
  return proto.seconds() * 1000000 + proto.nanos() / 1000;
}

google::protobuf::Duration DurationProto(absl::Duration duration) {
  google::protobuf::Duration proto;
  const int64_t nanos = absl::ToInt64Nanoseconds(duration);
  proto.set_seconds(nanos / 1000000000);
  proto.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return proto;
}

absl::StatusOr<absl::Duration> ToDuration(
    const google::protobuf::Duration& proto, const char* field) {
  if (proto.seconds() < 0 || proto.nanos() < 0 || proto.nanos() >= 1000000000) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be a non-negative duration (seconds ",
                     proto.seconds(), ", nanos ", proto.nanos(), ")"));
  }
  return absl::Seconds(proto.seconds()) + absl::Nanoseconds(proto.nanos());
}

}  // namespace pitr
