// The progress line of `pitrctl gc` (RunGcWithProgress's updates):
//   GC delete: 1200000 of about 3400000 versions examined (35%)  12.5s
#ifndef PITR_TOOLS_PITRCTL_GC_PROGRESS_H_
#define PITR_TOOLS_PITRCTL_GC_PROGRESS_H_

#include <string>

#include "absl/time/time.h"
#include "proto/retention_service.pb.h"

namespace pitr::ctl {

// The phase, the versions examined (against the estimate, if any; the
// percentage stops at 99 as the estimate is rough) and the time so far.
std::string GcProgressLine(const v1::GcProgress& progress,
                           absl::Duration elapsed);

}  // namespace pitr::ctl

#endif  // PITR_TOOLS_PITRCTL_GC_PROGRESS_H_
