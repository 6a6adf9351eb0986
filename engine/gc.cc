#include "engine/gc.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "engine/engine_core.h"
#include "engine/gc_policy.h"
#include "rocksdb/write_batch.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace sk = store_keys;

namespace {
constexpr size_t kDeleteBatch = 4096;

// Deletes the change keys (store_keys::ChangeKey) of the dropped versions
// of one page on `timeline`, but not of a position a kept version still
// has (an image materialised at a dropped delta's position keeps it).
void DeleteChangeKeys(TimelineId timeline,
                      const std::vector<gc_policy::Version>& versions,
                      const std::vector<size_t>& drop,
                      rocksdb::WriteBatch* deletes) {
  std::set<sk::Position> kept;
  size_t next_drop = 0;
  for (size_t i = 0; i < versions.size(); ++i) {
    if (next_drop < drop.size() && drop[next_drop] == i) {
      ++next_drop;
    } else {
      kept.insert(versions[i].at);
    }
  }
  for (size_t i : drop) {
    if (kept.count(versions[i].at) == 0) {
      deletes->Delete(sk::ChangeKey(timeline, versions[i].at));
    }
  }
}

// The most a run waits between progress reports while it walks versions.
constexpr absl::Duration kProgressInterval = absl::Milliseconds(500);
}  // namespace

GarbageCollector::GarbageCollector(EngineCore* core) : core_(core) {}

absl::StatusOr<GarbageCollector::Plan> GarbageCollector::PlanAndPublish() {
  MutexLock l(&core_->branch_mu);
  const Lsn latest = core_->latest_lsn;
  const absl::Time now = absl::Now();
  auto lsn_at_time = [this](absl::Time t) -> std::optional<Lsn> {
    absl::StatusOr<Lsn> lsn = core_->wal->LsnAtTimestamp(absl::ToUnixMicros(t));
    if (!lsn.ok()) return std::nullopt;
    return *lsn;
  };
  // Pins: exact points that must stay readable (expired leases are not
  // live; Run has deleted expired snapshots).
  std::vector<std::pair<TimelineId, Lsn>> pins = core_->history.LivePins(now);
  // Leases and exports are short: the local disk keeps their points. A
  // snapshot's below the local cutoff is read from the bucket.
  const size_t short_pins = pins.size();
  for (const Snapshot& s : core_->catalog->ListSnapshots())
    pins.emplace_back(s.timeline, s.lsn);
  const Lsn local_cutoff = core_->replica() ? 0 : core_->local_cutoff.load();

  const std::vector<Branch> branches = core_->catalog->List();
  const Retention defaults = core_->default_retention();
  std::map<BranchId, Lsn> cutoffs;
  for (const Branch& b : branches) {
    // The state where the branch stands stays readable, however old.
    cutoffs[b.id] = std::min(
        gc_policy::RetentionCutoff(gc_policy::EffectiveRetention(b, defaults),
                                   latest, now, lsn_at_time),
        core_->BranchLatest(b));
  }
  Plan plan;
  plan.floors = gc_policy::Floors(branches, cutoffs);
  std::vector<gc_policy::Reader> readers;
  // What the local disk keeps: the readers' points at or above the cutoff.
  std::vector<gc_policy::Reader> local_readers;
  for (size_t i = 0; i < pins.size(); ++i) {
    const auto& [timeline, lsn] = pins[i];
    if (std::optional<BranchId> owner = core_->catalog->OwnerOf(timeline)) {
      plan.floors[*owner] = std::min(plan.floors[*owner], lsn);
    }
    PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                          core_->catalog->TimelinePath(timeline, lsn));
    if (i < short_pins || lsn >= local_cutoff) {
      local_readers.push_back({0, path, lsn});
    }
    readers.push_back({0, std::move(path), lsn});
  }
  for (const Branch& b : branches) {
    PITR_ASSIGN_OR_RETURN(std::vector<ReadStep> path,
                          core_->catalog->ReadPath(b.id, latest));
    // A floor never drops below what GC already collected on the path.
    Lsn& floor = plan.floors[b.id];
    for (const ReadStep& step : path) {
      PITR_ASSIGN_OR_RETURN(Timeline t, core_->catalog->GetTimeline(step.timeline));
      if (t.gc_horizon <= step.up_to) floor = std::max(floor, t.gc_horizon);
    }
    // Where the branch stands stays local, however old.
    local_readers.push_back(
        {b.id, path,
         std::max(floor, std::min(local_cutoff, core_->BranchLatest(b)))});
    readers.push_back({b.id, std::move(path), floor});
  }
  plan.horizons = gc_policy::Horizons(readers);
  const std::map<TimelineId, Lsn> ceilings = gc_policy::Ceilings(readers);
  for (TimelineId t : core_->catalog->UnwrittenTimelines()) {
    auto ceiling = ceilings.find(t);
    if (ceiling != ceilings.end()) plan.ceilings.insert(*ceiling);
  }
  // Local horizons: at least the horizons, and never lower than before.
  plan.local_horizons = core_->history.LocalHorizons();
  const std::map<TimelineId, Lsn> local =
      local_cutoff > 0 ? gc_policy::Horizons(local_readers) : plan.horizons;
  for (const auto& [timeline, horizon] : plan.horizons) {
    auto kept = local.find(timeline);
    Lsn& mine = plan.local_horizons[timeline];
    mine = std::max({mine, horizon, kept == local.end() ? 0 : kept->second});
  }
  plan.unused = core_->catalog->UnusedTimelines();
  if (core_->replica()) {
    // A replica deletes only what its primary has given up: the horizons
    // the primary recorded (its catalog is this one).
    for (auto& [timeline, horizon] : plan.horizons) {
      absl::StatusOr<Timeline> t = core_->catalog->GetTimeline(timeline);
      horizon = t.ok() ? std::min(horizon, t->gc_horizon) : 0;
    }
  } else {
    PITR_RETURN_IF_ERROR(core_->catalog->RaiseGcHorizons(plan.horizons));
  }
  for (auto& [timeline, local_horizon] : plan.local_horizons) {
    auto horizon = plan.horizons.find(timeline);
    if (horizon != plan.horizons.end()) {
      local_horizon = std::max(local_horizon, horizon->second);
    }
  }
  // Recorded before anything is deleted below them (the same memtable,
  // flushed in order).
  rocksdb::WriteBatch record;
  record.Put(sk::MetaKey(sk::kMetaLocalHorizons),
             sk::EncodeLocalHorizons(plan.local_horizons));
  PITR_RETURN_IF_ERROR(core_->store->Write(&record));
  core_->history.Publish(plan.floors, plan.horizons, plan.local_horizons);
  return plan;
}

