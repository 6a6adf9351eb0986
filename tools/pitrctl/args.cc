#include "tools/pitrctl/args.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace pitr::ctl {
namespace {

constexpr char kUsagePayload[] = "pitrctl/usage";

const OptionSpec* FindSpec(const std::vector<OptionSpec>& accepted,
                           const std::string& name) {
  for (const OptionSpec& spec : accepted) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<Args> Args::Parse(const std::vector<std::string>& argv,
                                 const std::vector<OptionSpec>& accepted) {
  Args args;
  bool options_ended = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (options_ended || word.size() < 3 || word.compare(0, 2, "--") != 0) {
      if (word == "--" && !options_ended) {
        options_ended = true;
      } else {
        args.positional_.push_back(word);
      }
      continue;
    }
    size_t eq = word.find('=');
    std::string name = word.substr(2, eq == std::string::npos ? eq : eq - 2);
    std::replace(name.begin(), name.end(), '-', '_');
    const OptionSpec* spec = FindSpec(accepted, name);
    if (spec == nullptr)
      return UsageError(absl::StrCat("unknown option --", name));
    std::string value;
    if (eq != std::string::npos) {
      value = word.substr(eq + 1);
    } else if (spec->takes_value) {
      if (i + 1 == argv.size()) {
        return UsageError(absl::StrCat("option --", name, " needs a value"));
      }
      value = argv[++i];
    } else {
      value = "true";
    }
    if (!spec->takes_value && value != "true" && value != "false") {
      return UsageError(absl::StrCat(
          "option --", name, " takes no value other than true or false"));
    }
    args.options_[name] = value;
  }
  return args;
}

std::string Args::Get(const std::string& name,
                      const std::string& fallback) const {
  auto it = options_.find(name);
  return it == options_.end() ? fallback : it->second;
}

absl::Status UsageError(const std::string& message) {
  return AsUsageError(absl::InvalidArgumentError(message));
}

absl::Status AsUsageError(absl::Status status) {
  if (!status.ok()) status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

absl::StatusOr<uint64_t> ParseNumber(const std::string& what,
                                     const std::string& text, uint64_t max) {
  uint64_t value;
  bool digits =
      !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      });
  if (!digits || !absl::SimpleAtoi(text, &value) || value > max) {
    return UsageError(absl::StrCat("invalid ", what, " \"", text,
                                   "\": expected a whole number from 0 to ",
                                   max));
  }
  return value;
}

}  // namespace pitr::ctl
