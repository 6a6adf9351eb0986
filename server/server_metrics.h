// The metrics pitrd exports (Prometheus text at /metrics of the HTTP
// address): per-method call counts by status code and latency histograms,
// and the engine's own figures (ingest, reads, store and WAL size, GC),
// read from Engine::stats() at each scrape; how far back each branch can be
// read and restored; the build and the process (CPU, memory, open files);
// and each branch's logical and physical size, which take a scan of the
// store (Engine::MeasureBranchSizes) and so are measured by a background
// thread every size_interval and served from its last result.
#ifndef PITR_SERVER_SERVER_METRICS_H_
#define PITR_SERVER_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/mutex.h"
#include "engine/engine.h"
#include "grpcpp/support/status_code_enum.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "server/metrics.h"
#include "server/watch_hub.h"

namespace pitr {

class ReplicaFollower;

// The metrics of one RPC method: pitr_rpcs_total{method,code} and
// pitr_rpc_duration_seconds{method}. Record is cheap and thread-safe.
class MethodMetrics {
 public:
  // `calls` must outlive this.
  MethodMetrics(prometheus::Family<prometheus::Counter>* calls,
                std::string method, prometheus::Histogram* duration);
  MethodMetrics(const MethodMetrics&) = delete;
  MethodMetrics& operator=(const MethodMetrics&) = delete;

  void Record(grpc::StatusCode code, absl::Duration took);

 private:
  static constexpr int kCodes = 17;  // google.rpc.Code 0..16

  prometheus::Family<prometheus::Counter>* const calls_family_;
  const std::string method_;
  prometheus::Histogram* const duration_;
  // Made at the first call that ends with each code.
  std::array<std::atomic<prometheus::Counter*>, kCodes> calls_{};
};

class ServerMetrics {
 public:
  // Registers the engine's figures in `metrics`. Both must outlive this,
  // and `metrics` must not render once this is gone (the size figures read
  // its cache).
  // Starts the thread that measures branch sizes at once and then every
  // `size_interval` (none if it is zero or infinite: the size families
  // then stay empty).
  static absl::StatusOr<std::unique_ptr<ServerMetrics>> Create(
      Metrics* metrics, Engine* engine,
      absl::Duration size_interval = absl::Minutes(5));

  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;
  // Stops (see Stop).
  ~ServerMetrics();

  // The metrics of `method` (e.g. "GetPage"), made at its first call.
  MethodMetrics* ForMethod(const char* method);

  // Registers the figures of a read replica's follower (which must outlive
  // the renders).
  absl::Status AddReplica(const ReplicaFollower* follower);
  // Registers the figures of the cached readers' watches (likewise).
  absl::Status AddWatches(WatchHub* watches);

  // Measures branch sizes now and serves the result from the next scrape
  // on (what the background thread does each interval; tests call it).
  absl::Status RefreshSizes();

  // Stops the size thread, cancelling a measurement under way, and waits
  // for it. Call it before the engine closes. Idempotent.
  void Stop();

 private:
  ServerMetrics(Metrics* metrics, Engine* engine);

  absl::Status RegisterSizes();
  // How far back each branch reads, and the build and process figures.
  absl::Status RegisterBounds();
  void SizeLoop(absl::Duration interval);
  bool stopping() const;

  Metrics* const metrics_;
  Engine* const engine_;
  prometheus::Family<prometheus::Counter>& rpcs_;
  prometheus::Family<prometheus::Histogram>& durations_;
  Mutex mu_;
  std::map<std::string, std::unique_ptr<MethodMetrics>, std::less<>> methods_
      ABSL_GUARDED_BY(mu_);

  // The engine's statistics and each branch's bounds as of the current
  // scrape (taken once per render, read by every figure made of them).
  mutable Mutex scrape_mu_;
  EngineStats scrape_stats_ ABSL_GUARDED_BY(scrape_mu_);
  std::vector<std::pair<std::string, HistoryBounds>> scrape_bounds_
      ABSL_GUARDED_BY(scrape_mu_);

  // The last measurement, if any. Scrapes copy what they need under the
  // lock; the measurement runs outside it.
  mutable Mutex sizes_mu_;
  std::optional<BranchSizes> sizes_ ABSL_GUARDED_BY(sizes_mu_);

  mutable Mutex stop_mu_;
  CondVar stop_cv_;
  bool stopping_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread sizer_;
};

}  // namespace pitr

#endif  // PITR_SERVER_SERVER_METRICS_H_
