#include "base/timestamp.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace pitr {

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

std::string FormatTimestampUs(int64_t timestamp_us) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ",
                          absl::FromUnixMicros(timestamp_us),
                          absl::UTCTimeZone());
}

}  // namespace pitr
