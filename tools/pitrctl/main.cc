// pitrctl: the command-line client of pitrd. One subcommand per call:
//
//   pitrctl [GLOBAL OPTIONS] COMMAND [ARGUMENTS] [OPTIONS]
//
// This file finds the subcommand, parses its command line, connects and
// reports the outcome; the *_commands.cc files do the work. It answers
// help (help.h), completion bash (completion.h) and --version itself,
// without a server. README.md documents every subcommand and the exit
// codes.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "base/version.h"
#include "clients/common/client.h"
#include "clients/common/point.h"
#include "tools/pitrctl/args.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/completion.h"
#include "tools/pitrctl/exit_codes.h"
#include "tools/pitrctl/help.h"
#include "tools/pitrctl/output.h"

namespace pitr::ctl {

using clients::Client;
using clients::ClientOptions;
using clients::ParseDuration;
using clients::ReadTokenFile;
namespace {

// The value of environment variable `name`, or `fallback` if unset.
std::string FromEnvironment(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
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
      for (const OptionSpec& spec : GlobalOptions()) {
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
  options.server =
      args.Get("server", FromEnvironment("PITR_SERVER", options.server));
  options.ca_cert_path = args.Get("tls_ca");
  if (args.Has("timeout")) {
    absl::StatusOr<absl::Duration> timeout = ParseDuration(args.Get("timeout"));
    if (!timeout.ok()) return AsUsageError(timeout.status());
    options.timeout = *timeout;
  }
  const std::string token_file =
      args.Get("token_file", FromEnvironment("PITR_TOKEN_FILE", ""));
  if (!token_file.empty()) {
    PITR_ASSIGN_OR_RETURN(options.token, ReadTokenFile(token_file));
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
  std::vector<OptionSpec> accepted = GlobalOptions();
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
  if (words[0] == "--version") {
    std::cout << VersionLine("pitrctl");
    return kExitOk;
  }
  if (words[0] == "completion") {
    if (words.size() != 2 || words[1] != "bash") {
      std::cerr << "pitrctl: completion takes one shell: bash\n";
      return kExitUsage;
    }
    std::cout << BashCompletion(commands, GlobalOptions());
    return kExitOk;
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
