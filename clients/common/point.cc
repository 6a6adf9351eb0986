#include "clients/common/point.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/lsn.h"
#include "proto/time_convert.h"

namespace pitr::clients {
namespace {

constexpr char kSnapshotPrefix[] = "snapshot:";

absl::Status PointError(const std::string& text, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid point \"", text, "\": ", why,
      "; expected an LSN (X/Y hex, e.g. 0/16B3748, or decimal), an RFC 3339 "
      "time (e.g. 2026-11-21T10:00:00Z) or snapshot:NAME"));
}

bool LooksLikeTime(const std::string& text) {
  return text.find('-') != std::string::npos ||
         text.find(':') != std::string::npos;
}

}  // namespace

absl::StatusOr<v1::PointInTime> ParsePoint(const std::string& text) {
  v1::PointInTime point;
  if (absl::StartsWith(text, kSnapshotPrefix)) {
    std::string name = text.substr(sizeof(kSnapshotPrefix) - 1);
    if (name.empty()) return PointError(text, "no snapshot name");
    point.set_snapshot(name);
    return point;
  }
  if (LooksLikeTime(text)) {
    absl::StatusOr<absl::Time> t = ParseTime(text);
    if (!t.ok()) return PointError(text, std::string(t.status().message()));
    *point.mutable_timestamp() = TimestampProto(absl::ToUnixMicros(*t));
    return point;
  }
  absl::StatusOr<Lsn> lsn = ParseLsn(text);
  if (!lsn.ok()) return PointError(text, "not an LSN");
  point.set_lsn(*lsn);
  return point;
}

absl::StatusOr<absl::Time> ParseTime(const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid RFC 3339 time \"", text, "\" (", error,
                     "); expected e.g. 2026-11-21T10:00:00Z or "
                     "2026-11-21T11:00:00.25+01:00"));
  }
  return t;
}

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

}  // namespace pitr::clients