absl::StatusOr<GcReport> GarbageCollector::Run(bool compact,
                                               const GcProgressFn& progress) {
  if (core_->closed) {
    return absl::FailedPreconditionError("the store is closed");
  }
  MutexLock run(&run_mu_);
  const absl::Time started = absl::Now();
  GcReport report;
  GcProgressReporter reporter(progress, kProgressInterval);
  // The deletes end with a flush, which would also write out what was in
  // memory before the run: flush that first, and measure "before" after
  // it, so that what flushing adds is not taken for GC's doing.
  reporter.StartPhase(GcProgress::Phase::kFlush);
  const uint64_t unflushed_bytes = core_->store->LiveBytes();
  PITR_RETURN_IF_ERROR(core_->maintenance->Flush());
  report.store_bytes_before = core_->store->LiveBytes();
  report.bytes_flushed = report.store_bytes_before > unflushed_bytes
                             ? report.store_bytes_before - unflushed_bytes
                             : 0;
  reporter.StartPhase(GcProgress::Phase::kPlan);
  core_->local_cutoff = LocalCutoff();
  // Expired snapshots pin nothing any more (a replica's expire on its
  // primary).
  if (!core_->replica()) {
    PITR_RETURN_IF_ERROR(core_->snapshots.ExpireDue(started));
  }
  PITR_ASSIGN_OR_RETURN(const Plan plan, PlanAndPublish());
  reporter.StartPhase(GcProgress::Phase::kDelete,
                      core_->store->EstimatedKeys());
  PITR_RETURN_IF_ERROR(DeleteCollected(plan, &report, &reporter));
  if (compact) {
    reporter.StartPhase(GcProgress::Phase::kCompact);
    // The deletes are in the memtable; compaction only sees flushed data.
    PITR_RETURN_IF_ERROR(core_->store->Flush());
    PITR_RETURN_IF_ERROR(core_->store->CompactAll());
  }
  report.store_bytes_after = core_->store->LiveBytes();
  if (report.store_bytes_before > report.store_bytes_after) {
    report.bytes_reclaimed =
        report.store_bytes_before - report.store_bytes_after;
  }
  report.took = absl::Now() - started;
  core_->maintenance->GcRan(absl::Now());
  ++runs_;
  versions_removed_ += report.versions_removed;
  timelines_removed_ += report.timelines_removed;
  bytes_reclaimed_ += report.bytes_reclaimed;
  spdlog::info(
      "pitr GC: removed {} of {} versions and {} timelines in {}; store {} "
      "-> {} bytes ({} reclaimed; {} flushed before)",
      report.versions_removed, report.versions_examined,
      report.timelines_removed, absl::FormatDuration(report.took),
      report.store_bytes_before, report.store_bytes_after,
      report.bytes_reclaimed, report.bytes_flushed);
  return report;
}

