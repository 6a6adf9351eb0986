// pitrctl: the command-line client of pitrd. One subcommand per call:
//
//   pitrctl [GLOBAL OPTIONS] COMMAND [ARGUMENTS] [OPTIONS]
//
// This file finds the subcommand, parses its command line, connects and
// reports the outcome; the *_commands.cc files do the work. README.md
// documents every subcommand and the exit codes.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "clients/common/client.h"
#include "clients/common/point.h"
#include "tools/pitrctl/args.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/exit_codes.h"
#include "tools/pitrctl/output.h"

namespace pitr::ctl {

using clients::Client;
using clients::ClientOptions;
using clients::ParseDuration;
using clients::ReadTokenFile;
namespace {

const std::vector<OptionSpec> kGlobalOptions = {
    {"server", true}, {"token_file", true}, {"tls_ca", true},
    {"json", false},  {"timeout", true},    {"min_lsn", true},
};

constexpr char kGlobalUsage[] =
    "global options (anywhere on the command line):\n"
    "  --server HOST:PORT   the pitrd to talk to (default 127.0.0.1:7400)\n"
    "  --token_file FILE    send the bearer token in FILE: the last word of\n"
    "                       its first line that is not blank or a # comment\n"
    "  --tls_ca FILE        use TLS, trusting the CA certificate in FILE\n"
    "  --json               print results as JSON, one document a line\n"
    "  --timeout DURATION   deadline of each call (default 30s; export,\n"
    "                       import and wal read --follow have none)\n"
    "  --min_lsn LSN        read your writes: the server (a replica) answers\n"
    "                       once it holds this LSN (e.g. a commit LSN the\n"
    "                       primary returned), or fails when it cannot\n"
    "POINT: an LSN (0/16B3748 or decimal), an RFC 3339 time\n"
    "(2026-11-21T10:00:00Z) or snapshot:NAME. DURATION: 7d, 12h, 30m, 10s.\n";

std::vector<Command> AllCommands() {
  std::vector<Command> all;
  for (auto group :
       {BranchCommands, SnapshotCommands, ScheduleCommands, BackupCommands,
        ReplicaCommands, RetentionCommands, PageCommands, WalCommands,
        DumpCommands, DiffCommands}) {
    std::vector<Command> commands = group();
    all.insert(all.end(), commands.begin(), commands.end());
  }
  return all;
}

std::string CommandUsage(const Command& command) {
  return absl::StrCat("usage: pitrctl ", command.name,
                      command.synopsis.empty() ? "" : " ", command.synopsis,
                      "\n  ", command.summary, "\n");
}

// The usage of every command whose name starts with `prefix`.
// All commands if none does.
std::string Usage(const std::vector<Command>& commands, std::string prefix) {
  auto matches = [&prefix](const Command& c) {
    return c.name.compare(0, prefix.size(), prefix) == 0;
  };
  if (std::none_of(commands.begin(), commands.end(), matches)) prefix.clear();
  std::string out = "usage: pitrctl COMMAND [ARGUMENTS] [OPTIONS]\ncommands:\n";
  for (const Command& c : commands) {
    if (!matches(c)) continue;
    absl::StrAppend(&out, "  ", c.name, c.synopsis.empty() ? "" : " ",
                    c.synopsis, "\n      ", c.summary, "\n");
  }
  absl::StrAppend(&out,
                  "  help [COMMAND]\n      This text, or one command's.\n",
                  kGlobalUsage);
  return out;
}

// Removes the command's words (the first one or two words that are not
// options or values of global options) from `words`; nullptr if they name
// no command.
const Command* TakeCommand(const std::vector<Command>& commands,
                           std::vector<std::string>* words) {
  std::vector<size_t> positions;
  for (size_t i = 0; i < words->size() && positions.size() < 2; ++i) {
    const std::string& w = (*words)[i];
    if (w.compare(0, 2, "--") == 0) {
      std::string name = w.substr(2);
      for (const OptionSpec& spec : kGlobalOptions) {
        if (spec.name == name && spec.takes_value) ++i;
      }
      continue;
    }
    positions.push_back(i);
  }
  for (size_t n = positions.size(); n > 0; --n) {
    std::vector<std::string> name;
    for (size_t k = 0; k < n; ++k) name.push_back((*words)[positions[k]]);
    for (const Command& c : commands) {
      if (c.name != absl::StrJoin(name, " ")) continue;
      for (size_t k = n; k > 0; --k)
        words->erase(words->begin() + positions[k - 1]);
      return &c;
    }
  }
  return nullptr;
}

absl::StatusOr<ClientOptions> ClientOptionsFrom(const Args& args) {
  ClientOptions options;
  options.server = args.Get("server", options.server);
  options.ca_cert_path = args.Get("tls_ca");
  if (args.Has("timeout")) {
    absl::StatusOr<absl::Duration> timeout = ParseDuration(args.Get("timeout"));
    if (!timeout.ok()) return AsUsageError(timeout.status());
    options.timeout = *timeout;
  }
  if (args.Has("token_file")) {
    PITR_ASSIGN_OR_RETURN(options.token, ReadTokenFile(args.Get("token_file")));
  }
  if (args.Has("min_lsn")) {
    absl::StatusOr<Lsn> min_lsn = ParseLsn(args.Get("min_lsn"));
    if (!min_lsn.ok()) return AsUsageError(min_lsn.status());
    options.min_lsn = *min_lsn;
  }
  return options;
}

absl::Status Run(const Command& command,
                 const std::vector<std::string>& words) {
  std::vector<OptionSpec> accepted = kGlobalOptions;
  accepted.insert(accepted.end(), command.options.begin(),
                  command.options.end());
  PITR_ASSIGN_OR_RETURN(Args args, Args::Parse(words, accepted));
  size_t n = args.positional().size();
  if (n < command.min_args || n > command.max_args) {
    return UsageError(n < command.min_args ? "too few arguments"
                                           : "too many arguments");
  }
  PITR_ASSIGN_OR_RETURN(ClientOptions options, ClientOptionsFrom(args));
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Client> client,
                        Client::Connect(options));
  Output out(stdout, args.Flag("json"));
  return command.run(Context{args, *client, out});
}

bool WantsHelp(const std::vector<std::string>& words) {
  for (const std::string& w : words) {
    if (w == "--help" || w == "-h") return true;
  }
  return false;
}

int Main(int argc, char** argv) {
  std::vector<Command> commands = AllCommands();
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty()) {
    std::cerr << Usage(commands, "");
    return kExitUsage;
  }
  if (words[0] == "help" || words[0] == "--help" || words[0] == "-h") {
    words.erase(words.begin());
    const Command* command = TakeCommand(commands, &words);
    std::cout << (command != nullptr
                      ? CommandUsage(*command)
                      : Usage(commands, absl::StrJoin(words, " ")));
    return kExitOk;
  }
  const Command* command = TakeCommand(commands, &words);
  if (command == nullptr) {
    std::cerr << "pitrctl: unknown command \"" << absl::StrJoin(words, " ")
              << "\"\n"
              << Usage(commands, words[0]);
    return kExitUsage;
  }
  if (WantsHelp(words)) {
    std::cout << CommandUsage(*command);
    return kExitOk;
  }
  absl::Status status = Run(*command, words);
  if (IsUsageError(status)) {
    std::cerr << "pitrctl: " << status.message() << "\n"
              << CommandUsage(*command);
  } else if (!status.ok()) {
    std::cerr << "pitrctl: " << absl::StatusCodeToString(status.code()) << ": "
              << status.message() << "\n";
  }
  return ExitCode(status);
}

}  // namespace
}  // namespace pitr::ctl

int main(int argc, char** argv) { return pitr::ctl::Main(argc, argv); }
