#include "server/convert.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/lsn.h"

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

v1::Retention RetentionProto(const Retention& retention) {
  v1::Retention proto;
  if (retention.window)
    *proto.mutable_window() = DurationProto(*retention.window);
  if (retention.lsn_distance) proto.set_lsn_distance(*retention.lsn_distance);
  return proto;
}

absl::StatusOr<Retention> ToRetention(const v1::Retention& proto) {
  Retention retention;
  if (proto.has_window()) {
    absl::StatusOr<absl::Duration> window =
        ToDuration(proto.window(), "retention.window");
    if (!window.ok()) return window.status();
    retention.window = *window;
  }
  if (proto.has_lsn_distance()) retention.lsn_distance = proto.lsn_distance();
  return retention;
}

v1::HistoryBounds HistoryBoundsProto(const HistoryBounds& bounds) {
  v1::HistoryBounds proto;
  proto.set_oldest_lsn(bounds.oldest_lsn);
  if (bounds.oldest_timestamp_us) {
    *proto.mutable_oldest_time() = TimestampProto(*bounds.oldest_timestamp_us);
  }
  proto.set_latest_lsn(bounds.latest_lsn);
  if (bounds.latest_timestamp_us) {
    *proto.mutable_latest_time() = TimestampProto(*bounds.latest_timestamp_us);
  }
  *proto.mutable_retention() = RetentionProto(bounds.retention);
  return proto;
}

v1::Branch BranchProto(const Branch& branch, const std::string& parent_name,
                       uint32_t depth) {
  v1::Branch proto;
  proto.set_id(branch.id);
  proto.set_name(branch.name);
  proto.set_parent(parent_name);
  proto.set_branch_point_lsn(branch.branch_point);
  *proto.mutable_create_time() = TimestampProto(branch.created_us);
  *proto.mutable_retention() = RetentionProto(branch.retention);
  proto.set_timeline_id(branch.timeline);
  proto.set_depth(depth);
  return proto;
}

v1::Snapshot SnapshotProto(const Snapshot& snapshot,
                           const std::string& branch_name) {
  v1::Snapshot proto;
  proto.set_name(snapshot.name);
  proto.set_branch(branch_name);
  proto.set_lsn(snapshot.lsn);
  *proto.mutable_create_time() = TimestampProto(snapshot.created_us);
  switch (snapshot.kind) {
    case Snapshot::Kind::kOnDemand:
      proto.set_kind(v1::Snapshot::ON_DEMAND);
      break;
    case Snapshot::Kind::kScheduled:
      proto.set_kind(v1::Snapshot::SCHEDULED);
      break;
    case Snapshot::Kind::kImport:
      proto.set_kind(v1::Snapshot::IMPORT);
      break;
  }
  if (snapshot.expires_us) {
    *proto.mutable_expire_time() = TimestampProto(*snapshot.expires_us);
  }
  proto.set_schedule(snapshot.schedule);
  proto.set_timeline_id(snapshot.timeline);
  return proto;
}

v1::SnapshotSchedule ScheduleProto(const SnapshotSchedule& schedule,
                                   const std::string& branch_name) {
  v1::SnapshotSchedule proto;
  proto.set_name(schedule.name);
  proto.set_branch(branch_name);
  *proto.mutable_every() = DurationProto(schedule.every);
  if (schedule.keep_last) proto.set_keep_last(*schedule.keep_last);
  if (schedule.keep_for)
    *proto.mutable_keep_for() = DurationProto(*schedule.keep_for);
  if (schedule.last_taken_us != 0) {
    *proto.mutable_last_run_time() = TimestampProto(schedule.last_taken_us);
  }
  return proto;
}

absl::Status AddRecords(
    const google::protobuf::RepeatedPtrField<v1::WalRecord>& records,
    WalBatch* batch) {
  for (int i = 0; i < records.size(); ++i) {
    const v1::WalRecord& record = records[i];
    absl::Status status;
    switch (record.change_case()) {
      case v1::WalRecord::kImage:
        status = batch->PutPageImageNoCopy(ToPageKey(record.image().key()),
                                           record.image().data());
        break;
      case v1::WalRecord::kDelta:
        status =
            batch->PutPageDelta(ToPageKey(record.delta().key()),
                                record.delta().offset(), record.delta().data());
        break;
      case v1::WalRecord::kTruncate:
        batch->PutSpaceTruncate(record.truncate().space(),
                                record.truncate().page_count());
        break;
      case v1::WalRecord::CHANGE_NOT_SET:
        status = absl::InvalidArgumentError(
            "no change set (one of image, delta, truncate)");
        break;
    }
    if (!status.ok()) {
      return absl::Status(status.code(),
                          absl::StrCat("record ", i, " of ", records.size(),
                                       ": ", status.message()));
    }
  }
  return absl::OkStatus();
}

v1::WalRecord RecordProto(const WalRecord& record) {
  v1::WalRecord proto;
  switch (record.kind) {
    case RecordKind::kPageImage: {
      v1::WalRecord::PageImage* image = proto.mutable_image();
      *image->mutable_key() = PageKeyProto(record.key);
      image->set_data(record.data);
      break;
    }
    case RecordKind::kPageDelta: {
      v1::WalRecord::PageDelta* delta = proto.mutable_delta();
      *delta->mutable_key() = PageKeyProto(record.key);
      delta->set_offset(record.offset);
      delta->set_data(record.data);
      break;
    }
    case RecordKind::kSpaceTruncate:
      proto.mutable_truncate()->set_space(record.key.space);
      proto.mutable_truncate()->set_page_count(record.page_count);
      break;
  }
  return proto;
}

v1::PageKey PageKeyProto(PageKey key) {
  v1::PageKey proto;
  proto.set_space(key.space);
  proto.set_page(key.page);
  return proto;
}

PageKey ToPageKey(const v1::PageKey& proto) {
  return PageKey{proto.space(), proto.page()};
}

}  // namespace pitr
