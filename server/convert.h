// Conversions between the pitr.v1 API messages (proto/*.proto) and the
// engine's resources: retention, history bounds, branches, snapshots,
// schedules and GC's reports and progress. With proto/time_convert.h (times, durations) and
// proto/record_convert.h (WAL records, page keys), which clients share, the
// services (server/*_service.cc) use these and nothing else to translate,
// so every message is filled one way.
//
// Thread-safe: pure functions.
#ifndef PITR_SERVER_CONVERT_H_
#define PITR_SERVER_CONVERT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "branch/catalog.h"
#include "engine/engine.h"
#include "proto/resources.pb.h"
#include "proto/retention_service.pb.h"

namespace pitr {

v1::Retention RetentionProto(const Retention& retention);
absl::StatusOr<Retention> ToRetention(const v1::Retention& proto);

v1::HistoryBounds HistoryBoundsProto(const HistoryBounds& bounds);

// A branch as the API shows it. `parent_name` and `depth` come from the
// catalog (see BranchDescriber in branch_service.cc).
v1::Branch BranchProto(const Branch& branch, const std::string& parent_name,
                       uint32_t depth);

// A deleted branch's timeline that branches still read, as the API shows it.
v1::UnnamedAncestor UnnamedAncestorProto(const Timeline& timeline,
                                         const std::string& parent_name,
                                         uint32_t depth);
v1::Snapshot SnapshotProto(const Snapshot& snapshot,
                           const std::string& branch_name);
v1::SnapshotSchedule ScheduleProto(const SnapshotSchedule& schedule,
                                   const std::string& branch_name);

v1::GcReport GcReportProto(const GcReport& report);
v1::GcProgress GcProgressProto(const GcProgress& progress);

}  // namespace pitr

#endif  // PITR_SERVER_CONVERT_H_
