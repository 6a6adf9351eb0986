// RetentionService (proto/retention_service.proto) over the engine:
// retention windows, history bounds, leases and GC.
#ifndef PITR_SERVER_RETENTION_SERVICE_H_
#define PITR_SERVER_RETENTION_SERVICE_H_

#include <map>
#include <string>

#include "base/mutex.h"
#include "proto/retention_service.grpc.pb.h"
#include "server/service_util.h"

namespace pitr {

class RetentionServiceImpl final : public v1::RetentionService::Service {
 public:
  explicit RetentionServiceImpl(ServiceEnv env) : env_(env) {}

  grpc::Status GetRetention(grpc::ServerContext* context,
                            const v1::GetRetentionRequest* request,
                            v1::RetentionPolicy* response) override;
  grpc::Status UpdateRetention(grpc::ServerContext* context,
                               const v1::UpdateRetentionRequest* request,
                               v1::RetentionPolicy* response) override;
  grpc::Status GetDefaultRetention(grpc::ServerContext* context,
                                   const google::protobuf::Empty* request,
                                   v1::Retention* response) override;
  grpc::Status UpdateDefaultRetention(grpc::ServerContext* context,
                                      const v1::Retention* request,
                                      v1::Retention* response) override;
  grpc::Status GetHistoryBounds(grpc::ServerContext* context,
                                const v1::GetHistoryBoundsRequest* request,
                                v1::HistoryBounds* response) override;
  grpc::Status CreateLease(grpc::ServerContext* context,
                           const v1::CreateLeaseRequest* request,
                           v1::Lease* response) override;
  grpc::Status RenewLease(grpc::ServerContext* context,
                          const v1::RenewLeaseRequest* request,
                          v1::Lease* response) override;
  grpc::Status ReleaseLease(grpc::ServerContext* context,
                            const v1::ReleaseLeaseRequest* request,
                            google::protobuf::Empty* response) override;
  grpc::Status RunGc(grpc::ServerContext* context,
                     const v1::RunGcRequest* request,
                     v1::GcReport* response) override;
  grpc::Status RunGcWithProgress(
      grpc::ServerContext* context, const v1::RunGcRequest* request,
      grpc::ServerWriter<v1::RunGcUpdate>* writer) override;

 private:
  // The branch's own and effective retention.
  absl::Status DescribeRetention(const Branch& branch,
                                 v1::RetentionPolicy* response);

  const ServiceEnv env_;
  // What each lease pins (the engine keeps only the pin), to answer
  // RenewLease with the whole lease.
  Mutex mu_;
  std::map<uint64_t, v1::Lease> leases_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr

#endif  // PITR_SERVER_RETENTION_SERVICE_H_
