#include "server/server_metrics.h"

#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/version.h"
#include "server/process_figures.h"
#include "server/replica_follower.h"
#include "spdlog/spdlog.h"

namespace pitr {
namespace {

// The code's name as gRPC prints it (the label values of pitr_rpcs_total).
std::string CodeName(int code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// A figure read from a snapshot of some state (EngineStats,
// ReplicaState) at each render.
template <typename State>
struct Figure {
  const char* name;
  const char* help;
  prometheus::MetricType type;
  std::function<double(const State&)> value;
};

// Registers each figure, read from what `state` returns.
template <typename State, size_t N>
absl::Status AddFigures(Metrics* metrics, const Figure<State> (&figures)[N],
                        const std::function<State()>& state) {
  for (const Figure<State>& figure : figures) {
    auto value = figure.value;
    PITR_RETURN_IF_ERROR(
        metrics->AddFigure(figure.name, figure.help, figure.type,
                           [state, value] { return value(state()); }));
  }
  return absl::OkStatus();
}

}  // namespace

MethodMetrics::MethodMetrics(prometheus::Family<prometheus::Counter>* calls,
                             std::string method,
                             prometheus::Histogram* duration)
    : calls_family_(calls), method_(std::move(method)), duration_(duration) {}

void MethodMetrics::Record(grpc::StatusCode code, absl::Duration took) {
  duration_->Observe(absl::ToDoubleSeconds(took));
  int index = static_cast<int>(code);
  if (index < 0 || index >= kCodes) index = grpc::StatusCode::UNKNOWN;
  prometheus::Counter* calls = calls_[index].load(std::memory_order_acquire);
  if (calls == nullptr) {
    // The family returns the same counter to racing callers.
    calls =
        &calls_family_->Add({{"method", method_}, {"code", CodeName(index)}});
    calls_[index].store(calls, std::memory_order_release);
  }
  calls->Increment();
}

ServerMetrics::ServerMetrics(Metrics* metrics, Engine* engine)
    : metrics_(metrics),
      engine_(engine),
      rpcs_(prometheus::BuildCounter()
                .Name("pitr_rpcs_total")
                .Help("RPCs served, by method and status code.")
                .Register(metrics->registry())),
      durations_(prometheus::BuildHistogram()
                     .Name("pitr_rpc_duration_seconds")
                     .Help("Time to serve an RPC, by method.")
                     .Register(metrics->registry())) {}

absl::StatusOr<std::unique_ptr<ServerMetrics>> ServerMetrics::Create(
    Metrics* registry, Engine* engine, absl::Duration size_interval) {
  std::unique_ptr<ServerMetrics> metrics(new ServerMetrics(registry, engine));
  using Type = prometheus::MetricType;
  const Figure<EngineStats> figures[] = {
      {"pitr_ingest_batches_total",
       "Batches appended since the server started.", Type::Counter,
       [](const EngineStats& s) { return s.wal.batches; }},
      {"pitr_ingest_bytes_total",
       "WAL record bytes appended since the server started.", Type::Counter,
       [](const EngineStats& s) { return s.wal.bytes; }},
      {"pitr_wal_syncs_total", "WAL fsyncs since the server started.",
       Type::Counter, [](const EngineStats& s) { return s.wal.syncs; }},
      {"pitr_wal_segments", "WAL segment files on disk.", Type::Gauge,
       [](const EngineStats& s) { return s.wal.segments; }},
      {"pitr_wal_bytes", "Bytes of WAL on disk (not yet flushed and trimmed).",
       Type::Gauge,
       [](const EngineStats& s) { return s.latest_lsn - s.wal_oldest_lsn; }},
      {"pitr_pages_read_total", "Pages read since the server started.",
       Type::Counter, [](const EngineStats& s) { return s.pages_read; }},
      {"pitr_hot_page_hits_total",
       "Page reads answered from the hot pages (--hot_page_bytes), without "
       "reading the page store.",
       Type::Counter, [](const EngineStats& s) { return s.hot_page_hits; }},
      {"pitr_hot_page_bytes", "Bytes of pages the hot pages hold.",
       Type::Gauge, [](const EngineStats& s) { return s.hot_page_bytes; }},
      {"pitr_images_materialized_total",
       "Page images built from delta chains by background work.", Type::Counter,
       [](const EngineStats& s) { return s.images_materialized; }},
      {"pitr_flushes_total", "In-memory layer flushes.", Type::Counter,
       [](const EngineStats& s) { return s.flushes; }},
      {"pitr_store_bytes", "Bytes of the page store's files on disk.",
       Type::Gauge, [](const EngineStats& s) { return s.store_bytes; }},
      {"pitr_in_memory_bytes", "Bytes of the in-memory layer.", Type::Gauge,
       [](const EngineStats& s) { return s.in_memory_bytes; }},
      {"pitr_latest_lsn", "The latest LSN of the store.", Type::Gauge,
       [](const EngineStats& s) { return s.latest_lsn; }},
      {"pitr_gc_runs_total", "GC runs (background and on demand).",
       Type::Counter, [](const EngineStats& s) { return s.gc_runs; }},
      {"pitr_gc_versions_removed_total", "Page versions GC removed.",
       Type::Counter,
       [](const EngineStats& s) { return s.gc_versions_removed; }},
      {"pitr_gc_bytes_reclaimed_total",
       "Page store bytes GC runs gave back (GcReport.bytes_reclaimed: the "
       "size after GC's own flush minus the size at the end, if smaller).",
       Type::Counter,
       [](const EngineStats& s) { return s.gc_bytes_reclaimed; }},
      {"pitr_archive_lag_bytes",
       "WAL bytes committed but not yet in object storage (0 without "
       "--remote).",
       Type::Gauge,
       [](const EngineStats& s) {
         return s.archiving ? s.latest_lsn - s.archive.archived_lsn : 0;
       }},
      {"pitr_archive_lag_seconds",
       "How long object storage has been behind the WAL: 0 once it holds "
       "every commit, else the time since it last did.",
       Type::Gauge,
       [](const EngineStats& s) {
         return absl::ToDoubleSeconds(s.archive_lag);
       }},
      {"pitr_archive_objects_uploaded_total",
       "Objects the WAL archive uploaded.", Type::Counter,
       [](const EngineStats& s) { return s.archive.objects_uploaded; }},
      {"pitr_archive_bytes_uploaded_total", "Bytes the WAL archive uploaded.",
       Type::Counter,
       [](const EngineStats& s) { return s.archive.bytes_uploaded; }},
      {"pitr_archive_upload_failures_total",
       "Archive passes that failed (each is retried).", Type::Counter,
       [](const EngineStats& s) { return s.archive.failures; }},
      {"pitr_archive_generation",
       "The generation this pitrd holds on its object storage prefix.",
       Type::Gauge, [](const EngineStats& s) { return s.archive_generation; }},
      {"pitr_archive_fenced",
       "1 once another pitrd took the object storage prefix over.", Type::Gauge,
       [](const EngineStats& s) { return s.archive.fenced ? 1 : 0; }},
      {"pitr_backups_total", "Base backups taken since start.", Type::Counter,
       [](const EngineStats& s) { return s.backups.taken; }},
      {"pitr_backup_failures_total", "Base backups that failed since start.",
       Type::Counter, [](const EngineStats& s) { return s.backups.failures; }},
      {"pitr_backup_last_lsn",
       "LSN of the newest base backup in object storage (0: none).",
       Type::Gauge,
       [](const EngineStats& s) {
         return s.backups.last ? s.backups.last->lsn : 0;
       }},
      {"pitr_backup_last_timestamp_seconds",
       "When the newest base backup was taken, seconds since the Unix epoch "
       "(0: none).",
       Type::Gauge,
       [](const EngineStats& s) {
         return s.backups.last ? s.backups.last->created_us / 1e6 : 0;
       }},
      {"pitr_backup_last_bytes",
       "Bytes of the files the newest base backup holds.", Type::Gauge,
       [](const EngineStats& s) {
         return s.backups.last ? s.backups.last->total_bytes() : 0;
       }},
      {"pitr_backup_last_new_bytes",
       "Bytes the newest base backup uploaded (the rest were there).",
       Type::Gauge,
       [](const EngineStats& s) {
         return s.backups.last ? s.backups.last->new_bytes : 0;
       }},
      {"pitr_remote_restorable_from_lsn",
       "The oldest point a restore from object storage reaches (the oldest "
       "base backup kept), as of the last clean-up of the bucket.",
       Type::Gauge,
       [](const EngineStats& s) {
         return s.backups.restorable_from.value_or(0);
       }},
      {"pitr_remote_objects_deleted_total",
       "Objects deleted from object storage that no restore inside "
       "retention needed.",
       Type::Counter,
       [](const EngineStats& s) { return s.backups.garbage_objects_deleted; }},
      {"pitr_cold_reads_total",
       "Reads (pages, sizes, exports) of history only object storage holds "
       "(--local_history).",
       Type::Counter, [](const EngineStats& s) { return s.cold.reads; }},
      {"pitr_cold_fetches_total",
       "Stores built from object storage to read cold history.", Type::Counter,
       [](const EngineStats& s) { return s.cold.stores_built; }},
      {"pitr_cold_fetched_bytes_total",
       "Bytes those fetches downloaded (base backup files and WAL).",
       Type::Counter,
       [](const EngineStats& s) { return s.cold.bytes_fetched; }},
      {"pitr_cold_fetch_seconds_total",
       "Time spent building stores from object storage.", Type::Counter,
       [](const EngineStats& s) {
         return absl::ToDoubleSeconds(s.cold.build_time);
       }},
      {"pitr_remote_cache_bytes",
       "Disk used by the stores built from object storage (at most "
       "--remote_cache_bytes, but for the one in use).",
       Type::Gauge, [](const EngineStats& s) { return s.cold.cache_bytes; }},
      {"pitr_remote_bytes",
       "Bytes of every object under the store's object storage prefix, at "
       "the last measurement (every --size_interval).",
       Type::Gauge,
       [](const EngineStats& s) { return s.backups.bucket_bytes.value_or(0); }},
  };
  // One Engine::stats() per scrape, not one per figure.
  ServerMetrics* self = metrics.get();
  registry->AddRenderHook([self, engine] {
    EngineStats stats = engine->stats();
    MutexLock l(&self->scrape_mu_);
    self->scrape_stats_ = std::move(stats);
  });
  PITR_RETURN_IF_ERROR(AddFigures<EngineStats>(registry, figures, [self] {
    MutexLock l(&self->scrape_mu_);
    return self->scrape_stats_;
  }));
  PITR_RETURN_IF_ERROR(metrics->RegisterSizes());
  PITR_RETURN_IF_ERROR(metrics->RegisterBounds());
  if (size_interval > absl::ZeroDuration() &&
      size_interval != absl::InfiniteDuration()) {
    metrics->sizer_ =
        std::thread([self, size_interval] { self->SizeLoop(size_interval); });
  }
  return metrics;
}

ServerMetrics::~ServerMetrics() { Stop(); }

absl::Status ServerMetrics::AddReplica(const ReplicaFollower* follower) {
  using Type = prometheus::MetricType;
  const Figure<ReplicaState> figures[] = {
      {"pitr_replica_lag_bytes",
       "WAL bytes the primary has committed that this replica has not "
       "applied (as of the last word from the primary).",
       Type::Gauge, [](const ReplicaState& s) { return s.lag_bytes; }},
      {"pitr_replica_lag_seconds",
       "Commit time of the primary's latest batch minus that of this "
       "replica's (0 when caught up).",
       Type::Gauge,
       [](const ReplicaState& s) { return absl::ToDoubleSeconds(s.lag); }},
      {"pitr_replica_connected", "1 while the stream from the primary is up.",
       Type::Gauge, [](const ReplicaState& s) { return s.connected ? 1 : 0; }},
      {"pitr_replica_last_contact_seconds",
       "Seconds since the primary was last heard from (-1: never).",
       Type::Gauge,
       [](const ReplicaState& s) {
         return s.last_contact
                    ? absl::ToDoubleSeconds(absl::Now() - *s.last_contact)
                    : -1.0;
       }},
      {"pitr_replica_primary_lsn", "The primary's latest LSN as last heard.",
       Type::Gauge, [](const ReplicaState& s) { return s.primary_lsn; }},
      {"pitr_replica_batches_applied_total",
       "Batches applied from the primary (stream and bucket) since start.",
       Type::Counter, [](const ReplicaState& s) { return s.batches_applied; }},
      {"pitr_replica_catalog_changes_applied_total",
       "Catalog changes applied from the primary since start.", Type::Counter,
       [](const ReplicaState& s) { return s.catalog_changes_applied; }},
      {"pitr_replica_archive_catch_ups_total",
       "Times the replica caught up from object storage because the primary "
       "no longer held the WAL it needed.",
       Type::Counter,
       [](const ReplicaState& s) { return s.archive_catch_ups; }},
      {"pitr_replica_stopped",
       "1 once the replica stopped following for good (diverged, or "
       "promoted).",
       Type::Gauge, [](const ReplicaState& s) { return s.stopped ? 1 : 0; }},
  };
  return AddFigures<ReplicaState>(metrics_, figures,
                                  [follower] { return follower->state(); });
}

absl::Status ServerMetrics::AddWatches(WatchHub* watches) {
  using Type = prometheus::MetricType;
  PITR_RETURN_IF_ERROR(metrics_->AddFigure(
      "pitr_watchers",
      "Cached readers watching a branch (WatchChanges: SQLite connections).",
      Type::Gauge, [watches] { return watches->watchers(); }));
  return metrics_->AddFigure(
      "pitr_watch_evictions_total",
      "Watchers evicted because a change waited longer than their lease.",
      Type::Counter, [watches] { return watches->evictions(); });
}

absl::Status ServerMetrics::RegisterBounds() {
  using Type = prometheus::MetricType;
  // How far back each branch reads (and so can be restored from), read from
  // the catalog once per scrape.
  metrics_->AddRenderHook([this] {
    std::vector<std::pair<std::string, HistoryBounds>> bounds;
    for (const Branch& branch : engine_->ListBranches()) {
      absl::StatusOr<HistoryBounds> b = engine_->GetHistoryBounds(branch.id);
      if (b.ok()) bounds.emplace_back(branch.name, *b);
    }
    MutexLock l(&scrape_mu_);
    scrape_bounds_ = std::move(bounds);
  });
  struct PerBranch {
    const char* name;
    const char* help;
    std::function<double(const HistoryBounds&)> value;
  };
  const PerBranch per_branch[] = {
      {"pitr_branch_restorable_seconds",
       "How far back a branch can be read and restored: its latest commit "
       "time minus the time of its oldest readable point.",
       [](const HistoryBounds& b) {
         return (b.latest_timestamp_us - b.oldest_timestamp_us) / 1e6;
       }},
      {"pitr_branch_oldest_lsn", "The oldest LSN a branch can be read at.",
       [](const HistoryBounds& b) { return b.oldest_lsn; }},
      {"pitr_branch_latest_lsn", "Where a branch stands: its latest LSN.",
       [](const HistoryBounds& b) { return b.latest_lsn; }},
  };
  for (const PerBranch& figure : per_branch) {
    auto value = figure.value;
    PITR_RETURN_IF_ERROR(metrics_->AddFamilyFigure(
        figure.name, figure.help, Type::Gauge, "branch", [this, value] {
          Metrics::LabeledValues samples;
          MutexLock l(&scrape_mu_);
          for (const auto& [name, bounds] : scrape_bounds_) {
            samples.emplace_back(name, value(bounds));
          }
          return samples;
        }));
  }
  PITR_RETURN_IF_ERROR(metrics_->AddFamilyFigure(
      "pitr_build_info", "The pitrd build serving (1, labelled by version).",
      Type::Gauge, "version", [] {
        return Metrics::LabeledValues{{kPitrVersion, 1}};
      }));
  return AddProcessFigures(metrics_);
}

absl::Status ServerMetrics::RegisterSizes() {
  using Type = prometheus::MetricType;
  // One family per figure; each sample labelled with the branch's name.
  struct PerBranch {
    const char* name;
    const char* help;
    uint64_t BranchSize::*field;
  };
  const PerBranch per_branch[] = {
      {"pitr_branch_logical_bytes",
       "Size of the database a branch shows at its latest LSN (the pages of "
       "every space it sees, times the page size), at the last measurement.",
       &BranchSize::logical_bytes},
      {"pitr_branch_physical_bytes",
       "Key and value bytes the page store holds for a branch's own history "
       "(not what it inherits), at the last measurement.",
       &BranchSize::physical_bytes},
  };
  for (const PerBranch& figure : per_branch) {
    const auto field = figure.field;
    PITR_RETURN_IF_ERROR(metrics_->AddFamilyFigure(
        figure.name, figure.help, Type::Gauge, "branch", [this, field] {
          Metrics::LabeledValues samples;
          ReaderMutexLock l(&sizes_mu_);
          if (!sizes_) return samples;
          for (const BranchSize& branch : sizes_->branches) {
            samples.emplace_back(branch.name,
                                 static_cast<double>(branch.*field));
          }
          return samples;
        }));
  }
  struct SizeFigure {
    const char* name;
    const char* help;
    std::function<double(const BranchSizes&)> value;
  };
  const SizeFigure figures[] = {
      {"pitr_unowned_physical_bytes",
       "Key and value bytes of history no branch writes now (deleted "
       "branches not yet collected, imports under way), at the last "
       "measurement.",
       [](const BranchSizes& s) {
         return static_cast<double>(s.unowned_physical_bytes);
       }},
      {"pitr_branch_sizes_measured_timestamp_seconds",
       "When branch sizes were last measured, in seconds since the epoch (0: "
       "not yet).",
       [](const BranchSizes& s) {
         return absl::ToUnixMicros(s.measured_at) / 1e6;
       }},
      {"pitr_branch_sizes_measure_seconds",
       "How long the last measurement of branch sizes took.",
       [](const BranchSizes& s) { return absl::ToDoubleSeconds(s.took); }},
  };
  for (const SizeFigure& figure : figures) {
    auto value = figure.value;
    PITR_RETURN_IF_ERROR(metrics_->AddFigure(
        figure.name, figure.help, Type::Gauge, [this, value] {
          ReaderMutexLock l(&sizes_mu_);
          return sizes_ ? value(*sizes_) : 0.0;
        }));
  }
  return absl::OkStatus();
}

absl::Status ServerMetrics::RefreshSizes() {
  if (engine_->stats().archiving) {
    absl::StatusOr<uint64_t> bucket = engine_->backups().MeasureBucket();
    if (!bucket.ok()) {
      spdlog::warn("pitrd: measuring the object storage prefix: {}",
                   bucket.status().ToString());
    }
  }
  PITR_ASSIGN_OR_RETURN(BranchSizes sizes, engine_->MeasureBranchSizes(
                                               [this] { return stopping(); }));
  spdlog::info("pitrd: measured the sizes of {} branches ({} records) in {}",
               sizes.branches.size(), sizes.records_scanned,
               absl::FormatDuration(sizes.took));
  MutexLock l(&sizes_mu_);
  sizes_ = std::move(sizes);
  return absl::OkStatus();
}

bool ServerMetrics::stopping() const {
  MutexLock l(&stop_mu_);
  return stopping_;
}

void ServerMetrics::SizeLoop(absl::Duration interval) {
  while (!stopping()) {
    absl::Status refreshed = RefreshSizes();
    if (!refreshed.ok() && !stopping()) {
      spdlog::warn("pitrd: measuring branch sizes: {}", refreshed.ToString());
    }
    MutexLock l(&stop_mu_);
    const absl::Time next = absl::Now() + interval;
    while (!stopping_ && !stop_cv_.WaitWithDeadline(&stop_mu_, next)) {
    }
  }
}

void ServerMetrics::Stop() {
  {
    MutexLock l(&stop_mu_);
    stopping_ = true;
  }
  stop_cv_.SignalAll();
  if (sizer_.joinable()) sizer_.join();
}

MethodMetrics* ServerMetrics::ForMethod(const char* method) {
  {
    ReaderMutexLock l(&mu_);
    auto it = methods_.find(absl::string_view(method));
    if (it != methods_.end()) return it->second.get();
  }
  MutexLock l(&mu_);
  std::unique_ptr<MethodMetrics>& slot = methods_[method];
  if (slot == nullptr) {
    prometheus::Histogram& duration =
        durations_.Add({{"method", method}}, LatencyBuckets());
    slot = std::make_unique<MethodMetrics>(&rpcs_, method, &duration);
  }
  return slot.get();
}

}  // namespace pitr
