// Durations as people write them on a command line, and back: what
// absl::ParseDuration takes (90s, 1h30m, 250ms) with a leading whole
// number of days allowed (7d, 1d12h). pitrctl's options, pitrd's flags
// (duration_flag.h) and every client's output use these forms.
#ifndef PITR_BASE_DURATION_H_
#define PITR_BASE_DURATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pitr {

// A duration that is not negative and not infinite. INVALID_ARGUMENT
// naming the text and the accepted forms otherwise.
absl::StatusOr<absl::Duration> ParseDuration(const std::string& text);

// "7d", "1d12h", "30m", "1.5s", "0": accepted back by ParseDuration
// (except an infinite duration, "inf").
std::string DurationString(absl::Duration d);

}  // namespace pitr

#endif  // PITR_BASE_DURATION_H_
