#include "tools/pitrctl/help.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace pitr::ctl {
namespace {

constexpr char kValuesUsage[] =
    "POINT: an LSN (0/16B3748 or decimal), an RFC 3339 time\n"
    "(2026-11-21T10:00:00Z) or snapshot:NAME. DURATION: 7d, 12h, 30m, 10s.\n";

constexpr char kEnvironmentUsage[] =
    "environment (the options given win):\n"
    "  PITR_SERVER      the default of --server\n"
    "  PITR_TOKEN_FILE  the default of --token_file\n";

// "  --name VALUE  help" for each option, the help texts aligned.
std::string OptionLines(const std::vector<OptionSpec>& options,
                        const std::string& synopsis) {
  std::vector<std::string> heads;
  size_t width = 0;
  for (const OptionSpec& o : options) {
    heads.push_back(
        absl::StrCat("--", o.name, o.takes_value ? " " : "",
                     o.takes_value ? ValueName(synopsis, o.name) : ""));
    width = std::max(width, heads.back().size());
  }
  std::string out;
  for (size_t i = 0; i < options.size(); ++i) {
    absl::StrAppend(&out, "  ", heads[i],
                    std::string(width - heads[i].size() + 2, ' '),
                    options[i].help, "\n");
  }
  return out;
}

}  // namespace

std::string ValueName(const std::string& synopsis, const std::string& name) {
  const std::string option = absl::StrCat("--", name, " ");
  size_t at = synopsis.find(option);
  if (at == std::string::npos) return "VALUE";
  at += option.size();
  size_t end = synopsis.find_first_of(" ]|", at);
  return synopsis.substr(at, end == std::string::npos ? end : end - at);
}

std::string CommandUsage(const Command& command) {
  std::string out = absl::StrCat(
      "usage: pitrctl ", command.name, command.synopsis.empty() ? "" : " ",
      command.synopsis, "\n  ", command.summary, "\n");
  if (!command.options.empty()) {
    absl::StrAppend(&out, "options:\n",
                    OptionLines(command.options, command.synopsis));
  }
  absl::StrAppend(&out, "and the global options (pitrctl help)\n");
  return out;
}

std::string Usage(const std::vector<Command>& commands, std::string prefix) {
  auto matches = [&prefix](const Command& c) {
    return c.name.compare(0, prefix.size(), prefix) == 0;
  };
  if (std::none_of(commands.begin(), commands.end(), matches)) prefix.clear();
  std::string out =
      "usage: pitrctl [GLOBAL OPTIONS] COMMAND [ARGUMENTS] [OPTIONS]\n"
      "commands:\n";
  for (const Command& c : commands) {
    if (!matches(c)) continue;
    absl::StrAppend(&out, "  ", c.name, c.synopsis.empty() ? "" : " ",
                    c.synopsis, "\n      ", c.summary, "\n");
  }
  absl::StrAppend(
      &out,
      "  help [COMMAND]\n"
      "      This text, or one command's with its options (also: pitrctl "
      "COMMAND --help).\n"
      "  completion bash\n"
      "      Print a bash completion script (source <(pitrctl completion "
      "bash)).\n"
      "  --version\n"
      "      Print pitrctl's version.\n"
      "global options (anywhere on the command line):\n",
      OptionLines(GlobalOptions(), kGlobalSynopsis), kEnvironmentUsage,
      kValuesUsage);
  return out;
}

}  // namespace pitr::ctl
