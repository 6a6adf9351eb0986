#include "server/page_service.h"

#include <vector>

#include "base/status_macros.h"
#include "proto/record_convert.h"
#include "proto/time_convert.h"
#include "server/replication_service.h"

namespace pitr {

absl::StatusOr<std::pair<Branch, Lsn>> PageServiceImpl::ReadTarget(
    const std::string& branch_name, const v1::PointInTime& point) {
  Engine& engine = *env_.engine;
  PITR_ASSIGN_OR_RETURN(Branch branch, BranchNamed(engine, branch_name));
  PITR_ASSIGN_OR_RETURN(std::optional<Lsn> lsn, ReadLsn(engine, branch, point));
  return std::make_pair(branch, lsn ? *lsn : engine.latest_lsn());
}

grpc::ServerUnaryReactor* PageServiceImpl::GetPage(
    grpc::CallbackServerContext* context, const v1::GetPageRequest* request,
    v1::Page* response) {
  return ServeInline(
      env_, context, Role::kRead, "GetPage",
      [this, request, response] { return ReadPage(*request, response); });
}

absl::Status PageServiceImpl::ReadPage(const v1::GetPageRequest& request,
                                       v1::Page* response) {
  PITR_ASSIGN_OR_RETURN(auto target,
                        ReadTarget(request.branch(), request.point()));
  PITR_ASSIGN_OR_RETURN(
      *response->mutable_data(),
      env_.engine->GetPage(target.first.id, ToPageKey(request.key()),
                           target.second));
  *response->mutable_key() = request.key();
  response->set_lsn(target.second);
  return absl::OkStatus();
}

absl::Status PageServiceImpl::ReadPages(const v1::GetPagesRequest& request,
                                        v1::GetPagesResponse* response) {
  PITR_RETURN_IF_ERROR(
      CheckCount(request.keys_size(), env_.max_items_per_request, "keys"));
  PITR_ASSIGN_OR_RETURN(auto target,
                        ReadTarget(request.branch(), request.point()));
  std::vector<PageKey> keys;
  keys.reserve(request.keys_size());
  for (const v1::PageKey& key : request.keys()) keys.push_back(ToPageKey(key));
  PITR_ASSIGN_OR_RETURN(
      std::vector<absl::StatusOr<std::string>> pages,
      env_.engine->GetPages(target.first.id, keys, target.second));
  response->set_lsn(target.second);
  for (int i = 0; i < request.keys_size(); ++i) {
    v1::PageResult* result = response->add_results();
    *result->mutable_key() = request.keys(i);
    if (pages[i].ok()) {
      *result->mutable_data() = std::move(*pages[i]);
    } else {
      result->set_code(static_cast<int32_t>(pages[i].status().code()));
      result->set_message(std::string(pages[i].status().message()));
    }
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* PageServiceImpl::GetPages(
    grpc::CallbackServerContext* context, const v1::GetPagesRequest* request,
    v1::GetPagesResponse* response) {
  return ServeInline(
      env_, context, Role::kRead, "GetPages",
      [this, request, response] { return ReadPages(*request, response); });
}

grpc::Status PageServiceImpl::DiffPages(
    grpc::ServerContext* context, const v1::DiffPagesRequest* request,
    grpc::ServerWriter<v1::DiffPagesResponse>* writer) {
  return Serve(env_, context, Role::kRead, "DiffPages", [&]() -> absl::Status {
    PITR_ASSIGN_OR_RETURN(
        auto from, ReadTarget(request->from_branch(), request->from_point()));
    PITR_ASSIGN_OR_RETURN(
        auto to, ReadTarget(request->to_branch(), request->to_point()));
    constexpr size_t kMessageBytes = 1 << 20;
    v1::DiffPagesResponse message;
    size_t bytes = 0;
    auto send = [&]() -> absl::Status {
      if (!writer->Write(message)) {
        return absl::CancelledError("the client went away");
      }
      message.Clear();
      bytes = 0;
      return absl::OkStatus();
    };
    PITR_ASSIGN_OR_RETURN(
        DiffSummary summary,
        env_.engine->DiffPages(
            from.first.id, {from.second, std::nullopt}, to.first.id,
            {to.second, std::nullopt}, request->with_contents(),
            [&](const PageDiff& diff) -> absl::Status {
              if (context->IsCancelled()) {
                return absl::CancelledError("the call was cancelled");
              }
              v1::PageDiff* out = message.add_pages();
              *out->mutable_key() = PageKeyProto(diff.key);
              out->set_kind(static_cast<v1::PageDiff::Kind>(diff.kind));
              if (diff.before) *out->mutable_before() = *diff.before;
              if (diff.after) *out->mutable_after() = *diff.after;
              bytes += 16 + out->before().size() + out->after().size();
              return bytes >= kMessageBytes ? send() : absl::OkStatus();
            }));
    message.set_done(true);
    message.set_from_lsn(summary.from_lsn);
    message.set_to_lsn(summary.to_lsn);
    message.set_pages_compared(summary.pages_compared);
    message.set_added(summary.added);
    message.set_changed(summary.changed);
    message.set_removed(summary.removed);
    return send();
  });
}

grpc::Status PageServiceImpl::StreamPages(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::GetPagesResponse, v1::GetPagesRequest>*
        stream) {
  return Serve(env_, context, Role::kRead, "StreamPages",
               [&]() -> absl::Status {
                 v1::GetPagesRequest request;
                 v1::GetPagesResponse response;
                 while (stream->Read(&request)) {
                   response.Clear();
                   PITR_RETURN_IF_ERROR(ReadPages(request, &response));
                   if (!stream->Write(response)) {
                     return absl::CancelledError("the client went away");
                   }
                 }
                 return absl::OkStatus();
               });
}

grpc::Status PageServiceImpl::GetSpaceSize(
    grpc::ServerContext* context, const v1::GetSpaceSizeRequest* request,
    v1::SpaceSize* response) {
  return Serve(
      env_, context, Role::kRead, "GetSpaceSize", [&]() -> absl::Status {
        PITR_ASSIGN_OR_RETURN(auto target,
                              ReadTarget(request->branch(), request->point()));
        PITR_ASSIGN_OR_RETURN(
            uint32_t pages,
            env_.engine->GetSpaceSize(target.first.id, request->space(),
                                      target.second));
        response->set_pages(pages);
        response->set_lsn(target.second);
        return absl::OkStatus();
      });
}

grpc::Status PageServiceImpl::GetStoreInfo(
    grpc::ServerContext* context, const v1::GetStoreInfoRequest* /*request*/,
    v1::StoreInfo* response) {
  return Serve(
      env_, context, Role::kRead, "GetStoreInfo", [&]() -> absl::Status {
        Engine& engine = *env_.engine;
        response->set_page_size(engine.page_size());
        response->set_latest_lsn(engine.latest_lsn());
        response->set_oldest_wal_lsn(engine.wal().oldest_lsn());
        response->set_version(kPitrVersion);
        response->set_store_id(engine.store_id().ToHex());
        *response->mutable_replication() =
            DescribeReplication(engine, env_.follower);
        const EngineStats stats = engine.stats();
        if (stats.archiving) {
          v1::ArchiveInfo* archive = response->mutable_archive();
          archive->set_remote(stats.archive_remote);
          archive->set_generation(stats.archive_generation);
          archive->set_archived_lsn(stats.archive.archived_lsn);
          archive->set_lag_bytes(stats.latest_lsn - stats.archive.archived_lsn);
          *archive->mutable_lag() = DurationProto(stats.archive_lag);
          archive->set_fenced(stats.archive.fenced);
          if (!stats.archive.last_error.ok()) {
            archive->set_last_error(stats.archive.last_error.ToString());
          }
        }
        return absl::OkStatus();
      });
}

}  // namespace pitr
