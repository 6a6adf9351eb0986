// SnapshotService (proto/snapshot_service.proto) over the engine: snapshots
// and the schedules that take them.
#ifndef PITR_SERVER_SNAPSHOT_SERVICE_H_
#define PITR_SERVER_SNAPSHOT_SERVICE_H_

#include "proto/snapshot_service.grpc.pb.h"
#include "server/service_util.h"

namespace pitr {

class SnapshotServiceImpl final : public v1::SnapshotService::Service {
 public:
  explicit SnapshotServiceImpl(ServiceEnv env) : env_(env) {}

  grpc::Status CreateSnapshot(grpc::ServerContext* context,
                              const v1::CreateSnapshotRequest* request,
                              v1::Snapshot* response) override;
  grpc::Status GetSnapshot(grpc::ServerContext* context,
                           const v1::GetSnapshotRequest* request,
                           v1::Snapshot* response) override;
  grpc::Status ListSnapshots(grpc::ServerContext* context,
                             const v1::ListSnapshotsRequest* request,
                             v1::ListSnapshotsResponse* response) override;
  grpc::Status DeleteSnapshot(grpc::ServerContext* context,
                              const v1::DeleteSnapshotRequest* request,
                              google::protobuf::Empty* response) override;
  grpc::Status CreateSchedule(grpc::ServerContext* context,
                              const v1::CreateScheduleRequest* request,
                              v1::SnapshotSchedule* response) override;
  grpc::Status ListSchedules(grpc::ServerContext* context,
                             const v1::ListSchedulesRequest* request,
                             v1::ListSchedulesResponse* response) override;
  grpc::Status DeleteSchedule(grpc::ServerContext* context,
                              const v1::DeleteScheduleRequest* request,
                              google::protobuf::Empty* response) override;

 private:
  const ServiceEnv env_;
};

}  // namespace pitr

#endif  // PITR_SERVER_SNAPSHOT_SERVICE_H_
