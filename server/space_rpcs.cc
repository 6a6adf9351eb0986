// PageService's calls for named spaces and cached readers: ResolveSpace,
// ListSpaces and GetChanges (proto/page_service.proto).
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
    std::optional<BranchPosition> since;
    if (request->has_since()) {
      since = BranchPosition{request->since().lsn(),
                             TimelineId(request->since().timeline_id())};
    }
    PITR_ASSIGN_OR_RETURN(
        SpaceChanges changes,
        engine.GetChanges(branch.id, request->space(), since));
    response->mutable_position()->set_lsn(changes.position.lsn);
    response->mutable_position()->set_timeline_id(
        changes.position.timeline.value());
    response->set_space_pages(changes.space_pages);
    for (uint32_t page : changes.pages) response->add_pages(page);
    response->set_all_changed(changes.all_changed);
    return absl::OkStatus();
  });
}

}  // namespace pitr
