#include "server/service_util.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "proto/time_convert.h"
#include "server/convert.h"

namespace pitr {

absl::StatusOr<Branch> BranchNamed(const Engine& engine,
                                   const std::string& name) {
  return engine.FindBranch(name.empty() ? "main" : name);
}

absl::StatusOr<v1::Branch> DescribeBranch(const Engine& engine,
                                          const Branch& branch,
                                          bool with_bounds) {
  uint32_t depth = 0;
  for (BranchId up = branch.parent; up != 0; ++depth) {
    absl::StatusOr<Branch> parent = engine.GetBranch(up);
    if (!parent.ok()) break;  // deleted meanwhile
    up = parent->parent;
  }
  v1::Branch proto =
      BranchProto(branch, BranchNameOf(engine, branch.parent), depth);
  if (with_bounds) {
    PITR_ASSIGN_OR_RETURN(HistoryBounds bounds,
                          engine.GetHistoryBounds(branch.id));
    *proto.mutable_history_bounds() = HistoryBoundsProto(bounds);
  }
  return proto;
}

std::string BranchNameOf(const Engine& engine, BranchId id) {
  if (id == 0) return "";
  absl::StatusOr<Branch> branch = engine.GetBranch(id);
  return branch.ok() ? branch->name : "";
}

absl::StatusOr<PointInTime> ToPoint(const v1::PointInTime& point) {
  PointInTime at;
  switch (point.point_case()) {
    case v1::PointInTime::kLsn:
      at.lsn = point.lsn();
      break;
    case v1::PointInTime::kTimestamp: {
      PITR_ASSIGN_OR_RETURN(at.timestamp_us,
                            TimestampUs(point.timestamp(), "point.timestamp"));
      break;
    }
    case v1::PointInTime::kSnapshot:
      return absl::InvalidArgumentError(
          "a snapshot point is not accepted here: give an lsn or a "
          "timestamp");
    case v1::PointInTime::POINT_NOT_SET:
      break;
  }
  return at;
}

absl::StatusOr<std::optional<Lsn>> ReadLsn(Engine& engine, const Branch& branch,
                                           const v1::PointInTime& point) {
  switch (point.point_case()) {
    case v1::PointInTime::kLsn:
      return std::optional<Lsn>(point.lsn());
    case v1::PointInTime::kTimestamp: {
      PITR_ASSIGN_OR_RETURN(int64_t timestamp_us,
                            TimestampUs(point.timestamp(), "point.timestamp"));
      PITR_ASSIGN_OR_RETURN(Lsn lsn, engine.wal().LsnAtTimestamp(timestamp_us));
      return std::optional<Lsn>(lsn);
    }
    case v1::PointInTime::kSnapshot: {
      PITR_ASSIGN_OR_RETURN(Snapshot snapshot,
                            engine.snapshots().Get(point.snapshot()));
      if (snapshot.timeline != branch.timeline) {
        return absl::FailedPreconditionError(absl::StrCat(
            "snapshot \"", snapshot.name, "\" (lsn ", FormatLsn(snapshot.lsn),
            ", timeline ", snapshot.timeline.value(),
            ") is not in the history of "
            "branch \"",
            branch.name, "\" (timeline ", branch.timeline.value(),
            "); create a branch from the snapshot to read it"));
      }
      return std::optional<Lsn>(snapshot.lsn);
    }
    case v1::PointInTime::POINT_NOT_SET:
      break;
  }
  return std::optional<Lsn>();
}

absl::Status CheckCount(int count, int limit, const char* what) {
  if (count <= limit) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "too many ", what, ": ", count, " (at most ", limit, " per request)"));
}

absl::StatusOr<ListPage> PageOfList(int32_t page_size,
                                    const std::string& page_token,
                                    uint64_t total) {
  PITR_ASSIGN_OR_RETURN(int size, PageSizeOf(page_size));
  PITR_ASSIGN_OR_RETURN(uint64_t position, PagePositionOf(page_token));
  ListPage page;
  page.begin = std::min(position, total);
  page.end = std::min<uint64_t>(total, page.begin + size);
  if (page.end < total) page.next_page_token = absl::StrCat(page.end);
  return page;
}

absl::StatusOr<int> PageSizeOf(int32_t page_size) {
  if (page_size < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_size must be 0 (the default, 100) to 1000, not ", page_size));
  }
  if (page_size == 0) return 100;
  return page_size > 1000 ? 1000 : page_size;
}

absl::StatusOr<uint64_t> PagePositionOf(const std::string& page_token) {
  uint64_t position = 0;
  if (!page_token.empty() && !absl::SimpleAtoi(page_token, &position)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_token \"", page_token,
        "\" is not one a list returned (pass next_page_token unchanged)"));
  }
  return position;
}

}  // namespace pitr
