#include "base/version.h"

#include "absl/flags/usage_config.h"
#include "absl/strings/str_cat.h"

namespace pitr {

std::string VersionLine(absl::string_view program) {
  return absl::StrCat(program, " ", kPitrVersion, "\n");
}

void SetFlagsVersion(absl::string_view program) {
  absl::FlagsUsageConfig config;
  config.version_string = [line = VersionLine(program)] { return line; };
  absl::SetFlagsUsageConfig(config);
}

}  // namespace pitr
