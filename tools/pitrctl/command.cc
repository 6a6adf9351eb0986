#include "tools/pitrctl/command.h"

#include "absl/strings/str_cat.h"
#include "clients/common/point.h"
#include "proto/time_convert.h"

namespace pitr::ctl {

using clients::Client;
using clients::ParseDuration;
using clients::ParsePoint;
namespace {

absl::Status ForOption(const std::string& name, const absl::Status& status) {
  return UsageError(absl::StrCat("--", name, ": ", status.message()));
}

}  // namespace

absl::StatusOr<v1::PointInTime> PointOption(const Args& args,
                                            const std::string& name) {
  if (!args.Has(name)) return v1::PointInTime();
  absl::StatusOr<v1::PointInTime> point = ParsePoint(args.Get(name));
  if (!point.ok()) return ForOption(name, point.status());
  return point;
}

absl::Status DurationOption(
    const Args& args, const std::string& name,
    const std::function<google::protobuf::Duration*()>& mutable_field) {
  if (!args.Has(name)) return absl::OkStatus();
  absl::StatusOr<absl::Duration> d = ParseDuration(args.Get(name));
  if (!d.ok()) return ForOption(name, d.status());
  *mutable_field() = DurationProto(*d);
  return absl::OkStatus();
}

absl::StatusOr<v1::StoreInfo> FetchStoreInfo(Client& client) {
  v1::StoreInfo info;
  absl::Status status = client.Call(&v1::PageService::Stub::GetStoreInfo,
                                    v1::GetStoreInfoRequest(), &info);
  if (!status.ok()) return status;
  return info;
}

}  // namespace pitr::ctl
