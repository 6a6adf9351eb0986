// pitrctl space list|resolve: the named spaces (a database's name, for the
// SQLite extension) and their ids.
#include <vector>

#include "base/status_macros.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {

using clients::Json;
namespace {

absl::Status Resolve(const Context& c) {
  v1::ResolveSpaceRequest request;
  request.set_name(c.args.positional()[0]);
  request.set_create(c.args.Flag("create"));
  v1::Space space;
  PITR_RETURN_IF_ERROR(
      c.client.Call(&v1::PageService::Stub::ResolveSpace, request, &space));
  c.out.Print(SpaceJson(space));
  return absl::OkStatus();
}

absl::Status List(const Context& c) {
  Json spaces = Json::Array();
  v1::ListSpacesRequest request;
  request.set_page_size(1000);
  do {
    v1::ListSpacesResponse response;
    PITR_RETURN_IF_ERROR(
        c.client.Call(&v1::PageService::Stub::ListSpaces, request, &response));
    for (const v1::Space& space : response.spaces()) {
      spaces.Push(SpaceJson(space));
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  c.out.PrintList(
      "spaces", spaces,
      {FieldColumn("name"), FieldColumn("id"), FieldColumn("create_time")});
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> SpaceCommands() {
  return {
      {"space list",
       "",
       "List the named spaces (the databases of the SQLite extension) and "
       "their ids, the same on every branch.",
       {},
       0,
       0,
       List},
      {"space resolve",
       "NAME [--create]",
       "Show the id of the named space NAME; with --create, make it if it "
       "does not exist.",
       {{"create", false, "make the space if it does not exist yet"}},
       1,
       1,
       Resolve},
  };
}

}  // namespace pitr::ctl
