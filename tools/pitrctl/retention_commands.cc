// pitrctl retention get|set, bounds, gc (with a progress line on stderr)
// and lease create|renew|release.
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "clients/common/progress.h"
#include "google/protobuf/empty.pb.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/gc_progress.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {

using clients::Json;
namespace {

// REQUIRES: the command takes 0 or 1 positional arguments.
absl::Status CheckBranchOrDefault(const Args& args) {
  if (args.positional().empty() == args.Flag("default"))
    return absl::OkStatus();
  return UsageError("give either a BRANCH or --default");
}

absl::Status RetentionGet(const Context& c) {
  PITR_RETURN_IF_ERROR(CheckBranchOrDefault(c.args));
  if (c.args.Flag("default")) {
    v1::Retention retention;
    PITR_RETURN_IF_ERROR(
        c.client.Call(&v1::RetentionService::Stub::GetDefaultRetention,
                      google::protobuf::Empty(), &retention));
    c.out.Print(RetentionJson(retention));
    return absl::OkStatus();
  }
  v1::GetRetentionRequest request;
  request.set_branch(c.args.positional()[0]);
  v1::RetentionPolicy policy;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::RetentionService::Stub::GetRetention,
                                     request, &policy));
  c.out.Print(PolicyJson(policy));
  return absl::OkStatus();
}

absl::Status RetentionSet(const Context& c) {
  PITR_RETURN_IF_ERROR(CheckBranchOrDefault(c.args));
  v1::Retention retention;
  PITR_RETURN_IF_ERROR(DurationOption(
      c.args, "window", [&] { return retention.mutable_window(); }));
  if (c.args.Has("lsn_distance")) {
    PITR_ASSIGN_OR_RETURN(
        uint64_t distance,
        ParseNumber("--lsn_distance", c.args.Get("lsn_distance")));
    retention.set_lsn_distance(distance);
  }
  if (c.args.Flag("default")) {
    v1::Retention updated;
    PITR_RETURN_IF_ERROR(
        c.client.Call(&v1::RetentionService::Stub::UpdateDefaultRetention,
                      retention, &updated));
    c.out.Print(RetentionJson(updated));
    return absl::OkStatus();
  }
  v1::UpdateRetentionRequest request;
  request.set_branch(c.args.positional()[0]);
  *request.mutable_retention() = retention;
  v1::RetentionPolicy policy;
  PITR_RETURN_IF_ERROR(c.client.Call(
      &v1::RetentionService::Stub::UpdateRetention, request, &policy));
  c.out.Print(PolicyJson(policy));
  return absl::OkStatus();
}

absl::Status Bounds(const Context& c) {
  v1::GetHistoryBoundsRequest request;
  request.set_branch(c.args.positional()[0]);
  v1::HistoryBounds bounds;
  PITR_RETURN_IF_ERROR(c.client.Call(
      &v1::RetentionService::Stub::GetHistoryBounds, request, &bounds));
  c.out.Print(BoundsJson(bounds));
  return absl::OkStatus();
}

// RunGcWithProgress, drawing its progress; RunGc on a server without it.
absl::Status Gc(const Context& c) {
  v1::RunGcRequest request;
  request.set_compact(c.args.Flag("compact"));
  // A run (with --compact above all) can take long: no deadline unless
  // --timeout is given.
  const bool no_deadline = !c.args.Has("timeout");
  std::unique_ptr<grpc::ClientContext> context =
      c.client.NewContext(no_deadline);
  auto reader = c.client.retention().RunGcWithProgress(context.get(), request);
  clients::StatusLine line(stderr, ShowProgress(c.args));
  const absl::Time start = absl::Now();
  v1::RunGcUpdate update;
  v1::GcProgress progress;
  v1::GcReport report;
  while (reader->Read(&update)) {
    if (update.has_report()) report = update.report();
    if (!update.has_progress()) continue;
    progress = update.progress();
    line.Update([&] { return GcProgressLine(progress, absl::Now() - start); });
  }
  grpc::Status status = reader->Finish();
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    context = c.client.NewContext(no_deadline);
    status = c.client.retention().RunGc(context.get(), request, &report);
  } else {
    line.Finish(GcProgressLine(progress, absl::Now() - start));
  }
  PITR_RETURN_IF_ERROR(c.client.Convert(status));
  c.out.Print(GcReportJson(report));
  return absl::OkStatus();
}

