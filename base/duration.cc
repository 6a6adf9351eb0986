#include "base/duration.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace pitr {

absl::StatusOr<absl::Duration> ParseDuration(const std::string& text) {
  auto error = [&text] {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid duration \"", text,
        "\": expected a number with a unit, e.g. 7d, 12h, 30m, 10s, 1d12h"));
  };
  absl::Duration days = absl::ZeroDuration();
  std::string rest = text;
  size_t d = text.find('d');
  if (d != std::string::npos) {
    int64_t n;
    std::string digits = text.substr(0, d);
    if (digits.empty() ||
        digits.find_first_not_of("0123456789") != std::string::npos ||
        !absl::SimpleAtoi(digits, &n)) {
      return error();
    }
    days = absl::Hours(24) * n;
    rest = text.substr(d + 1);
  }
  absl::Duration parsed = absl::ZeroDuration();
  if (!rest.empty() && !absl::ParseDuration(rest, &parsed)) return error();
  if ((rest.empty() && d == std::string::npos) ||
      parsed < absl::ZeroDuration() || parsed == absl::InfiniteDuration() ||
      days + parsed == absl::InfiniteDuration()) {  // saturated: too long
    return error();
  }
  return days + parsed;
}

std::string DurationString(absl::Duration d) {
  const absl::Duration day = absl::Hours(24);
  if (d == absl::InfiniteDuration()) return absl::FormatDuration(d);
  int64_t days = absl::IDivDuration(d, day, &d);
  if (days == 0) return absl::FormatDuration(d);
  std::string out = absl::StrCat(days, "d");
  if (d != absl::ZeroDuration()) absl::StrAppend(&out, absl::FormatDuration(d));
  return out;
}

}  // namespace pitr
