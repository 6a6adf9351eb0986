// Retention and garbage collection (the rules are in gc_policy.h).
//
// A run: under branch_mu_ (no branch changes meanwhile), compute every
// branch's floor and every timeline's horizon, record the horizons durably
// in the catalog, and publish the floors (HistoryGuard::Publish, which waits
// for reads checked against the old ones). Only then delete, in batches:
// versions below each horizon that no longer matter, and all data of timelines
// no branch reads. Deletes are ordinary RocksDB deletes; compaction (forced by
// RunGc(compact=true)) gives the space back.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "engine/engine.h"
#include "engine/gc_policy.h"
#include "rocksdb/write_batch.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace sk = store_keys;

namespace {
constexpr size_t kDeleteBatch = 4096;
}  // namespace

Retention Engine::EffectiveRetention(const Branch& branch,
                                     const Retention& default_retention) {
  if (branch.retention.window || branch.retention.lsn_distance) {
    return branch.retention;
  }
  return default_retention;
}

std::string Engine::DescribeRetention(const Retention& r) const {
  std::string out;
  if (r.window) absl::StrAppend(&out, absl::FormatDuration(*r.window));
  if (r.lsn_distance) {
    absl::StrAppend(&out, out.empty() ? "" : " or ", *r.lsn_distance,
                    " bytes of WAL");
  }
  return out.empty() ? "keep everything" : out;
}

absl::Status Engine::SetDefaultRetention(const Retention& retention) {
  return catalog_->SetDefaultRetention(retention);
}

Retention Engine::default_retention() const {
  return catalog_->default_retention().value_or(options_.default_retention);
}

absl::Status Engine::SetRetention(BranchId branch, const Retention& retention) {
  MutexLock l(&branch_mu_);
  return catalog_->SetRetention(branch, retention);
}

absl::StatusOr<HistoryBounds> Engine::GetHistoryBounds(BranchId branch) const {
  PITR_ASSIGN_OR_RETURN(Branch b, catalog_->Get(branch));
  HistoryBounds bounds;
  {
    ReaderMutexLock l(&history_.mu());
    bounds.oldest_lsn = history_.FloorOf(branch);
  }
  bounds.latest_lsn = latest_lsn();
  PITR_ASSIGN_OR_RETURN(bounds.oldest_timestamp_us,
                        wal_->TimestampAtLsn(bounds.oldest_lsn));
  PITR_ASSIGN_OR_RETURN(bounds.latest_timestamp_us,
                        wal_->TimestampAtLsn(bounds.latest_lsn));
  bounds.retention = EffectiveRetention(b, default_retention());
  return bounds;
}

absl::StatusOr<Engine::GcPlan> Engine::PlanAndPublishGc() {
  const Lsn latest = latest_lsn();
  const absl::Time now = absl::Now();
  auto lsn_at_time = [this](absl::Time t) -> std::optional<Lsn> {
    absl::StatusOr<Lsn> lsn = wal_->LsnAtTimestamp(absl::ToUnixMicros(t));
    if (!lsn.ok()) return std::nullopt;
    return *lsn;
  };
  // Expired snapshots and leases pin nothing any more.
  for (const Snapshot& s : catalog_->ListSnapshots()) {
    if (s.expires_us && *s.expires_us <= absl::ToUnixMicros(now)) {
      spdlog::info("pitr: snapshot \"{}\" expired", s.name);
      PITR_RETURN_IF_ERROR(catalog_->DeleteSnapshot(s.name));
    }
  }
  // Pins: exact points that must stay readable.
  std::vector<std::pair<TimelineId, Lsn>> pins = history_.LivePins(now);
  for (const Snapshot& s : catalog_->ListSnapshots())
    pins.emplace_back(s.timeline, s.lsn);

  const std::vector<Branch> branches = catalog_->List();
  const Retention defaults = default_retention();
  std::map<BranchId, Lsn> cutoffs;
  for (const Branch& b : branches) {
    cutoffs[b.id] = gc_policy::RetentionCutoff(EffectiveRetention(b, defaults),
                                               latest, now, lsn_at_time);
  }
  GcPlan plan;
  plan.floors = gc_policy::Floors(branches, cutoffs);
  std::vector<gc_policy::Reader> readers;
  for (const auto& [timeline, lsn] : pins) {
    if (std::optional<BranchId> owner = catalog_->OwnerOf(timeline)) {
      plan.floors[*owner] = std::min(plan.floors[*owner], lsn);
    }
    PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                          catalog_->TimelinePath(timeline, lsn));
    readers.push_back({0, std::move(path), lsn});
  }
  for (const Branch& b : branches) {
    PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                          catalog_->ReadPath(b.id, latest));
    // A floor never drops below what GC already collected on the path.
    Lsn& floor = plan.floors[b.id];
    for (const ReadStep& step : path) {
      PITR_ASSIGN_OR_RETURN(Timeline t, catalog_->GetTimeline(step.timeline));
      if (t.gc_horizon <= step.up_to) floor = std::max(floor, t.gc_horizon);
    }
    readers.push_back({b.id, std::move(path), floor});
  }
  plan.horizons = gc_policy::Horizons(readers);
  plan.unused = catalog_->UnusedTimelines();
  PITR_RETURN_IF_ERROR(catalog_->RaiseGcHorizons(plan.horizons));
  history_.Publish(plan.floors, plan.horizons);
  return plan;
}