template <typename Request>
absl::Status TtlOption(const Args& args, Request* request) {
  if (!args.Has("ttl")) return UsageError("--ttl DURATION is required");
  return DurationOption(args, "ttl", [&] { return request->mutable_ttl(); });
}

absl::StatusOr<uint64_t> LeaseId(const Args& args) {
  return ParseNumber("lease id", args.positional()[0]);
}

absl::Status LeaseCreate(const Context& c) {
  v1::CreateLeaseRequest request;
  request.set_branch(c.args.Get("branch"));
  absl::StatusOr<Lsn> lsn = ParseLsn(c.args.positional()[0]);
  if (!lsn.ok()) return AsUsageError(lsn.status());
  request.set_lsn(*lsn);
  PITR_RETURN_IF_ERROR(TtlOption(c.args, &request));
  v1::Lease lease;
  PITR_RETURN_IF_ERROR(
      c.client.Call(&v1::RetentionService::Stub::CreateLease, request, &lease));
  c.out.Print(LeaseJson(lease));
  return absl::OkStatus();
}

absl::Status LeaseRenew(const Context& c) {
  v1::RenewLeaseRequest request;
  PITR_ASSIGN_OR_RETURN(uint64_t id, LeaseId(c.args));
  request.set_id(id);
  PITR_RETURN_IF_ERROR(TtlOption(c.args, &request));
  v1::Lease lease;
  PITR_RETURN_IF_ERROR(
      c.client.Call(&v1::RetentionService::Stub::RenewLease, request, &lease));
  c.out.Print(LeaseJson(lease));
  return absl::OkStatus();
}

absl::Status LeaseRelease(const Context& c) {
  v1::ReleaseLeaseRequest request;
  PITR_ASSIGN_OR_RETURN(uint64_t id, LeaseId(c.args));
  request.set_id(id);
  google::protobuf::Empty empty;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::RetentionService::Stub::ReleaseLease,
                                     request, &empty));
  c.out.Print(Json::Object().Set("released", Json::Number(id)));
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> RetentionCommands() {
  return {
      {"retention get",
       "BRANCH | --default",
       "Show a branch's own and effective retention, or the default.",
       {{"default", false, "the store-wide default instead of a branch's"}},
       0,
       1,
       RetentionGet},
      {"retention set",
       "BRANCH | --default [--window DURATION] [--lsn_distance BYTES]",
       "Replace a branch's retention (what is not given falls back to the "
       "default), or the default (--window required; the store keeps it "
       "across restarts, in place of pitrd's --default_retention).",
       {{"default", false, "set the store-wide default instead of a branch's"},
        {"window", true, "keep this much time of history"},
        {"lsn_distance", true, "keep this many bytes of WAL (LSN distance)"}},
       0,
       1,
       RetentionSet},
      {"bounds",
       "BRANCH",
       "Show a branch's history bounds: oldest and latest readable LSN and "
       "time.",
       {},
       1,
       1,
       Bounds},
      {"gc",
       "[--compact] [--progress]",
       "Run garbage collection now and print its report (--compact: give the "
       "disk space back at once); no deadline unless --timeout is given.",
       {{"compact", false, "compact the store, so the disk space returns now"},
        {"progress", false,
         "draw a progress line on stderr (default: if it is a terminal)"}},
       0,
       0,
       Gc},
      {"lease create",
       "LSN --ttl DURATION [--branch B]",
       "Keep LSN of B (default main) readable for DURATION.",
       {{"ttl", true, "how long the lease lasts, 1s to 1d (required)"},
        {"branch", true, "the branch of LSN (default main)"}},
       1,
       1,
       LeaseCreate},
      {"lease renew",
       "ID --ttl DURATION",
       "Extend a lease to DURATION from now.",
       {{"ttl", true, "the lease's new lifetime from now (required)"}},
       1,
       1,
       LeaseRenew},
      {"lease release", "ID", "Release a lease.", {}, 1, 1, LeaseRelease},
  };
}

}  // namespace pitr::ctl
