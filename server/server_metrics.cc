#include "server/server_metrics.h"

#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"
#include "wal/status_macros.h"

namespace pitr {
namespace {

// The code's name as gRPC prints it (the label values of pitr_rpcs_total).
const char* CodeName(int code) {
  static const char* const kNames[] = {
      "OK",           "CANCELLED",         "UNKNOWN",
      "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS",   "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED",       "OUT_OF_RANGE",
      "UNIMPLEMENTED",    "INTERNAL",          "UNAVAILABLE",
      "DATA_LOSS",        "UNAUTHENTICATED"};
  return kNames[code];
}

}  // namespace

MethodMetrics::MethodMetrics(Registry* registry, std::string method,
                             Histogram* duration)
    : registry_(registry), method_(std::move(method)), duration_(duration) {}

void MethodMetrics::Record(grpc::StatusCode code, absl::Duration took) {
  duration_->Observe(absl::ToDoubleSeconds(took));
  int index = static_cast<int>(code);
  if (index < 0 || index >= kCodes) index = grpc::StatusCode::UNKNOWN;
  Counter* calls = calls_[index].load(std::memory_order_acquire);
  if (calls == nullptr) {
    // AddCounter returns the same counter to racing callers.
    absl::StatusOr<Counter*> made = registry_->AddCounter(
        "pitr_rpcs_total", "RPCs served, by method and status code.",
        {{"method", method_}, {"code", CodeName(index)}});
    if (!made.ok()) {
      spdlog::error("metrics: {}", made.status().ToString());
      return;
    }
    calls = *made;
    calls_[index].store(calls, std::memory_order_release);
  }
  calls->Increment();
}

absl::StatusOr<std::unique_ptr<ServerMetrics>> ServerMetrics::Create(
    Registry* registry, Engine* engine) {
  std::unique_ptr<ServerMetrics> metrics(new ServerMetrics(registry));
  using Type = Registry::CallbackType;
  struct Figure {
    const char* name;
    const char* help;
    Type type;
    std::function<double(const EngineStats&)> value;
  };
  const Figure figures[] = {
      {"pitr_ingest_batches_total", "Batches appended since the server started.",
       Type::kCounter, [](const EngineStats& s) { return s.wal.batches; }},
      {"pitr_ingest_bytes_total",
       "WAL record bytes appended since the server started.", Type::kCounter,
       [](const EngineStats& s) { return s.wal.bytes; }},
      {"pitr_wal_syncs_total", "WAL fsyncs since the server started.",
       Type::kCounter, [](const EngineStats& s) { return s.wal.syncs; }},
      {"pitr_wal_segments", "WAL segment files on disk.", Type::kGauge,
       [](const EngineStats& s) { return s.wal.segments; }},
      {"pitr_wal_bytes", "Bytes of WAL on disk (not yet flushed and trimmed).",
       Type::kGauge,
       [](const EngineStats& s) { return s.latest_lsn - s.wal_oldest_lsn; }},
      {"pitr_pages_read_total", "Pages read since the server started.",
       Type::kCounter, [](const EngineStats& s) { return s.pages_read; }},
      {"pitr_images_materialized_total",
       "Page images built from delta chains by background work.",
       Type::kCounter,
       [](const EngineStats& s) { return s.images_materialized; }},
      {"pitr_flushes_total", "In-memory layer flushes.", Type::kCounter,
       [](const EngineStats& s) { return s.flushes; }},
      {"pitr_store_bytes", "Bytes of the page store's files on disk.",
       Type::kGauge, [](const EngineStats& s) { return s.store_bytes; }},
      {"pitr_in_memory_bytes", "Bytes of the in-memory layer.", Type::kGauge,
       [](const EngineStats& s) { return s.in_memory_bytes; }},
      {"pitr_latest_lsn", "The latest LSN of the store.", Type::kGauge,
       [](const EngineStats& s) { return s.latest_lsn; }},
      {"pitr_gc_runs_total", "GC runs (background and on demand).",
       Type::kCounter, [](const EngineStats& s) { return s.gc_runs; }},
      {"pitr_gc_versions_removed_total", "Page versions GC removed.",
       Type::kCounter, [](const EngineStats& s) { return s.gc_versions_removed; }},
      {"pitr_gc_bytes_reclaimed_total",
       "Page store bytes GC runs gave back (size before minus after).",
       Type::kCounter, [](const EngineStats& s) { return s.gc_bytes_reclaimed; }},
  };
  for (const Figure& figure : figures) {
    auto value = figure.value;
    PITR_RETURN_IF_ERROR(registry->AddCallback(
        figure.name, figure.help, figure.type,
        [engine, value] { return value(engine->stats()); }));
  }
  return metrics;
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
    absl::StatusOr<Histogram*> duration = registry_->AddHistogram(
        "pitr_rpc_duration_seconds", "Time to serve an RPC, by method.",
        Histogram::LatencyBounds(), {{"method", method}});
    // The name, help and bounds are fixed here: only a bug can fail this.
    if (!duration.ok()) {
      spdlog::critical("metrics: {}", duration.status().ToString());
      std::abort();
    }
    slot = std::make_unique<MethodMetrics>(registry_, method, *duration);
  }
  return slot.get();
}

}  // namespace pitr