absl::Status GarbageCollector::DeleteCollected(const Plan& plan,
                                               GcReport* report,
                                               GcProgressReporter* progress) {
  const std::set<TimelineId> unused(plan.unused.begin(), plan.unused.end());
  const bool replica = core_->replica();

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
    // dead as an unused one; but not on a replica, whose batches of a new
    // timeline may come before the catalog that names it.
    if (unused.count(current->second) > 0 ||
        (!replica && !core_->catalog->GetTimeline(current->second).ok())) {
      for (size_t i = 0; i < group.size(); ++i) drop.push_back(i);
    } else if (auto h = plan.local_horizons.find(current->second);
               h != plan.local_horizons.end()) {
      auto ceiling = plan.ceilings.find(current->second);
      drop = gc_policy::VersionsToDrop(
          group, h->second,
          ceiling == plan.ceilings.end()
              ? std::nullopt
              : std::optional<Lsn>(std::max(ceiling->second, h->second)));
    }
    for (size_t i : drop) deletes.Delete(group_keys[i]);
    DeleteChangeKeys(current->second, group, drop, &deletes);
    report->versions_removed += drop.size();
    pending += drop.size();
    group.clear();
    group_keys.clear();
  };
  PITR_RETURN_IF_ERROR(core_->store->ForEachVersion([&](const sk::ParsedVersionKey& v,
                                                  absl::string_view key) {
    ++report->versions_examined;
    progress->Examined();
    if (!current || current->first != v.key || current->second != v.timeline) {
      finish_group();
      current = std::make_pair(v.key, v.timeline);
      if (pending >= kDeleteBatch) {
        status = core_->store->Write(&deletes);
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
  if (pending > 0) PITR_RETURN_IF_ERROR(core_->store->Write(&deletes));

  for (TimelineId t : plan.unused) {
    PITR_RETURN_IF_ERROR(core_->store->DeleteTimelineRecords(t));
  }
  core_->applier->ForgetHeads(plan.unused);
  // The deletes must be on disk before the timelines are forgotten (on a
  // replica, by the primary's catalog).
  PITR_RETURN_IF_ERROR(core_->store->Flush());
  if (!replica) {
    PITR_RETURN_IF_ERROR(core_->catalog->ForgetTimelines(plan.unused));
  }
  report->timelines_removed = plan.unused.size();
  return absl::OkStatus();
}

Lsn GarbageCollector::LocalCutoff() const {
  const absl::Duration keep = core_->options.local_history;
  remote::WalArchiver* archiver = core_->archiver();
  if (keep == absl::InfiniteDuration() || archiver == nullptr ||
      core_->replica()) {
    return 0;
  }
  absl::StatusOr<Lsn> by_time = core_->wal->LsnAtTimestamp(
      absl::ToUnixMicros(absl::Now() - keep));
  if (!by_time.ok()) return 0;  // every commit is younger
  absl::StatusOr<std::vector<remote::BackupManifest>> backups =
      core_->backups.List();
  if (!backups.ok() || backups->empty()) {
    if (!backups.ok()) {
      spdlog::warn("pitr GC: keeping all history locally: {}",
                   backups.status().ToString());
    }
    return 0;
  }
  // Every point inside retention must stay readable: from the bucket only
  // once a backup reaches back to the oldest.
  Lsn oldest_needed = core_->latest_lsn.load();
  {
    ReaderMutexLock l(&core_->history.mu());
    for (const Branch& b : core_->catalog->List()) {
      oldest_needed = std::min(oldest_needed, core_->history.FloorOf(b.id));
    }
  }
  if (backups->front().lsn > oldest_needed) return 0;
  return std::min({*by_time, archiver->archived_lsn(), backups->back().lsn});
}

GcStats GarbageCollector::stats() const {
  return GcStats{runs_.load(), versions_removed_.load(),
                 timelines_removed_.load(), bytes_reclaimed_.load()};
}

}  // namespace pitr
