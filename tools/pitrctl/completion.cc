#include "tools/pitrctl/completion.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace pitr::ctl {
namespace {

// The words bash offers at the start: each command's first word once, in
// the table's order, and the commands main.cc runs itself.
std::vector<std::string> FirstWords(const std::vector<Command>& commands) {
  std::vector<std::string> words;
  for (const Command& c : commands) {
    std::string first = c.name.substr(0, c.name.find(' '));
    if (std::find(words.begin(), words.end(), first) == words.end()) {
      words.push_back(first);
    }
  }
  words.insert(words.end(), {"help", "completion"});
  return words;
}

// "--a --b", of all `options` or only of those taking a value.
std::string OptionWords(const std::vector<OptionSpec>& options,
                        bool values_only) {
  std::vector<std::string> words;
  for (const OptionSpec& o : options) {
    if (!values_only || o.takes_value) words.push_back("--" + o.name);
  }
  return absl::StrJoin(words, " ");
}

}  // namespace

std::string BashCompletion(const std::vector<Command>& commands,
                           const std::vector<OptionSpec>& global) {
  // Each command's options, and each group's second words.
  std::string specs;
  std::map<std::string, std::vector<std::string>> groups;
  for (const Command& c : commands) {
    absl::StrAppend(&specs, "    \"", c.name, "\") opts=\"",
                    OptionWords(c.options, false), "\" values=\"",
                    OptionWords(c.options, true), "\" ;;\n");
    std::vector<std::string> words = absl::StrSplit(c.name, ' ');
    if (words.size() == 2) groups[words[0]].push_back(words[1]);
  }
  groups["completion"].push_back("bash");
  std::string subcommands;
  for (const auto& [group, words] : groups) {
    absl::StrAppend(&subcommands, "      ", group,
                    ") COMPREPLY=($(compgen -W \"", absl::StrJoin(words, " "),
                    "\" -- \"$cur\")) ;;\n");
  }
  const std::string global_values = OptionWords(global, true);
  return absl::StrCat(
      "# bash completion of pitrctl, made from its command table by\n"
      "# `pitrctl completion bash`. Load it with\n"
      "#   source <(pitrctl completion bash)\n"
      "# or save it as /etc/bash_completion.d/pitrctl.\n"
      "\n"
      "# Sets opts and values (the options of command $1, and those of them\n"
      "# that take a value); fails for no command.\n"
      "_pitrctl_spec() {\n"
      "  case \"$1\" in\n",
      specs,
      "    *) return 1 ;;\n"
      "  esac\n"
      "}\n"
      "\n"
      "_pitrctl() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
      "  local prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  local words=() i w opts=\"\" values=\"\"\n"
      "  COMPREPLY=()\n"
      "  # The words before the cursor that are no option or option value.\n"
      "  # Bash splits --name=value at \"=\", and host:port at \":\".\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    w=\"${COMP_WORDS[i]}\"\n"
      "    if [[ $w == --* ]]; then\n"
      "      if [[ ${COMP_WORDS[i+1]} == \"=\" ]]; then\n"
      "        ((i += 2))\n"
      "      elif [[ \" ",
      global_values,
      " \" == *\" $w \"* ]]; then\n"
      "        ((i += 1))\n"
      "      fi\n"
      "    else\n"
      "      words+=(\"$w\")\n"
      "    fi\n"
      "    while [[ ${COMP_WORDS[i+1]} == \":\" ]] && ((i + 2 < COMP_CWORD)); "
      "do\n"
      "      ((i += 2))\n"
      "    done\n"
      "  done\n"
      "  [[ ${words[0]} == help ]] && words=(\"${words[@]:1}\")\n"
      "  local n=${#words[@]}\n"
      "  if ((n >= 2)) && _pitrctl_spec \"${words[0]} ${words[1]}\"; then :\n"
      "  elif ((n >= 1)) && _pitrctl_spec \"${words[0]}\"; then :\n"
      "  fi\n"
      "  # An option's value: file names (bash's default).\n"
      "  [[ $cur == \"=\" || $prev == \"=\" ]] && return 0\n"
      "  [[ -n $prev && \" $values ",
      global_values,
      " \" == *\" $prev \"* ]] && return 0\n"
      "  if [[ $cur == -* ]]; then\n"
      "    ((n == 0)) && opts=\"--version\"\n"
      "    COMPREPLY=($(compgen -W \"$opts ",
      OptionWords(global, false),
      " --help\" -- \"$cur\"))\n"
      "  elif ((n == 0)); then\n"
      "    COMPREPLY=($(compgen -W \"",
      absl::StrJoin(FirstWords(commands), " "),
      "\" -- \"$cur\"))\n"
      "  elif ((n == 1)); then\n"
      "    case \"${words[0]}\" in\n",
      subcommands,
      "    esac\n"
      "  fi\n"
      "  return 0\n"
      "}\n"
      "\n"
      "complete -o default -F _pitrctl pitrctl\n");
}

}  // namespace pitr::ctl
