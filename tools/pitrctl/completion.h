// `pitrctl completion bash`: a bash completion script made from the
// command table (command.h), so it always knows every command, subcommand
// and option:
//
//   source <(pitrctl completion bash)
//   pitrctl bra<TAB>                  branch
//   pitrctl branch cr<TAB>            create
//   pitrctl branch create --f<TAB>    --from
//
// Words that are no command or option (names, points, files) and the
// values of options complete as file names.
#ifndef PITR_TOOLS_PITRCTL_COMPLETION_H_
#define PITR_TOOLS_PITRCTL_COMPLETION_H_

#include <string>
#include <vector>

#include "tools/pitrctl/args.h"
#include "tools/pitrctl/command.h"

namespace pitr::ctl {

// The script: a function _pitrctl and `complete -F _pitrctl pitrctl`.
// `commands` are the subcommands, `global` the options all of them take.
std::string BashCompletion(const std::vector<Command>& commands,
                           const std::vector<OptionSpec>& global);

}  // namespace pitr::ctl

#endif  // PITR_TOOLS_PITRCTL_COMPLETION_H_
