#include "tools/pitrctl/views.h"

#include <string>

#include "absl/strings/escaping.h"
#include "base/lsn.h"
#include "clients/common/format.h"

namespace pitr::ctl {

using clients::DurationString;
using clients::FormatTime;
using clients::Json;
namespace {

constexpr size_t kRecordHexBytes = 64;

template <typename Message>
const Message* IfSet(bool has, const Message& m) {
  return has ? &m : nullptr;
}

Json KeyJson(const v1::PageKey& key) {
  return Json::Object()
      .Set("space", Json::Number(key.space()))
      .Set("page", Json::Number(key.page()));
}

void SetData(const std::string& data, Json* out) {
  out->Set("size", Json::Number(data.size()));
  out->Set(
      "data_hex",
      Json::String(absl::BytesToHexString(data.substr(0, kRecordHexBytes))));
  if (data.size() > kRecordHexBytes)
    out->Set("data_truncated", Json::Bool(true));
}

}  // namespace

Json LsnJson(uint64_t lsn) { return Json::String(FormatLsn(lsn)); }

Json TimeJson(const google::protobuf::Timestamp* t) {
  return t == nullptr ? Json::Null() : Json::String(FormatTime(*t));
}

Json DurationJson(const google::protobuf::Duration* d) {
  return d == nullptr ? Json::Null() : Json::String(DurationString(*d));
}

Json RetentionJson(const v1::Retention& r) {
  return Json::Object()
      .Set("window", DurationJson(IfSet(r.has_window(), r.window())))
      .Set("lsn_distance", r.has_lsn_distance() ? Json::Number(r.lsn_distance())
                                                : Json::Null());
}

Json BoundsJson(const v1::HistoryBounds& b) {
  return Json::Object()
      .Set("oldest_lsn", LsnJson(b.oldest_lsn()))
      .Set("oldest_time", TimeJson(IfSet(b.has_oldest_time(), b.oldest_time())))
      .Set("latest_lsn", LsnJson(b.latest_lsn()))
      .Set("latest_time", TimeJson(IfSet(b.has_latest_time(), b.latest_time())))
      .Set("local_oldest_lsn",
           b.remote_only() ? Json::Null() : LsnJson(b.local_oldest_lsn()))
      .Set("local_oldest_time",
           TimeJson(IfSet(b.has_local_oldest_time(), b.local_oldest_time())))
      .Set("retention", RetentionJson(b.retention()));
}

Json BranchJson(const v1::Branch& b) {
  Json out = Json::Object();
  out.Set("name", Json::String(b.name()))
      .Set("id", Json::Number(b.id()))
      .Set("parent",
           b.parent().empty() ? Json::Null() : Json::String(b.parent()))
      .Set("branch_point_lsn", LsnJson(b.branch_point_lsn()))
      .Set("depth", Json::Number(b.depth()))
      .Set("timeline_id", Json::Number(b.timeline_id()))
      .Set("parent_timeline_id", Json::Number(b.parent_timeline_id()))
      .Set("create_time", TimeJson(IfSet(b.has_create_time(), b.create_time())))
      .Set("retention", RetentionJson(b.retention()));
  if (b.has_history_bounds())
    out.Set("history_bounds", BoundsJson(b.history_bounds()));
  return out;
}

std::string DeletedTimelineName(uint64_t timeline) {
  return absl::StrCat("(deleted) timeline ", timeline);
}

Json UnnamedAncestorJson(const v1::UnnamedAncestor& a) {
  return Json::Object()
      .Set("name", Json::String(DeletedTimelineName(a.timeline_id())))
      .Set("id", Json::Null())
      .Set("parent",
           a.parent().empty() ? Json::Null() : Json::String(a.parent()))
      .Set("branch_point_lsn", LsnJson(a.branch_point_lsn()))
      .Set("depth", Json::Number(a.depth()))
      .Set("timeline_id", Json::Number(a.timeline_id()))
      .Set("parent_timeline_id", Json::Number(a.parent_timeline_id()))
      .Set("create_time", TimeJson(IfSet(a.has_create_time(), a.create_time())))
      .Set("deleted", Json::Bool(true));
}

Json SnapshotJson(const v1::Snapshot& s) {
  return Json::Object()
      .Set("name", Json::String(s.name()))
      .Set("branch",
           s.branch().empty() ? Json::Null() : Json::String(s.branch()))
      .Set("lsn", LsnJson(s.lsn()))
      .Set("kind", Json::String(v1::Snapshot::Kind_Name(s.kind())))
      .Set("create_time", TimeJson(IfSet(s.has_create_time(), s.create_time())))
      .Set("expire_time", TimeJson(IfSet(s.has_expire_time(), s.expire_time())))
      .Set("schedule",
           s.schedule().empty() ? Json::Null() : Json::String(s.schedule()))
      .Set("timeline_id", Json::Number(s.timeline_id()));
}

Json ScheduleJson(const v1::SnapshotSchedule& s) {
  return Json::Object()
      .Set("name", Json::String(s.name()))
      .Set("branch", Json::String(s.branch()))
      .Set("every", DurationJson(IfSet(s.has_every(), s.every())))
      .Set("keep_last",
           s.has_keep_last() ? Json::Number(s.keep_last()) : Json::Null())
      .Set("keep_for", DurationJson(IfSet(s.has_keep_for(), s.keep_for())))
      .Set("last_run_time",
           TimeJson(IfSet(s.has_last_run_time(), s.last_run_time())));
}

Json BackupJson(const v1::Backup& b, const v1::Backup* next) {
  return Json::Object()
      .Set("lsn", LsnJson(b.lsn()))
      .Set("restores_until",
           next == nullptr ? Json::Null() : LsnJson(next->lsn()))
      .Set("applied_lsn", LsnJson(b.applied_lsn()))
      .Set("create_time", TimeJson(IfSet(b.has_create_time(), b.create_time())))
      .Set("size_bytes", Json::Number(b.size_bytes()))
      .Set("new_bytes", Json::Number(b.new_bytes()))
      .Set("file_count", Json::Number(b.file_count()))
      .Set("generation", Json::Number(b.generation()));
}

Json PolicyJson(const v1::RetentionPolicy& p) {
  return Json::Object()
      .Set("branch", Json::String(p.branch()))
      .Set("own", RetentionJson(p.own()))
      .Set("effective", RetentionJson(p.effective()));
}

Json GcReportJson(const v1::GcReport& r) {
  return Json::Object()
      .Set("versions_examined", Json::Number(r.versions_examined()))
      .Set("versions_removed", Json::Number(r.versions_removed()))
      .Set("timelines_removed", Json::Number(r.timelines_removed()))
      .Set("store_bytes_before", Json::Number(r.store_bytes_before()))
      .Set("store_bytes_after", Json::Number(r.store_bytes_after()))
      .Set("bytes_flushed", Json::Number(r.bytes_flushed()))
      .Set("bytes_reclaimed", Json::Number(r.bytes_reclaimed()))
      .Set("duration", DurationJson(&r.duration()));
}

Json LeaseJson(const v1::Lease& l) {
  return Json::Object()
      .Set("id", Json::Number(l.id()))
      .Set("branch", Json::String(l.branch()))
      .Set("lsn", LsnJson(l.lsn()))
      .Set("expire_time",
           TimeJson(IfSet(l.has_expire_time(), l.expire_time())));
}

Json SpaceJson(const v1::Space& s) {
  return Json::Object()
      .Set("name", Json::String(s.name()))
      .Set("id", Json::Number(s.id()))
      .Set("create_time",
           TimeJson(IfSet(s.has_create_time(), s.create_time())));
}

Json StoreInfoJson(const v1::StoreInfo& i) {
  Json out = Json::Object()
                 .Set("page_size", Json::Number(i.page_size()))
                 .Set("latest_lsn", LsnJson(i.latest_lsn()))
                 .Set("oldest_wal_lsn", LsnJson(i.oldest_wal_lsn()))
                 .Set("version", Json::String(i.version()))
                 .Set("store_id", Json::String(i.store_id()));
  if (i.has_archive()) {
    const v1::ArchiveInfo& a = i.archive();
    out.Set("archive", Json::Object()
                           .Set("remote", Json::String(a.remote()))
                           .Set("generation", Json::Number(a.generation()))
                           .Set("archived_lsn", LsnJson(a.archived_lsn()))
                           .Set("lag_bytes", Json::Number(a.lag_bytes()))
                           .Set("lag", DurationJson(&a.lag()))
                           .Set("fenced", Json::Bool(a.fenced()))
                           .Set("last_error", Json::String(a.last_error())));
  }
  if (i.has_replication())
    out.Set("replication", ReplicationJson(i.replication()));
  return out;
}

Json ReplicationJson(const v1::ReplicationStatus& r) {
  if (r.role() != v1::ReplicationStatus::REPLICA) {
    return Json::Object().Set("role", Json::String("primary"));
  }
  return Json::Object()
      .Set("role", Json::String("replica"))
      .Set("primary", Json::String(r.primary()))
      .Set("connected", Json::Bool(r.connected()))
      .Set("applied_lsn", LsnJson(r.applied_lsn()))
      .Set("primary_lsn", LsnJson(r.primary_lsn()))
      .Set("lag_bytes", Json::Number(r.lag_bytes()))
      .Set("lag", DurationJson(IfSet(r.has_lag(), r.lag())))
      .Set("last_contact",
           TimeJson(IfSet(r.has_last_contact(), r.last_contact())))
      .Set("last_error", Json::String(r.last_error()))
      .Set("batches_applied", Json::Number(r.batches_applied()))
      .Set("catalog_changes_applied", Json::Number(r.catalog_changes_applied()))
      .Set("archive_catch_ups", Json::Number(r.archive_catch_ups()));
}

Json PromoteJson(const v1::PromoteResponse& r) {
  return Json::Object()
      .Set("lsn", LsnJson(r.lsn()))
      .Set("batches_from_bucket", Json::Number(r.batches_from_bucket()))
      .Set("generation", Json::Number(r.generation()))
      .Set("generation_start_lsn", LsnJson(r.generation_start_lsn()))
      .Set("took", DurationJson(IfSet(r.has_took(), r.took())));
}

Json AppendJson(const v1::AppendResponse& r) {
  return Json::Object()
      .Set("start_lsn", LsnJson(r.start_lsn()))
      .Set("commit_lsn", LsnJson(r.commit_lsn()))
      .Set("commit_time",
           TimeJson(IfSet(r.has_commit_time(), r.commit_time())));
}

Json RecordJson(const v1::WalRecord& r) {
  Json out = Json::Object();
  if (r.has_image()) {
    out.Set("kind", Json::String("image")).Set("key", KeyJson(r.image().key()));
    SetData(r.image().data(), &out);
  } else if (r.has_delta()) {
    out.Set("kind", Json::String("delta"))
        .Set("key", KeyJson(r.delta().key()))
        .Set("offset", Json::Number(r.delta().offset()));
    SetData(r.delta().data(), &out);
  } else if (r.has_truncate()) {
    out.Set("kind", Json::String("truncate"))
        .Set("space", Json::Number(r.truncate().space()))
        .Set("page_count", Json::Number(r.truncate().page_count()));
  } else {
    out.Set("kind", Json::String("unknown"));
  }
  return out;
}

Json BatchJson(const v1::WalBatch& b) {
  Json records = Json::Array();
  for (const v1::WalRecord& r : b.records()) records.Push(RecordJson(r));
  return Json::Object()
      .Set("start_lsn", LsnJson(b.start_lsn()))
      .Set("commit_lsn", LsnJson(b.commit_lsn()))
      .Set("timeline_id", Json::Number(b.timeline_id()))
      .Set("branch",
           b.branch().empty() ? Json::Null() : Json::String(b.branch()))
      .Set("commit_time", TimeJson(IfSet(b.has_commit_time(), b.commit_time())))
      .Set("records", records);
}

}  // namespace pitr::ctl
