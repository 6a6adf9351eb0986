// Early-return helpers for absl::Status and absl::StatusOr.
//
// Debian's Abseil (20220623) has no ABSL_RETURN_IF_ERROR, so pitr defines its
// own pair here, once:
//
//   PITR_RETURN_IF_ERROR(file->Sync());
//   PITR_ASSIGN_OR_RETURN(auto file, fs->NewWritableFile(path));
#ifndef PITR_BASE_STATUS_MACROS_H_
#define PITR_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PITR_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::absl::Status pitr_status_ = (expr);        \
    if (!pitr_status_.ok()) return pitr_status_; \
  } while (0)

#define PITR_STATUS_MACROS_CONCAT_INNER_(x, y) x##y
#define PITR_STATUS_MACROS_CONCAT_(x, y) PITR_STATUS_MACROS_CONCAT_INNER_(x, y)

#define PITR_ASSIGN_OR_RETURN(lhs, rexpr) \
  PITR_ASSIGN_OR_RETURN_IMPL_(            \
      PITR_STATUS_MACROS_CONCAT_(pitr_statusor_, __LINE__), lhs, rexpr)

#define PITR_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                \
  if (!statusor.ok()) return statusor.status();           \
  lhs = std::move(statusor).value()

#endif  // PITR_BASE_STATUS_MACROS_H_
