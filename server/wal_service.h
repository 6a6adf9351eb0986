// WalService (proto/wal_service.proto) over the engine: atomic appends, a
// client stream of appends for bulk ingest, and reading the log back.
#ifndef PITR_SERVER_WAL_SERVICE_H_
#define PITR_SERVER_WAL_SERVICE_H_

#include "proto/wal_service.grpc.pb.h"
#include "server/service_util.h"

namespace pitr {

class WalServiceImpl final : public v1::WalService::Service {
 public:
  explicit WalServiceImpl(ServiceEnv env) : env_(env) {}

  grpc::Status Append(grpc::ServerContext* context,
                      const v1::AppendRequest* request,
                      v1::AppendResponse* response) override;
  grpc::Status AppendStream(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::AppendRequest>* reader,
      v1::AppendStreamResponse* response) override;
  grpc::Status ReadWal(grpc::ServerContext* context,
                       const v1::ReadWalRequest* request,
                       grpc::ServerWriter<v1::WalBatch>* writer) override;

 private:
  // Appends one request's batch.
  absl::StatusOr<AppendResult> AppendOne(const v1::AppendRequest& request);

  const ServiceEnv env_;
};

}  // namespace pitr

#endif  // PITR_SERVER_WAL_SERVICE_H_
