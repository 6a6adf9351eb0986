#include "server/retention_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "proto/time_convert.h"
#include "server/convert.h"

namespace pitr {
namespace {

constexpr absl::Duration kMinLeaseTtl = absl::Seconds(1);
constexpr absl::Duration kMaxLeaseTtl = absl::Hours(24);

absl::StatusOr<absl::Duration> LeaseTtl(
    const google::protobuf::Duration& proto) {
  PITR_ASSIGN_OR_RETURN(absl::Duration ttl, ToDuration(proto, "ttl"));
  if (ttl < kMinLeaseTtl || ttl > kMaxLeaseTtl) {
    return absl::InvalidArgumentError(
        absl::StrCat("ttl ", absl::FormatDuration(ttl), " is outside [",
                     absl::FormatDuration(kMinLeaseTtl), ", ",
                     absl::FormatDuration(kMaxLeaseTtl), "]"));
  }
  return ttl;
}

}  // namespace

absl::Status RetentionServiceImpl::DescribeRetention(
    const Branch& branch, v1::RetentionPolicy* response) {
  PITR_ASSIGN_OR_RETURN(HistoryBounds bounds,
                        env_.engine->GetHistoryBounds(branch.id));
  response->set_branch(branch.name);
  *response->mutable_own() = RetentionProto(branch.retention);
  *response->mutable_effective() = RetentionProto(bounds.retention);
  return absl::OkStatus();
}

grpc::Status RetentionServiceImpl::GetRetention(
    grpc::ServerContext* context, const v1::GetRetentionRequest* request,
    v1::RetentionPolicy* response) {
  return Serve(
      env_, context, Role::kRead, "GetRetention", [&]() -> absl::Status {
        PITR_ASSIGN_OR_RETURN(Branch branch,
                              BranchNamed(*env_.engine, request->branch()));
        return DescribeRetention(branch, response);
      });
}

grpc::Status RetentionServiceImpl::UpdateRetention(
    grpc::ServerContext* context, const v1::UpdateRetentionRequest* request,
    v1::RetentionPolicy* response) {
  return Serve(
      env_, context, Role::kAdmin, "UpdateRetention", [&]() -> absl::Status {
        Engine& engine = *env_.engine;
        PITR_ASSIGN_OR_RETURN(Branch branch,
                              BranchNamed(engine, request->branch()));
        PITR_ASSIGN_OR_RETURN(Retention retention,
                              ToRetention(request->retention()));
        PITR_RETURN_IF_ERROR(engine.SetRetention(branch.id, retention));
        PITR_ASSIGN_OR_RETURN(branch, engine.GetBranch(branch.id));
        return DescribeRetention(branch, response);
      });
}

grpc::Status RetentionServiceImpl::GetDefaultRetention(
    grpc::ServerContext* context, const google::protobuf::Empty* /*request*/,
    v1::Retention* response) {
  return Serve(env_, context, Role::kRead, "GetDefaultRetention", [&] {
    *response = RetentionProto(env_.engine->default_retention());
    return absl::OkStatus();
  });
}

grpc::Status RetentionServiceImpl::UpdateDefaultRetention(
    grpc::ServerContext* context, const v1::Retention* request,
    v1::Retention* response) {
  return Serve(
      env_, context, Role::kAdmin, "UpdateDefaultRetention",
      [&]() -> absl::Status {
        PITR_ASSIGN_OR_RETURN(Retention retention, ToRetention(*request));
        if (!retention.window) {
          return absl::InvalidArgumentError(
              "the default retention needs a window (the lsn distance is "
              "optional)");
        }
        PITR_RETURN_IF_ERROR(env_.engine->SetDefaultRetention(retention));
        *response = RetentionProto(env_.engine->default_retention());
        return absl::OkStatus();
      });
}

grpc::Status RetentionServiceImpl::GetHistoryBounds(
    grpc::ServerContext* context, const v1::GetHistoryBoundsRequest* request,
    v1::HistoryBounds* response) {
  return Serve(
      env_, context, Role::kRead, "GetHistoryBounds", [&]() -> absl::Status {
        PITR_ASSIGN_OR_RETURN(Branch branch,
                              BranchNamed(*env_.engine, request->branch()));
        PITR_ASSIGN_OR_RETURN(HistoryBounds bounds,
                              env_.engine->GetHistoryBounds(branch.id));
        *response = HistoryBoundsProto(bounds);
        return absl::OkStatus();
      });
}

grpc::Status RetentionServiceImpl::CreateLease(
    grpc::ServerContext* context, const v1::CreateLeaseRequest* request,
    v1::Lease* response) {
  return Serve(
      env_, context, Role::kRead, "CreateLease", [&]() -> absl::Status {
        PITR_ASSIGN_OR_RETURN(Branch branch,
                              BranchNamed(*env_.engine, request->branch()));
        PITR_ASSIGN_OR_RETURN(absl::Duration ttl, LeaseTtl(request->ttl()));
        PITR_ASSIGN_OR_RETURN(uint64_t id, env_.engine->CreateLease(
                                               branch.id, request->lsn(), ttl));
        response->set_id(id);
        response->set_branch(branch.name);
        response->set_lsn(request->lsn());
        *response->mutable_expire_time() =
            TimestampProto(absl::ToUnixMicros(absl::Now() + ttl));
        MutexLock l(&mu_);
        // Forget the leases that expired without being released.
        const int64_t now_us = absl::ToUnixMicros(absl::Now());
        for (auto it = leases_.begin(); it != leases_.end();) {
          const absl::StatusOr<int64_t> expires =
              TimestampUs(it->second.expire_time(), "expire_time");
          it = expires.ok() && *expires < now_us ? leases_.erase(it) : ++it;
        }
        leases_[id] = *response;
        return absl::OkStatus();
      });
}

grpc::Status RetentionServiceImpl::RenewLease(
    grpc::ServerContext* context, const v1::RenewLeaseRequest* request,
    v1::Lease* response) {
  return Serve(env_, context, Role::kRead, "RenewLease", [&]() -> absl::Status {
    PITR_ASSIGN_OR_RETURN(absl::Duration ttl, LeaseTtl(request->ttl()));
    absl::Status renewed = env_.engine->RenewLease(request->id(), ttl);
    MutexLock l(&mu_);
    auto it = leases_.find(request->id());
    if (!renewed.ok()) {
      if (it != leases_.end()) leases_.erase(it);
      return renewed;
    }
    if (it == leases_.end()) {  // made before a restart of this service
      it = leases_.emplace(request->id(), v1::Lease()).first;
      it->second.set_id(request->id());
    }
    *it->second.mutable_expire_time() =
        TimestampProto(absl::ToUnixMicros(absl::Now() + ttl));
    *response = it->second;
    return absl::OkStatus();
  });
}

grpc::Status RetentionServiceImpl::ReleaseLease(
    grpc::ServerContext* context, const v1::ReleaseLeaseRequest* request,
    google::protobuf::Empty* /*response*/) {
  return Serve(env_, context, Role::kRead, "ReleaseLease",
               [&]() -> absl::Status {
                 PITR_RETURN_IF_ERROR(env_.engine->ReleaseLease(request->id()));
                 MutexLock l(&mu_);
                 leases_.erase(request->id());
                 return absl::OkStatus();
               });
}

grpc::Status RetentionServiceImpl::RunGc(grpc::ServerContext* context,
                                         const v1::RunGcRequest* request,
                                         v1::GcReport* response) {
  return Serve(env_, context, Role::kAdmin, "RunGc", [&]() -> absl::Status {
    PITR_ASSIGN_OR_RETURN(GcReport report,
                          env_.engine->gc().Run(request->compact()));
    *response = GcReportProto(report);
    return absl::OkStatus();
  });
}

grpc::Status RetentionServiceImpl::RunGcWithProgress(
    grpc::ServerContext* context, const v1::RunGcRequest* request,
    grpc::ServerWriter<v1::RunGcUpdate>* writer) {
  return Serve(
      env_, context, Role::kAdmin, "RunGcWithProgress", [&]() -> absl::Status {
        v1::RunGcUpdate update;
        // A client gone fails the writes; the run goes on to its end.
        auto tell = [&](const GcProgress& progress) {
          *update.mutable_progress() = GcProgressProto(progress);
          writer->Write(update);
        };
        PITR_ASSIGN_OR_RETURN(GcReport report,
                              env_.engine->gc().Run(request->compact(), tell));
        *update.mutable_report() = GcReportProto(report);
        writer->Write(update);
        return absl::OkStatus();
      });
}

}  // namespace pitr
