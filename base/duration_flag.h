// DurationFlag: the type of every duration flag of pitr's binaries (pitrd,
// the benchmarks), so that they take the same forms as pitrctl
// (duration.h: 7d, 1d12h, 12h, 30m, 10s, 250ms) and, for "never", inf.
//
//   ABSL_FLAG(pitr::DurationFlag, gc_period,
//   pitr::DurationFlag{absl::Minutes(10)},
//             "...");
//   absl::Duration period = absl::GetFlag(FLAGS_gc_period).value;
//
// A bad value makes absl's flag parsing fail with a message naming the
// flag, the value and the accepted forms.
#ifndef PITR_BASE_DURATION_FLAG_H_
#define PITR_BASE_DURATION_FLAG_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace pitr {

struct DurationFlag {
  absl::Duration value;
};

// absl's flag hooks (found by argument-dependent lookup).
bool AbslParseFlag(absl::string_view text, DurationFlag* flag,
                   std::string* error);
std::string AbslUnparseFlag(const DurationFlag& flag);

}  // namespace pitr

#endif  // PITR_BASE_DURATION_FLAG_H_
