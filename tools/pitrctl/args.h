// The command line of one pitrctl subcommand: positional arguments and
// --options, checked against the options the subcommand accepts.
//
// Options are written --name=value or --name value; a flag (an option
// without a value) is --name, or --name=true / --name=false. Dashes and
// underscores in names are the same (--keep-for is --keep_for). "--" ends
// the options: what follows is positional even if it starts with "--".
//
// A mistake on the command line is a usage error (UsageError below), which
// pitrctl reports with the subcommand's usage and exit code 2, apart from
// the errors a server returns.
#ifndef PITR_TOOLS_PITRCTL_ARGS_H_
#define PITR_TOOLS_PITRCTL_ARGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace pitr::ctl {

struct OptionSpec {
  std::string name;  // Without the dashes, with underscores.
  bool takes_value;  // false: a flag.
  std::string help;  // One line for the command's help (help.h).
};

class Args {
 public:
  // Splits `argv` (the words after the subcommand) into positional
  // arguments and options. A usage error for an option not in `accepted`,
  // a value option without a value, or a flag given a value other than
  // true or false.
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& argv,
                                    const std::vector<OptionSpec>& accepted);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& name) const { return options_.count(name) > 0; }
  // The option's value, or `fallback` if it was not given.
  std::string Get(const std::string& name,
                  const std::string& fallback = "") const;
  // A flag: true if given without a value or as =true.
  bool Flag(const std::string& name) const { return Get(name) == "true"; }

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> options_;
};

// An INVALID_ARGUMENT status marked as a mistake on the command line.
absl::Status UsageError(const std::string& message);
// `status` with the mark of a usage error; OK stays OK.
absl::Status AsUsageError(absl::Status status);
bool IsUsageError(const absl::Status& status);

// A whole decimal number in [0, max]; a usage error naming `what` otherwise.
absl::StatusOr<uint64_t> ParseNumber(const std::string& what,
                                     const std::string& text,
                                     uint64_t max = UINT64_MAX);

}  // namespace pitr::ctl

#endif  // PITR_TOOLS_PITRCTL_ARGS_H_
