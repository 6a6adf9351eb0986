// pitrctl schedule create|list|delete: snapshot schedules.
#include <string>
#include <vector>

#include "base/status_macros.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {

using clients::Json;
namespace {

absl::Status Create(const Context& c) {
  if (!c.args.Has("branch") || !c.args.Has("every")) {
    return UsageError("--branch and --every are required");
  }
  v1::CreateScheduleRequest request;
  v1::SnapshotSchedule* schedule = request.mutable_schedule();
  schedule->set_name(c.args.positional()[0]);
  schedule->set_branch(c.args.Get("branch"));
  PITR_RETURN_IF_ERROR(DurationOption(
      c.args, "every", [&] { return schedule->mutable_every(); }));
  if (c.args.Has("keep_last")) {
    PITR_ASSIGN_OR_RETURN(
        uint64_t keep_last,
        ParseNumber("--keep_last", c.args.Get("keep_last"), UINT32_MAX));
    schedule->set_keep_last(static_cast<uint32_t>(keep_last));
  }
  PITR_RETURN_IF_ERROR(DurationOption(
      c.args, "keep_for", [&] { return schedule->mutable_keep_for(); }));
  v1::SnapshotSchedule created;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::SnapshotService::Stub::CreateSchedule,
                                     request, &created));
  c.out.Print(ScheduleJson(created));
  return absl::OkStatus();
}

absl::Status List(const Context& c) {
  v1::ListSchedulesResponse response;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::SnapshotService::Stub::ListSchedules,
                                     v1::ListSchedulesRequest(), &response));
  Json schedules = Json::Array();
  for (const v1::SnapshotSchedule& s : response.schedules()) {
    schedules.Push(ScheduleJson(s));
  }
  c.out.PrintList("schedules", schedules,
                  {FieldColumn("name"), FieldColumn("branch"),
                   FieldColumn("every"), FieldColumn("keep_last"),
                   FieldColumn("keep_for"), FieldColumn("last_run_time")});
  return absl::OkStatus();
}

absl::Status Delete(const Context& c) {
  v1::DeleteScheduleRequest request;
  request.set_name(c.args.positional()[0]);
  google::protobuf::Empty empty;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::SnapshotService::Stub::DeleteSchedule,
                                     request, &empty));
  c.out.Print(Json::Object().Set("deleted", Json::String(request.name())));
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> ScheduleCommands() {
  return {
      {"schedule create",
       "NAME --branch B --every DURATION [--keep_last N] [--keep_for DURATION]",
       "Snapshot B every DURATION, keeping the newest N and/or those younger "
       "than --keep_for.",
       {{"branch", true, "the branch to snapshot (required)"},
        {"every", true, "the time between snapshots (required)"},
        {"keep_last", true, "keep the newest N snapshots"},
        {"keep_for", true, "keep the snapshots younger than DURATION"}},
       1,
       1,
       Create},
      {"schedule list", "", "List the snapshot schedules.", {}, 0, 0, List},
      {"schedule delete",
       "NAME",
       "Delete a schedule (the snapshots it took stay).",
       {},
       1,
       1,
       Delete},
  };
}

}  // namespace pitr::ctl
