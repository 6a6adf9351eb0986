#include "server/snapshot_service.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "proto/time_convert.h"
#include "server/convert.h"

namespace pitr {

grpc::Status SnapshotServiceImpl::CreateSnapshot(
    grpc::ServerContext* context, const v1::CreateSnapshotRequest* request,
    v1::Snapshot* response) {
  return Serve(
      env_, context, Role::kAdmin, "CreateSnapshot", [&]() -> absl::Status {
        Engine& engine = *env_.engine;
        PITR_ASSIGN_OR_RETURN(Branch branch,
                              BranchNamed(engine, request->branch()));
        PITR_ASSIGN_OR_RETURN(PointInTime at, ToPoint(request->point()));
        std::optional<absl::Duration> keep_for;
        if (request->has_keep_for()) {
          PITR_ASSIGN_OR_RETURN(keep_for,
                                ToDuration(request->keep_for(), "keep_for"));
        }
        PITR_ASSIGN_OR_RETURN(
            Snapshot snapshot,
            engine.snapshots().Create(request->name(), branch.id, at, keep_for));
        *response = SnapshotProto(snapshot, branch.name);
        return absl::OkStatus();
      });
}

grpc::Status SnapshotServiceImpl::GetSnapshot(
    grpc::ServerContext* context, const v1::GetSnapshotRequest* request,
    v1::Snapshot* response) {
  return Serve(
      env_, context, Role::kRead, "GetSnapshot", [&]() -> absl::Status {
        PITR_ASSIGN_OR_RETURN(Snapshot snapshot,
                              env_.engine->snapshots().Get(request->name()));
        *response = SnapshotProto(snapshot,
                                  BranchNameOf(*env_.engine, snapshot.branch));
        return absl::OkStatus();
      });
}

grpc::Status SnapshotServiceImpl::ListSnapshots(
    grpc::ServerContext* context, const v1::ListSnapshotsRequest* request,
    v1::ListSnapshotsResponse* response) {
  return Serve(
      env_, context, Role::kRead, "ListSnapshots", [&]() -> absl::Status {
        Engine& engine = *env_.engine;
        std::optional<BranchId> only;
        if (!request->branch().empty()) {
          PITR_ASSIGN_OR_RETURN(Branch branch,
                                BranchNamed(engine, request->branch()));
          only = branch.id;
        }
        std::vector<Snapshot> snapshots = engine.snapshots().List();
        snapshots.erase(std::remove_if(snapshots.begin(), snapshots.end(),
                                       [&](const Snapshot& s) {
                                         return only && s.branch != *only;
                                       }),
                        snapshots.end());
        PITR_ASSIGN_OR_RETURN(
            ListPage page, PageOfList(request->page_size(),
                                      request->page_token(), snapshots.size()));
        for (uint64_t i = page.begin; i < page.end; ++i) {
          *response->add_snapshots() = SnapshotProto(
              snapshots[i], BranchNameOf(engine, snapshots[i].branch));
        }
        response->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::Status SnapshotServiceImpl::DeleteSnapshot(
    grpc::ServerContext* context, const v1::DeleteSnapshotRequest* request,
    google::protobuf::Empty* /*response*/) {
  return Serve(env_, context, Role::kAdmin, "DeleteSnapshot",
               [&] { return env_.engine->snapshots().Delete(request->name()); });
}

grpc::Status SnapshotServiceImpl::CreateSchedule(
    grpc::ServerContext* context, const v1::CreateScheduleRequest* request,
    v1::SnapshotSchedule* response) {
  return Serve(
      env_, context, Role::kAdmin, "CreateSchedule", [&]() -> absl::Status {
        Engine& engine = *env_.engine;
        const v1::SnapshotSchedule& wanted = request->schedule();
        PITR_ASSIGN_OR_RETURN(Branch branch,
                              BranchNamed(engine, wanted.branch()));
        SnapshotSchedule schedule;
        schedule.name = wanted.name();
        schedule.branch = branch.id;
        PITR_ASSIGN_OR_RETURN(schedule.every,
                              ToDuration(wanted.every(), "schedule.every"));
        if (wanted.has_keep_last()) schedule.keep_last = wanted.keep_last();
        if (wanted.has_keep_for()) {
          PITR_ASSIGN_OR_RETURN(
              schedule.keep_for,
              ToDuration(wanted.keep_for(), "schedule.keep_for"));
        }
        PITR_RETURN_IF_ERROR(engine.snapshots().CreateSchedule(schedule));
        *response = ScheduleProto(schedule, branch.name);
        return absl::OkStatus();
      });
}

grpc::Status SnapshotServiceImpl::ListSchedules(
    grpc::ServerContext* context, const v1::ListSchedulesRequest* /*request*/,
    v1::ListSchedulesResponse* response) {
  return Serve(env_, context, Role::kRead, "ListSchedules",
               [&]() -> absl::Status {
                 for (const SnapshotSchedule& schedule :
                      env_.engine->snapshots().ListSchedules()) {
                   *response->add_schedules() = ScheduleProto(
                       schedule, BranchNameOf(*env_.engine, schedule.branch));
                 }
                 return absl::OkStatus();
               });
}

grpc::Status SnapshotServiceImpl::DeleteSchedule(
    grpc::ServerContext* context, const v1::DeleteScheduleRequest* request,
    google::protobuf::Empty* /*response*/) {
  return Serve(env_, context, Role::kAdmin, "DeleteSchedule", [&] {
    return env_.engine->snapshots().DeleteSchedule(request->name());
  });
}

}  // namespace pitr
