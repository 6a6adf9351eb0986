#include "base/duration_flag.h"

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/duration.h"

namespace pitr {

bool AbslParseFlag(absl::string_view text, DurationFlag* flag,
                   std::string* error) {
  if (text == "inf") {
    flag->value = absl::InfiniteDuration();
    return true;
  }
  absl::StatusOr<absl::Duration> d = ParseDuration(std::string(text));
  if (!d.ok()) {
    *error = absl::StrCat(d.status().message(), ", or inf for never");
    return false;
  }
  flag->value = *d;
  return true;
}

std::string AbslUnparseFlag(const DurationFlag& flag) {
  return DurationString(flag.value);
}

}  // namespace pitr
