// Commit timestamps: microseconds since the Unix epoch, as int64.
#ifndef PITR_BASE_TIMESTAMP_H_
#define PITR_BASE_TIMESTAMP_H_

#include <cstdint>
#include <string>

namespace pitr {

// The wall clock now.
int64_t NowMicros();

// RFC 3339 in UTC with microseconds, e.g. "2026-11-21T09:30:00.000125Z".
std::string FormatTimestampUs(int64_t timestamp_us);

}  // namespace pitr

#endif  // PITR_BASE_TIMESTAMP_H_
