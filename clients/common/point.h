// Parsing of the points in time and durations clients take as arguments.
//
// A point (--at) is one of
//   an LSN            0/16B3748 or 23803720 (base/lsn.h)
//   an RFC 3339 time  2026-11-21T10:00:00Z, 2026-11-21T11:00:00.25+01:00
//   a snapshot        snapshot:NAME
// A duration is base/duration.h's: 7d, 1d12h, 12h, 30m, 10s, 250ms.
//
// Errors are INVALID_ARGUMENT with a message that names the text and the
// accepted forms.
#ifndef PITR_CLIENTS_COMMON_POINT_H_
#define PITR_CLIENTS_COMMON_POINT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/duration.h"
#include "proto/resources.pb.h"

namespace pitr::clients {

absl::StatusOr<v1::PointInTime> ParsePoint(const std::string& text);

// An RFC 3339 time with a "Z" or numeric offset, seconds optionally with a
// fraction (at most microseconds are kept).
absl::StatusOr<absl::Time> ParseTime(const std::string& text);

using ::pitr::ParseDuration;

}  // namespace pitr::clients

#endif  // PITR_CLIENTS_COMMON_POINT_H_