absl::StatusOr<GcReport> Engine::RunGc(bool compact) {
  if (closed_) return absl::FailedPreconditionError("the store is closed");
  MutexLock run(&gc_run_mu_);
  const absl::Time started = absl::Now();
  GcReport report;
  // Compaction works on flushed data; flush first so the sizes compare.
  if (compact) PITR_RETURN_IF_ERROR(Flush());
  report.store_bytes_before = store_->LiveBytes();
  GcPlan plan;
  {
    MutexLock l(&branch_mu_);
    PITR_ASSIGN_OR_RETURN(plan, PlanAndPublishGc());
  }
  const std::set<TimelineId> unused(plan.unused.begin(), plan.unused.end());

  // Walk every version, one (page, timeline) group at a time.
  rocksdb::WriteBatch deletes;
  size_t pending = 0;
  absl::Status status;
  std::vector<gc_policy::Version> group;
  std::vector<std::string> group_keys;
  std::optional<std::pair<PageKey, TimelineId>> current;
  auto finish_group = [&]() {
    if (!current) return;
    // The store lists a page's versions newest first; the policy wants them
    // oldest first.
    std::reverse(group.begin(), group.end());
    std::reverse(group_keys.begin(), group_keys.end());
    std::vector<size_t> drop;
    // A timeline GC forgot before its deletes reached disk (a crash) is as
    // dead as an unused one.
    if (unused.count(current->second) > 0 ||
        !catalog_->GetTimeline(current->second).ok()) {
      for (size_t i = 0; i < group.size(); ++i) drop.push_back(i);
    } else if (auto h = plan.horizons.find(current->second);
               h != plan.horizons.end()) {
      drop = gc_policy::VersionsToDrop(group, h->second);
    }
    for (size_t i : drop) deletes.Delete(group_keys[i]);
    report.versions_removed += drop.size();
    pending += drop.size();
    group.clear();
    group_keys.clear();
  };
  PITR_RETURN_IF_ERROR(store_->ForEachVersion([&](const sk::ParsedVersionKey& v,
                                                  absl::string_view key) {
    ++report.versions_examined;
    if (!current || current->first != v.key || current->second != v.timeline) {
      finish_group();
      current = std::make_pair(v.key, v.timeline);
      if (pending >= kDeleteBatch) {
        status = store_->Write(&deletes);
        deletes.Clear();
        pending = 0;
        if (!status.ok()) return false;
      }
    }
    group.push_back({v.at, v.is_image()});
    group_keys.emplace_back(key);
    return true;
  }));
  PITR_RETURN_IF_ERROR(status);
  finish_group();
  if (pending > 0) PITR_RETURN_IF_ERROR(store_->Write(&deletes));

  for (TimelineId t : plan.unused) {
    PITR_RETURN_IF_ERROR(store_->DeleteSpaceEvents(t));
  }
  // The deletes must be on disk before the timelines are forgotten.
  PITR_RETURN_IF_ERROR(store_->Flush());
  PITR_RETURN_IF_ERROR(catalog_->ForgetTimelines(plan.unused));
  report.timelines_removed = plan.unused.size();
  if (compact) {
    // The deletes are in the memtable; compaction only sees flushed data.
    PITR_RETURN_IF_ERROR(store_->Flush());
    PITR_RETURN_IF_ERROR(store_->CompactAll());
  }
  report.store_bytes_after = store_->LiveBytes();
  report.took = absl::Now() - started;
  maintenance_->GcRan(absl::Now());
  ++gc_runs_;
  gc_versions_removed_ += report.versions_removed;
  gc_timelines_removed_ += report.timelines_removed;
  if (report.store_bytes_before > report.store_bytes_after) {
    gc_bytes_reclaimed_ += report.store_bytes_before - report.store_bytes_after;
  }
  spdlog::info(
      "pitr GC: removed {} of {} versions and {} timelines in {}; store {} -> "
      "{} bytes",
      report.versions_removed, report.versions_examined,
      report.timelines_removed, absl::FormatDuration(report.took),
      report.store_bytes_before, report.store_bytes_after);
  return report;
}

}  // namespace pitr
