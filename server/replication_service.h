// ReplicationService (proto/replication_service.proto): the stream a
// primary sends its read replicas (engine/replication_source.h), where a
// server stands, and promotion of a replica (engine/replication.h).
#ifndef PITR_SERVER_REPLICATION_SERVICE_H_
#define PITR_SERVER_REPLICATION_SERVICE_H_

#include "proto/replication_service.grpc.pb.h"
#include "server/replica_follower.h"
#include "server/service_util.h"

namespace pitr {

// The status GetReplicationStatus and GetStoreInfo report: a primary's, or
// a replica's from its follower (`follower` null on a primary).
v1::ReplicationStatus DescribeReplication(const Engine& engine,
                                          const ReplicaFollower* follower);

class ReplicationServiceImpl final : public v1::ReplicationService::Service {
 public:
  explicit ReplicationServiceImpl(ServiceEnv env) : env_(env) {}

  grpc::Status Follow(
      grpc::ServerContext* context, const v1::FollowRequest* request,
      grpc::ServerWriter<v1::ReplicationMessage>* writer) override;
  grpc::Status GetReplicationStatus(
      grpc::ServerContext* context,
      const v1::GetReplicationStatusRequest* request,
      v1::ReplicationStatus* response) override;
  grpc::Status Promote(grpc::ServerContext* context,
                       const v1::PromoteRequest* request,
                       v1::PromoteResponse* response) override;

 private:
  const ServiceEnv env_;
};

}  // namespace pitr

#endif  // PITR_SERVER_REPLICATION_SERVICE_H_
