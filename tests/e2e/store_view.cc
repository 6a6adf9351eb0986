#include "tests/e2e/store_view.h"

#include <algorithm>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/empty.pb.h"
#include "google/protobuf/text_format.h"

namespace pitr::e2e {
namespace {

// One line: what `call` returned, or its error.
template <typename Response>
std::string Line(const std::string& what, const grpc::Status& status,
                 const Response& response) {
  if (!status.ok()) return absl::StrCat(what, " -> ", kViewError, Describe(status), "\n");
  std::string text;
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.PrintToString(response, &text);
  return absl::StrCat(what, " -> ", text, "\n");
}

std::string PagesOf(PitrClient& client, const StoreViewOptions& options,
                    const std::string& branch, const v1::PointInTime& point) {
  v1::GetPagesRequest request;
  request.set_branch(branch);
  for (const v1::PageKey& key : options.keys) *request.add_keys() = key;
  *request.mutable_point() = point;
  v1::GetPagesResponse response;
  auto context = CallContext(options.token);
  const grpc::Status status =
      client.pages->GetPages(context.get(), request, &response);
  // A page's hash stands for its bytes, to keep views short.
  for (v1::PageResult& result : *response.mutable_results()) {
    if (!result.data().empty()) {
      result.set_data(absl::StrCat(result.data().size(), " bytes, hash ",
                                   absl::Hash<std::string>()(result.data())));
    }
  }
  return Line(absl::StrCat("pages of ", branch, " at ", point.ShortDebugString()),
              status, response);
}

}  // namespace

std::string StoreView(PitrClient& client, const StoreViewOptions& options) {
  std::string view;
  v1::ListBranchesRequest list_branches;
  list_branches.set_page_size(1000);
  v1::ListBranchesResponse branches;
  {
    auto context = CallContext(options.token);
    view += Line("branches",
                 client.branches->ListBranches(context.get(), list_branches,
                                               &branches),
                 branches);
  }
  for (const v1::Branch& listed : branches.branches()) {
    v1::GetBranchRequest get;
    get.set_name(listed.name());
    v1::Branch branch;
    auto context = CallContext(options.token);
    view += Line("branch " + listed.name(),
                 client.branches->GetBranch(context.get(), get, &branch),
                 branch);
    v1::GetRetentionRequest get_retention;
    get_retention.set_branch(listed.name());
    v1::RetentionPolicy retention;
    auto retention_context = CallContext(options.token);
    view += Line("retention of " + listed.name(),
                 client.retention->GetRetention(retention_context.get(),
                                                get_retention, &retention),
                 retention);
    view += PagesOf(client, options, listed.name(), v1::PointInTime());
  }
  for (const v1::PointInTime& point : options.old_points) {
    view += PagesOf(client, options, "main", point);
  }

  v1::ListSnapshotsRequest list_snapshots;
  list_snapshots.set_page_size(1000);
  v1::ListSnapshotsResponse snapshots;
  auto snapshots_context = CallContext(options.token);
  view += Line("snapshots",
               client.snapshots->ListSnapshots(snapshots_context.get(),
                                               list_snapshots, &snapshots),
               snapshots);
  v1::ListSchedulesResponse schedules;
  auto schedules_context = CallContext(options.token);
  view += Line("schedules",
               client.snapshots->ListSchedules(schedules_context.get(),
                                               v1::ListSchedulesRequest(),
                                               &schedules),
               schedules);
  v1::Retention default_retention;
  auto default_context = CallContext(options.token);
  view += Line("default retention",
               client.retention->GetDefaultRetention(
                   default_context.get(), google::protobuf::Empty(),
                   &default_retention),
               default_retention);
  v1::StoreInfo info;
  auto info_context = CallContext(options.token);
  const grpc::Status info_status = client.pages->GetStoreInfo(
      info_context.get(), v1::GetStoreInfoRequest(), &info);
  info.clear_oldest_wal_lsn();
  if (options.store_position_only) {
    info.clear_archive();
    info.clear_replication();
  }
  view += Line("store", info_status, info);
  return view;
}

std::string FirstDifference(const std::string& got, const std::string& want) {
  std::vector<std::string> a = absl::StrSplit(got, '\n');
  std::vector<std::string> b = absl::StrSplit(want, '\n');
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "(none)";
    const std::string y = i < b.size() ? b[i] : "(none)";
    if (x != y) {
      return absl::StrCat("line ", i + 1, ":\n  got:  ", x.substr(0, 400),
                          "\n  want: ", y.substr(0, 400));
    }
  }
  return "";
}

}  // namespace pitr::e2e
