#include "clients/common/point.h"

#include "absl/strings/match.h"
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

}  // namespace pitr::clients
