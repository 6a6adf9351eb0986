// pitrctl's help texts, made from the command table (command.h): the
// usage of every command, and one command's usage with a line for each of
// its options.
//
//   pitrctl help                  Usage(commands, "")
//   pitrctl help branch           Usage(commands, "branch"): that group
//   pitrctl help branch create    CommandUsage(the command)
//   pitrctl branch create --help  the same
#ifndef PITR_TOOLS_PITRCTL_HELP_H_
#define PITR_TOOLS_PITRCTL_HELP_H_

#include <string>
#include <vector>

#include "tools/pitrctl/command.h"

namespace pitr::ctl {

// "usage: pitrctl NAME SYNOPSIS", the summary, then each option of the
// command on a line of its own: "--name VALUE  help".
std::string CommandUsage(const Command& command);

// The usage of every command whose name starts with `prefix` (all of them
// if none does), then the global options and the environment.
std::string Usage(const std::vector<Command>& commands, std::string prefix);

// The name of the value of option `name` in `synopsis`: "PARENT" for
// "from" in "NAME [--from PARENT]"; "VALUE" if the synopsis names none.
std::string ValueName(const std::string& synopsis, const std::string& name);

}  // namespace pitr::ctl

#endif  // PITR_TOOLS_PITRCTL_HELP_H_
