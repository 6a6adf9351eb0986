#include "tools/pitrctl/command.h"

#include <unistd.h>

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

std::vector<Command> AllCommands() {
  std::vector<Command> all;
  for (auto group :
       {BranchCommands, SnapshotCommands, ScheduleCommands, BackupCommands,
        ReplicaCommands, RetentionCommands, PageCommands, SpaceCommands,
        WalCommands, DumpCommands, DiffCommands}) {
    std::vector<Command> commands = group();
    all.insert(all.end(), commands.begin(), commands.end());
  }
  return all;
}

const char kGlobalSynopsis[] =
    "[--server HOST:PORT] [--token_file FILE] [--tls_ca FILE] [--json] "
    "[--timeout DURATION] [--min_lsn LSN]";

const std::vector<OptionSpec>& GlobalOptions() {
  static const auto* const options = new std::vector<OptionSpec>{
      {"server", true,
       "the pitrd to talk to (default $PITR_SERVER, else 127.0.0.1:7400)"},
      {"token_file", true,
       "send the bearer token in FILE (default $PITR_TOKEN_FILE)"},
      {"tls_ca", true, "use TLS, trusting the CA certificate in FILE"},
      {"json", false, "print results as JSON, one document a line"},
      {"timeout", true,
       "deadline of each call (default 30s; gc, export, import and wal read "
       "--follow: none)"},
      {"min_lsn", true,
       "read your writes: a replica answers once it holds LSN, or fails"},
  };
  return *options;
}

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

bool ShowProgress(const Args& args) {
  if (args.Has("progress")) return args.Flag("progress");
  return isatty(STDERR_FILENO);
}

absl::StatusOr<v1::StoreInfo> FetchStoreInfo(Client& client) {
  v1::StoreInfo info;
  absl::Status status = client.Call(&v1::PageService::Stub::GetStoreInfo,
                                    v1::GetStoreInfoRequest(), &info);
  if (!status.ok()) return status;
  return info;
}

}  // namespace pitr::ctl
