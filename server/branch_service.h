// BranchService (proto/branch_service.proto) over the engine: create, get,
// list, delete and restore branches.
#ifndef PITR_SERVER_BRANCH_SERVICE_H_
#define PITR_SERVER_BRANCH_SERVICE_H_

#include "proto/branch_service.grpc.pb.h"
#include "server/service_util.h"

namespace pitr {

class BranchServiceImpl final : public v1::BranchService::Service {
 public:
  explicit BranchServiceImpl(ServiceEnv env) : env_(env) {}

  grpc::Status CreateBranch(grpc::ServerContext* context,
                            const v1::CreateBranchRequest* request,
                            v1::Branch* response) override;
  grpc::Status GetBranch(grpc::ServerContext* context,
                         const v1::GetBranchRequest* request,
                         v1::Branch* response) override;
  grpc::Status ListBranches(grpc::ServerContext* context,
                            const v1::ListBranchesRequest* request,
                            v1::ListBranchesResponse* response) override;
  grpc::Status DeleteBranch(grpc::ServerContext* context,
                            const v1::DeleteBranchRequest* request,
                            v1::DeleteBranchResponse* response) override;
  grpc::Status RestoreBranch(grpc::ServerContext* context,
                             const v1::RestoreBranchRequest* request,
                             v1::RestoreBranchResponse* response) override;

 private:
  const ServiceEnv env_;
};

}  // namespace pitr

#endif  // PITR_SERVER_BRANCH_SERVICE_H_
