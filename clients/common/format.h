// Text forms of the API's times, durations and sizes for clients' output.
// Each one is accepted back as input where a client takes that kind of
// value (point.h): times are RFC 3339 in UTC with microseconds, durations
// use the units of ParseDuration, with days ("1d12h").
#ifndef PITR_CLIENTS_COMMON_FORMAT_H_
#define PITR_CLIENTS_COMMON_FORMAT_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "base/duration.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace pitr::clients {

// "2026-11-21T09:30:00.000125Z".
std::string FormatTime(const google::protobuf::Timestamp& t);

// "7d", "1d12h", "30m", "1.5s", "0" (base/duration.h).
using ::pitr::DurationString;
std::string DurationString(const google::protobuf::Duration& d);

// Binary units with one decimal: "512 B", "1.5 KiB", "27.0 MiB".
std::string FormatBytes(uint64_t bytes);

}  // namespace pitr::clients

#endif  // PITR_CLIENTS_COMMON_FORMAT_H_
