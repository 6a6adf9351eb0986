#include "clients/sqlite/remote_db.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "clients/sqlite/client_pool.h"

namespace pitr::sqlite {

RemoteDb::RemoteDb(std::shared_ptr<clients::Client> client, std::string name,
                   std::string branch, uint32_t space, uint32_t page_size)
    : client_(std::move(client)),
      name_(std::move(name)),
      branch_(std::move(branch)),
      space_(space),
      page_size_(page_size) {}

absl::StatusOr<std::unique_ptr<RemoteDb>> RemoteDb::Open(
    const OpenOptions& options, const std::string& name, bool create) {
  PITR_ASSIGN_OR_RETURN(std::shared_ptr<clients::Client> client,
                        SharedClient(options));
  v1::ResolveSpaceRequest resolve;
  resolve.set_name(name);
  resolve.set_create(create);
  v1::Space space;
  absl::Status status =
      client->Call(&v1::PageService::Stub::ResolveSpace, resolve, &space);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("database ", name, " on ", options.server,
                                     ": ", status.message()));
  }
  v1::StoreInfo info;
  PITR_RETURN_IF_ERROR(client->Call(&v1::PageService::Stub::GetStoreInfo,
                                    v1::GetStoreInfoRequest(), &info));
  return std::unique_ptr<RemoteDb>(new RemoteDb(
      std::move(client), name, options.branch, space.id(), info.page_size()));
}

absl::Status RemoteDb::Annotate(const absl::Status& status,
                                const std::string& what) const {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(what, " of database ", name_, " on branch ",
                                   branch_, ": ", status.message()));
}

absl::StatusOr<RemoteDb::Changes> RemoteDb::GetChanges(
    const std::optional<v1::BranchPosition>& since) {
  v1::GetChangesRequest request;
  request.set_branch(branch_);
  request.set_space(space_);
  if (since.has_value()) *request.mutable_since() = *since;
  v1::GetChangesResponse response;
  PITR_RETURN_IF_ERROR(Annotate(
      client_->Call(&v1::PageService::Stub::GetChanges, request, &response),
      "GetChanges"));
  Changes changes;
  changes.position = response.position();
  changes.space_pages = response.space_pages();
  changes.pages.assign(response.pages().begin(), response.pages().end());
  changes.all_changed = response.all_changed() || !since.has_value();
  return changes;
}

std::unique_ptr<ChangeWatch> RemoteDb::Watch(
    const std::optional<v1::BranchPosition>& since) {
  return ChangeWatch::Start(client_, branch_, space_, since);
}

absl::StatusOr<std::pair<uint64_t, uint32_t>> RemoteDb::SizeAt(
    const v1::PointInTime& point) {
  v1::GetSpaceSizeRequest request;
  request.set_branch(branch_);
  request.set_space(space_);
  *request.mutable_point() = point;
  v1::SpaceSize size;
  PITR_RETURN_IF_ERROR(Annotate(
      client_->Call(&v1::PageService::Stub::GetSpaceSize, request, &size),
      "GetSpaceSize"));
  return std::make_pair(size.lsn(), size.pages());
}

absl::StatusOr<std::vector<std::optional<std::string>>> RemoteDb::ReadPages(
    const std::vector<uint32_t>& pages, uint64_t lsn) {
  v1::GetPagesRequest request;
  request.set_branch(branch_);
  request.mutable_point()->set_lsn(lsn);
  for (uint32_t page : pages) {
    v1::PageKey* key = request.add_keys();
    key->set_space(space_);
    key->set_page(page);
  }
  v1::GetPagesResponse response;
  PITR_RETURN_IF_ERROR(Annotate(
      client_->Call(&v1::PageService::Stub::GetPages, request, &response),
      absl::StrCat("GetPages at ", FormatLsn(lsn))));
  if (response.results_size() != static_cast<int>(pages.size())) {
    return absl::InternalError(absl::StrCat(
        "GetPages of database ", name_, " answered ", response.results_size(),
        " results for ", pages.size(), " pages"));
  }
  std::vector<std::optional<std::string>> out;
  out.reserve(pages.size());
  for (v1::PageResult& result : *response.mutable_results()) {
    if (result.code() == static_cast<int>(absl::StatusCode::kNotFound)) {
      out.emplace_back();
    } else if (result.code() != 0) {
      return Annotate(absl::Status(static_cast<absl::StatusCode>(result.code()),
                                   result.message()),
                      absl::StrCat("GetPages of page ", result.key().page()));
    } else {
      out.emplace_back(std::move(*result.mutable_data()));
    }
  }
  return out;
}

absl::StatusOr<uint64_t> RemoteDb::Append(std::vector<v1::WalRecord> records,
                                          const v1::BranchPosition& expected) {
  v1::AppendRequest request;
  request.set_branch(branch_);
  for (v1::WalRecord& record : records) {
    *request.add_records() = std::move(record);
  }
  *request.mutable_expected_position() = expected;
  v1::AppendResponse response;
  PITR_RETURN_IF_ERROR(
      Annotate(client_->Call(&v1::WalService::Stub::Append, request, &response),
               absl::StrCat("commit of ", request.records_size(),
                            " records at ", FormatLsn(expected.lsn()))));
  return response.commit_lsn();
}

absl::Status RemoteDb::CreateBranch(
    const std::string& name, const std::optional<v1::PointInTime>& point) {
  v1::CreateBranchRequest request;
  request.set_name(name);
  request.set_parent(branch_);
  if (point.has_value()) *request.mutable_point() = *point;
  v1::Branch branch;
  return Annotate(
      client_->Call(&v1::BranchService::Stub::CreateBranch, request, &branch),
      absl::StrCat("branch ", name));
}

absl::StatusOr<std::string> RemoteDb::Restore(const v1::PointInTime& point,
                                              const std::string& source) {
  v1::RestoreBranchRequest request;
  request.set_name(branch_);
  request.set_source(source);
  *request.mutable_point() = point;
  v1::RestoreBranchResponse response;
  PITR_RETURN_IF_ERROR(
      Annotate(client_->Call(&v1::BranchService::Stub::RestoreBranch, request,
                             &response),
               "restore"));
  return response.backup().name();
}

absl::StatusOr<uint64_t> RemoteDb::Snapshot(const std::string& name) {
  v1::CreateSnapshotRequest request;
  request.set_name(name);
  request.set_branch(branch_);
  v1::Snapshot snapshot;
  PITR_RETURN_IF_ERROR(
      Annotate(client_->Call(&v1::SnapshotService::Stub::CreateSnapshot,
                             request, &snapshot),
               absl::StrCat("snapshot ", name)));
  return snapshot.lsn();
}

}  // namespace pitr::sqlite
