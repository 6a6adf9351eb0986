#include "tools/wal/server_target.h"

#include "base/status_macros.h"
#include "proto/record_convert.h"
#include "proto/time_convert.h"

namespace pitr::waltool {

absl::StatusOr<Lsn> ServerTarget::EndLsn() {
  v1::StoreInfo info;
  PITR_RETURN_IF_ERROR(client_->Call(&v1::PageService::Stub::GetStoreInfo,
                                     v1::GetStoreInfoRequest(), &info));
  return info.latest_lsn();
}

absl::Status ServerTarget::CreateBranch(const std::string& name,
                                        const std::string& parent, Lsn point) {
  v1::CreateBranchRequest request;
  request.set_name(name);
  request.set_parent(parent);
  request.mutable_point()->set_lsn(point);
  v1::Branch created;
  return client_->Call(&v1::BranchService::Stub::CreateBranch, request,
                       &created);
}

absl::StatusOr<AppendResult> ServerTarget::Append(const std::string& branch,
                                                  const CommittedBatch& batch) {
  v1::AppendRequest request;
  request.set_branch(branch);
  for (const WalRecord& r : batch.records) {
    *request.add_records() = RecordProto(r);
  }
  *request.mutable_commit_time() = TimestampProto(batch.timestamp_us);
  v1::AppendResponse response;
  PITR_RETURN_IF_ERROR(
      client_->Call(&v1::WalService::Stub::Append, request, &response));
  AppendResult result;
  result.start_lsn = response.start_lsn();
  result.commit_lsn = response.commit_lsn();
  result.timestamp_us = batch.timestamp_us;
  return result;
}

}  // namespace pitr::waltool
