// PointInTime: a point in a branch's history, as callers name it: an LSN,
// or a wall-clock time (the last commit at or before it), or, with
// neither, the latest.
#ifndef PITR_ENGINE_POINT_IN_TIME_H_
#define PITR_ENGINE_POINT_IN_TIME_H_

#include <cstdint>
#include <optional>

#include "base/lsn.h"

namespace pitr {

struct PointInTime {
  std::optional<Lsn> lsn;
  std::optional<int64_t> timestamp_us;
};

}  // namespace pitr

#endif  // PITR_ENGINE_POINT_IN_TIME_H_
