#include "server/convert.h"

#include "proto/time_convert.h"

namespace pitr {

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
  *proto.mutable_oldest_time() = TimestampProto(bounds.oldest_timestamp_us);
  proto.set_latest_lsn(bounds.latest_lsn);
  *proto.mutable_latest_time() = TimestampProto(bounds.latest_timestamp_us);
  *proto.mutable_retention() = RetentionProto(bounds.retention);
  if (bounds.local_oldest_lsn) {
    proto.set_local_oldest_lsn(*bounds.local_oldest_lsn);
  } else {
    proto.set_remote_only(true);
  }
  if (bounds.local_oldest_timestamp_us) {
    *proto.mutable_local_oldest_time() =
        TimestampProto(*bounds.local_oldest_timestamp_us);
  }
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
  proto.set_timeline_id(branch.timeline.value());
  proto.set_depth(depth);
  proto.set_parent_timeline_id(branch.parent_timeline.value());
  return proto;
}

v1::UnnamedAncestor UnnamedAncestorProto(const Timeline& timeline,
                                         const std::string& parent_name,
                                         uint32_t depth) {
  v1::UnnamedAncestor proto;
  proto.set_timeline_id(timeline.id.value());
  proto.set_parent(parent_name);
  proto.set_parent_timeline_id(timeline.parent.value());
  proto.set_branch_point_lsn(timeline.branch_point);
  *proto.mutable_create_time() = TimestampProto(timeline.created_us);
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
  proto.set_timeline_id(snapshot.timeline.value());
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

v1::GcReport GcReportProto(const GcReport& report) {
  v1::GcReport proto;
  proto.set_versions_examined(report.versions_examined);
  proto.set_versions_removed(report.versions_removed);
  proto.set_timelines_removed(report.timelines_removed);
  proto.set_store_bytes_before(report.store_bytes_before);
  proto.set_store_bytes_after(report.store_bytes_after);
  *proto.mutable_duration() = DurationProto(report.took);
  proto.set_bytes_flushed(report.bytes_flushed);
  proto.set_bytes_reclaimed(report.bytes_reclaimed);
  return proto;
}

v1::GcProgress GcProgressProto(const GcProgress& progress) {
  v1::GcProgress proto;
  switch (progress.phase) {
    case GcProgress::Phase::kFlush:
      proto.set_phase(v1::GcProgress::FLUSH);
      break;
    case GcProgress::Phase::kPlan:
      proto.set_phase(v1::GcProgress::PLAN);
      break;
    case GcProgress::Phase::kDelete:
      proto.set_phase(v1::GcProgress::DELETE);
      break;
    case GcProgress::Phase::kCompact:
      proto.set_phase(v1::GcProgress::COMPACT);
      break;
  }
  proto.set_versions_examined(progress.versions_examined);
  proto.set_versions_estimate(progress.versions_estimate);
  return proto;
}

}  // namespace pitr
