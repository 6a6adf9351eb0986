#include "server/service_util.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "clients/common/client.h"
#include "proto/time_convert.h"
#include "server/convert.h"
#include "server/replica_follower.h"

namespace pitr {

namespace {

// The call's "pitr-min-lsn" metadata as text, or nullopt.
std::optional<absl::string_view> MinLsnText(
    const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto found = metadata.find(clients::kMinLsnMetadata);
  if (found == metadata.end()) return std::nullopt;
  return absl::string_view(found->second.data(), found->second.size());
}

}  // namespace

bool MustWaitForMinLsn(const ServiceEnv& env,
                       const grpc::ServerContextBase& context) {
  const std::optional<absl::string_view> text = MinLsnText(context);
  if (!text) return false;
  absl::StatusOr<Lsn> min_lsn = ParseLsn(*text);
  return min_lsn.ok() && *min_lsn > env.engine->latest_lsn();
}

absl::Status WaitForMinLsn(const ServiceEnv& env,
                           const grpc::ServerContextBase& context) {
  const std::optional<absl::string_view> found = MinLsnText(context);
  if (!found) return absl::OkStatus();
  const absl::string_view text = *found;
  absl::StatusOr<Lsn> min_lsn = ParseLsn(text);
  if (!min_lsn.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(clients::kMinLsnMetadata, " \"", text,
                     "\" is not an LSN (decimal, or hexadecimal as X/Y)"));
  }
  // Answered a little before the call's deadline, so that the client gets
  // the reason rather than DEADLINE_EXCEEDED.
  const absl::Time now = absl::Now();
  const absl::Time call_deadline = absl::FromChrono(context.deadline());
  const absl::Duration margin =
      std::min(absl::Milliseconds(100), (call_deadline - now) / 10);
  const absl::Time deadline =
      std::min(call_deadline - margin, now + kMaxMinLsnWait);
  absl::Status waited = env.engine->WaitForLsn(*min_lsn, deadline);
  const Lsn latest = env.engine->latest_lsn();
  if (waited.ok() || !absl::IsDeadlineExceeded(waited) || latest >= *min_lsn) {
    return absl::IsDeadlineExceeded(waited) ? absl::OkStatus() : waited;
  }
  std::string primary;
  if (env.follower != nullptr) {
    const ReplicaState state = env.follower->state();
    primary =
        absl::StrCat("; it is a replica of ", state.primary,
                     ", last heard at lsn ", FormatLsn(state.primary_lsn),
                     state.connected ? "" : ", and not connected to it now");
  }
  return absl::UnavailableError(absl::StrCat(
      "read-your-writes: the call asked for lsn ", FormatLsn(*min_lsn),
      " but this server holds lsn ", FormatLsn(latest), " (", *min_lsn - latest,
      " bytes behind)", primary, "; retry, or read from the primary"));
}

void NotifyWatchers(const ServiceEnv& env, BranchId branch) {
  if (env.watches != nullptr) env.watches->BranchChanged(branch);
}

absl::StatusOr<Branch> BranchNamed(const Engine& engine,
                                   const std::string& name) {
  return engine.FindBranch(name.empty() ? "main" : name);
}

absl::StatusOr<v1::Branch> DescribeBranch(const Engine& engine,
                                          const Branch& branch,
                                          bool with_bounds) {
  // Every timeline above the branch's is a branch's or an unnamed ancestor.
  uint32_t depth = 0;
  for (TimelineId up = branch.parent_timeline; up != kNoTimeline; ++depth) {
    absl::StatusOr<Timeline> parent = engine.GetTimeline(up);
    if (!parent.ok()) break;  // reclaimed meanwhile
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
