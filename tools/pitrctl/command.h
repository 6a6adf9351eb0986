// The subcommands of pitrctl: how each is named, documented and run, and
// the helpers their implementations share. Each *_commands.cc file defines
// one group; main.cc dispatches to them.
#ifndef PITR_TOOLS_PITRCTL_COMMAND_H_
#define PITR_TOOLS_PITRCTL_COMMAND_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/common/client.h"
#include "google/protobuf/duration.pb.h"
#include "proto/resources.pb.h"
#include "tools/pitrctl/args.h"
#include "tools/pitrctl/output.h"

namespace pitr::ctl {

// What a subcommand runs with.
struct Context {
  const Args& args;
  clients::Client& client;
  Output& out;
};

inline constexpr size_t kAnyNumber = static_cast<size_t>(-1);

struct Command {
  std::string name;                 // "branch create"
  std::string synopsis;             // "NAME [--from PARENT] [--at POINT]"
  std::string summary;              // One line.
  std::vector<OptionSpec> options;  // Besides the global ones.
  size_t min_args;                  // Positional arguments.
  size_t max_args;                  // kAnyNumber: no limit.
  std::function<absl::Status(const Context&)> run;
};

std::vector<Command> BranchCommands();
std::vector<Command> SnapshotCommands();
std::vector<Command> ScheduleCommands();
std::vector<Command> BackupCommands();
std::vector<Command> ReplicaCommands();
std::vector<Command> RetentionCommands();
std::vector<Command> PageCommands();
std::vector<Command> WalCommands();
std::vector<Command> DumpCommands();
std::vector<Command> DiffCommands();
std::vector<Command> SpaceCommands();

// Every subcommand, group by group: the table main.cc dispatches on and
// help and completion are made from.
std::vector<Command> AllCommands();

// The options every subcommand takes (client.h's connection and output
// options), and their synopsis ("[--server HOST:PORT] ...", from which
// help takes their values' names).
const std::vector<OptionSpec>& GlobalOptions();
extern const char kGlobalSynopsis[];

// The option --`name` as a point (point.h); unset if not given. Usage
// errors for a malformed one.
absl::StatusOr<v1::PointInTime> PointOption(const Args& args,
                                            const std::string& name = "at");
// If the option --`name` is given, parses it as a duration into the field
// `mutable_field()` returns; otherwise leaves that field unset (it is not
// called, so optional message fields keep their absence).
absl::Status DurationOption(
    const Args& args, const std::string& name,
    const std::function<google::protobuf::Duration*()>& mutable_field);

// Whether to draw a progress line on stderr: --progress, or by default
// whether stderr is a terminal.
bool ShowProgress(const Args& args);

// The store's facts (GetStoreInfo).
absl::StatusOr<v1::StoreInfo> FetchStoreInfo(clients::Client& client);

}  // namespace pitr::ctl

#endif  // PITR_TOOLS_PITRCTL_COMMAND_H_
