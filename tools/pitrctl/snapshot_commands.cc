// pitrctl snapshot create|list|get|delete.
#include <string>
#include <vector>

#include "base/status_macros.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {

using clients::Json;
namespace {

absl::Status Create(const Context& c) {
  v1::CreateSnapshotRequest request;
  request.set_name(c.args.positional()[0]);
  request.set_branch(c.args.Get("branch"));
  PITR_ASSIGN_OR_RETURN(*request.mutable_point(), PointOption(c.args));
  PITR_RETURN_IF_ERROR(DurationOption(
      c.args, "keep_for", [&] { return request.mutable_keep_for(); }));
  v1::Snapshot snapshot;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::SnapshotService::Stub::CreateSnapshot,
                                     request, &snapshot));
  c.out.Print(SnapshotJson(snapshot));
  return absl::OkStatus();
}

absl::Status List(const Context& c) {
  v1::ListSnapshotsRequest request;
  request.set_branch(c.args.Get("branch"));
  request.set_page_size(1000);
  Json snapshots = Json::Array();
  do {
    v1::ListSnapshotsResponse response;
    PITR_RETURN_IF_ERROR(c.client.Call(
        &v1::SnapshotService::Stub::ListSnapshots, request, &response));
    for (const v1::Snapshot& s : response.snapshots())
      snapshots.Push(SnapshotJson(s));
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  c.out.PrintList("snapshots", snapshots,
                  {FieldColumn("name"), FieldColumn("branch"),
                   FieldColumn("lsn"), FieldColumn("kind"),
                   FieldColumn("create_time"), FieldColumn("expire_time")});
  return absl::OkStatus();
}

absl::Status Get(const Context& c) {
  v1::GetSnapshotRequest request;
  request.set_name(c.args.positional()[0]);
  v1::Snapshot snapshot;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::SnapshotService::Stub::GetSnapshot,
                                     request, &snapshot));
  c.out.Print(SnapshotJson(snapshot));
  return absl::OkStatus();
}

absl::Status Delete(const Context& c) {
  v1::DeleteSnapshotRequest request;
  request.set_name(c.args.positional()[0]);
  google::protobuf::Empty empty;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::SnapshotService::Stub::DeleteSnapshot,
                                     request, &empty));
  c.out.Print(Json::Object().Set("deleted", Json::String(request.name())));
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> SnapshotCommands() {
  return {
      {"snapshot create",
       "NAME [--branch B] [--at POINT] [--keep_for DURATION]",
       "Take a snapshot of B (default main) at POINT (default latest); "
       "--keep_for: delete it after that long.",
       {{"branch", true, "the branch to snapshot (default main)"},
        {"at", true, "the point to snapshot (default the latest)"},
        {"keep_for", true, "delete the snapshot after DURATION"}},
       1,
       1,
       Create},
      {"snapshot list",
       "[--branch B]",
       "List the snapshots (of branch B only, if given).",
       {{"branch", true, "only the snapshots of branch B"}},
       0,
       0,
       List},
      {"snapshot get", "NAME", "Show a snapshot.", {}, 1, 1, Get},
      {"snapshot delete", "NAME", "Delete a snapshot.", {}, 1, 1, Delete},
  };
}

}  // namespace pitr::ctl
