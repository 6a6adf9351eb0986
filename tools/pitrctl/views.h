// The API's resources as Json, the one form pitrctl prints them in
// (output.h). Field names are the proto field names; LSNs are "X/Y"
// strings, times RFC 3339 strings in UTC, durations strings like "7d";
// an unset time or duration is null.
#ifndef PITR_TOOLS_PITRCTL_VIEWS_H_
#define PITR_TOOLS_PITRCTL_VIEWS_H_

#include <cstdint>

#include "clients/common/json.h"
#include "proto/backup_service.pb.h"
#include "proto/dump_service.pb.h"
#include "proto/page_service.pb.h"
#include "proto/replication_service.pb.h"
#include "proto/resources.pb.h"
#include "proto/retention_service.pb.h"
#include "proto/wal_service.pb.h"

namespace pitr::ctl {

clients::Json LsnJson(uint64_t lsn);
clients::Json TimeJson(const google::protobuf::Timestamp* t);  // nullptr: null.
clients::Json DurationJson(const google::protobuf::Duration* d);

clients::Json RetentionJson(const v1::Retention& r);
clients::Json BoundsJson(const v1::HistoryBounds& b);
// history_bounds only if set (GetBranch, not ListBranches).
clients::Json BranchJson(const v1::Branch& b);
// A deleted branch's timeline that branches still start from, as branch
// list shows it: named DeletedTimelineName(id), with "deleted": true.
clients::Json UnnamedAncestorJson(const v1::UnnamedAncestor& a);
std::string DeletedTimelineName(uint64_t timeline);
clients::Json SnapshotJson(const v1::Snapshot& s);
clients::Json ScheduleJson(const v1::SnapshotSchedule& s);
clients::Json PolicyJson(const v1::RetentionPolicy& p);
clients::Json GcReportJson(const v1::GcReport& r);
clients::Json LeaseJson(const v1::Lease& l);
clients::Json SpaceJson(const v1::Space& space);
clients::Json StoreInfoJson(const v1::StoreInfo& i);
// role, and for a replica: primary, connected, lsns, lag, errors.
clients::Json ReplicationJson(const v1::ReplicationStatus& r);
clients::Json PromoteJson(const v1::PromoteResponse& r);
// restores_until: the next backup's LSN (nullptr: none, null).
clients::Json BackupJson(const v1::Backup& b, const v1::Backup* next);
clients::Json AppendJson(const v1::AppendResponse& r);
// A record: kind, key or space, offset, size and the data in hex (the
// first 64 bytes, with data_truncated set if there were more).
clients::Json RecordJson(const v1::WalRecord& r);
// A batch with its records.
clients::Json BatchJson(const v1::WalBatch& b);

}  // namespace pitr::ctl

#endif  // PITR_TOOLS_PITRCTL_VIEWS_H_
