// PageService (proto/page_service.proto) over the engine: pages of any
// branch as of any point, one at a time, in batches or over a stream; diffs;
// named spaces and what changed in one since a position (space_rpcs.cc).
#ifndef PITR_SERVER_PAGE_SERVICE_H_
#define PITR_SERVER_PAGE_SERVICE_H_

#include "base/version.h"
#include "proto/page_service.grpc.pb.h"
#include "server/service_util.h"

namespace pitr {

// GetPage and GetPages, the reads under every cache miss of a client, are
// on gRPC's callback API (ServeInline); the other methods are synchronous.
class PageServiceImpl final
    : public v1::PageService::WithCallbackMethod_GetPage<
          v1::PageService::WithCallbackMethod_GetPages<
              v1::PageService::Service>> {
 public:
  explicit PageServiceImpl(ServiceEnv env) : env_(env) {}

  grpc::ServerUnaryReactor* GetPage(grpc::CallbackServerContext* context,
                                    const v1::GetPageRequest* request,
                                    v1::Page* response) override;
  grpc::ServerUnaryReactor* GetPages(grpc::CallbackServerContext* context,
                                     const v1::GetPagesRequest* request,
                                     v1::GetPagesResponse* response) override;
  // Their work, without the call around it (the request fuzzer calls them).
  absl::Status ReadPage(const v1::GetPageRequest& request, v1::Page* response);
  absl::Status ReadPages(const v1::GetPagesRequest& request,
                         v1::GetPagesResponse* response);

  grpc::Status StreamPages(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::GetPagesResponse, v1::GetPagesRequest>*
          stream) override;
  grpc::Status GetSpaceSize(grpc::ServerContext* context,
                            const v1::GetSpaceSizeRequest* request,
                            v1::SpaceSize* response) override;
  grpc::Status DiffPages(
      grpc::ServerContext* context, const v1::DiffPagesRequest* request,
      grpc::ServerWriter<v1::DiffPagesResponse>* writer) override;
  grpc::Status GetStoreInfo(grpc::ServerContext* context,
                            const v1::GetStoreInfoRequest* request,
                            v1::StoreInfo* response) override;
  // Named spaces and cached readers (space_rpcs.cc).
  grpc::Status ResolveSpace(grpc::ServerContext* context,
                            const v1::ResolveSpaceRequest* request,
                            v1::Space* response) override;
  grpc::Status ListSpaces(grpc::ServerContext* context,
                          const v1::ListSpacesRequest* request,
                          v1::ListSpacesResponse* response) override;
  grpc::Status GetChanges(grpc::ServerContext* context,
                          const v1::GetChangesRequest* request,
                          v1::GetChangesResponse* response) override;
  grpc::Status WatchChanges(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::WatchNotice, v1::WatchChangesRequest>*
          stream) override;

 private:
  // The branch and the LSN a read at `point` is served at (the latest LSN
  // when the point is unset, so the response can say which).
  absl::StatusOr<std::pair<Branch, Lsn>> ReadTarget(
      const std::string& branch, const v1::PointInTime& point);

  // WatchChanges' notices, until the watch ends (its status).
  absl::Status SendNotices(
      grpc::ServerContext* context, const v1::WatchChangesRequest& first,
      BranchId branch, WatchHub::Watcher* watcher,
      grpc::ServerReaderWriter<v1::WatchNotice, v1::WatchChangesRequest>*
          stream);

  const ServiceEnv env_;
};

}  // namespace pitr

#endif  // PITR_SERVER_PAGE_SERVICE_H_
