// PageService's calls for named spaces and cached readers: ResolveSpace,
// ListSpaces, GetChanges and WatchChanges (proto/page_service.proto).
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "proto/time_convert.h"
#include "server/page_service.h"

namespace pitr {
namespace {

v1::Space SpaceProto(const NamedSpace& space) {
  v1::Space proto;
  proto.set_name(space.name);
  proto.set_id(space.id);
  *proto.mutable_create_time() = TimestampProto(space.created_us);
  return proto;
}

void FillChanges(const SpaceChanges& changes, v1::GetChangesResponse* out) {
  out->mutable_position()->set_lsn(changes.position.lsn);
  out->mutable_position()->set_timeline_id(changes.position.timeline.value());
  out->set_space_pages(changes.space_pages);
  for (uint32_t page : changes.pages) out->add_pages(page);
  out->set_all_changed(changes.all_changed);
}

std::optional<BranchPosition> SinceOf(bool has_since,
                                      const v1::BranchPosition& since) {
  if (!has_since) return std::nullopt;
  return BranchPosition{since.lsn(), TimelineId(since.timeline_id())};
}

// How often a watch with nothing to send looks whether its call is over.
constexpr absl::Duration kWatchPoll = absl::Milliseconds(200);

}  // namespace

grpc::Status PageServiceImpl::ResolveSpace(
    grpc::ServerContext* context, const v1::ResolveSpaceRequest* request,
    v1::Space* response) {
  // Making a space writes the catalog: that takes the admin role.
  const Role role = request->create() ? Role::kAdmin : Role::kRead;
  return Serve(env_, context, role, "ResolveSpace", [&]() -> absl::Status {
    PITR_ASSIGN_OR_RETURN(
        NamedSpace space,
        env_.engine->ResolveSpace(request->name(), request->create()));
    *response = SpaceProto(space);
    return absl::OkStatus();
  });
}

grpc::Status PageServiceImpl::ListSpaces(grpc::ServerContext* context,
                                         const v1::ListSpacesRequest* request,
                                         v1::ListSpacesResponse* response) {
  return Serve(env_, context, Role::kRead, "ListSpaces", [&]() -> absl::Status {
    const std::vector<NamedSpace> spaces = env_.engine->ListSpaces();
    PITR_ASSIGN_OR_RETURN(
        ListPage page,
        PageOfList(request->page_size(), request->page_token(), spaces.size()));
    for (uint64_t i = page.begin; i < page.end; ++i) {
      *response->add_spaces() = SpaceProto(spaces[i]);
    }
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status PageServiceImpl::GetChanges(grpc::ServerContext* context,
                                         const v1::GetChangesRequest* request,
                                         v1::GetChangesResponse* response) {
  return Serve(env_, context, Role::kRead, "GetChanges", [&]() -> absl::Status {
    Engine& engine = *env_.engine;
    PITR_ASSIGN_OR_RETURN(Branch branch,
                          BranchNamed(engine, request->branch()));
    PITR_ASSIGN_OR_RETURN(
        SpaceChanges changes,
        engine.GetChanges(branch.id, request->space(),
                          SinceOf(request->has_since(), request->since())));
    FillChanges(changes, response);
    return absl::OkStatus();
  });
}

grpc::Status PageServiceImpl::WatchChanges(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::WatchNotice, v1::WatchChangesRequest>*
        stream) {
  return Serve(
      env_, context, Role::kRead, "WatchChanges", [&]() -> absl::Status {
        if (env_.watches == nullptr) {
          return absl::FailedPreconditionError(
              "WatchChanges is served by the primary only: a read replica's "
              "changes come from its primary, with no writer to hold back (use "
              "GetChanges here)");
        }
        v1::WatchChangesRequest first;
        if (!stream->Read(&first)) {
          return absl::CancelledError(
              "the client closed the watch before its first request");
        }
        PITR_ASSIGN_OR_RETURN(Branch branch,
                              BranchNamed(*env_.engine, first.branch()));
        WatchHub& hub = *env_.watches;
        // Eviction cancels the call: its stream's reads and writes fail.
        std::shared_ptr<WatchHub::Watcher> watcher =
            hub.Add(branch.id, [context] { context->TryCancel(); });
        hub.Received(watcher.get(), 0, first.renewal());
        // The client's acknowledgements and renewals, read while notices go
        // out.
        std::thread reader([&] {
          v1::WatchChangesRequest request;
          while (stream->Read(&request)) {
            hub.Received(watcher.get(), request.ack_version(),
                         request.renewal());
          }
        });
        const absl::Status status =
            SendNotices(context, first, branch.id, watcher.get(), stream);
        hub.Remove(watcher.get());
        // Ends the reader's Read (and so the call: the client sees CANCELLED,
        // after the end notice that says why).
        context->TryCancel();
        reader.join();
        return status;
      });
}

absl::Status PageServiceImpl::SendNotices(
    grpc::ServerContext* context, const v1::WatchChangesRequest& first,
    BranchId branch, WatchHub::Watcher* watcher,
    grpc::ServerReaderWriter<v1::WatchNotice, v1::WatchChangesRequest>*
        stream) {
  WatchHub& hub = *env_.watches;
  std::optional<BranchPosition> since =
      SinceOf(first.has_since(), first.since());
  while (!context->IsCancelled() &&
         !(env_.stopping != nullptr && env_.stopping->load())) {
    std::optional<WatchHub::Notice> next = hub.NextNotice(watcher, kWatchPoll);
    if (!next.has_value()) {
      if (!hub.Evicted(watcher)) continue;
      return absl::AbortedError(
          absl::StrCat("the watch's lease (", absl::FormatDuration(hub.lease()),
                       ") ran out while a change of the branch waited for it"));
    }
    absl::StatusOr<SpaceChanges> changes =
        env_.engine->GetChanges(branch, first.space(), since);
    v1::WatchNotice notice;
    notice.set_version(next->version);
    notice.set_renewal(next->renewal);
    *notice.mutable_lease() = DurationProto(hub.lease());
    if (!changes.ok()) {
      const absl::Status end(
          changes.status().code(),
          absl::StrCat("the watch of space ", first.space(), " of branch ",
                       first.branch().empty() ? "main" : first.branch(),
                       " ended: ", changes.status().message()));
      notice.set_end_code(static_cast<int>(end.code()));
      notice.set_end_message(std::string(end.message()));
      stream->Write(notice);
      return end;
    }
    FillChanges(*changes, notice.mutable_changes());
    // Before the write: the client may acknowledge before Write returns.
    hub.Sent(watcher, next->version);
    if (!stream->Write(notice)) break;
    since = changes->position;
  }
  return absl::CancelledError(
      "the watch ended: the client went away or the "
      "server is stopping");
}

}  // namespace pitr
