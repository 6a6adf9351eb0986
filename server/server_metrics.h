// The metrics pitrd exports (Prometheus text at /metrics of the metrics
// address): per-method call counts by status code and latency histograms,
// and the engine's own figures (ingest, reads, store and WAL size, GC),
// read from Engine::stats() at each scrape.
#ifndef PITR_SERVER_SERVER_METRICS_H_
#define PITR_SERVER_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "grpcpp/support/status_code_enum.h"
#include "server/metrics.h"
#include "wal/mutex.h"

namespace pitr {

// The metrics of one RPC method: pitr_rpcs_total{method,code} and
// pitr_rpc_duration_seconds{method}. Record is cheap and thread-safe.
class MethodMetrics {
 public:
  // `registry` must outlive this.
  MethodMetrics(Registry* registry, std::string method, Histogram* duration);
  MethodMetrics(const MethodMetrics&) = delete;
  MethodMetrics& operator=(const MethodMetrics&) = delete;

  void Record(grpc::StatusCode code, absl::Duration took);

 private:
  static constexpr int kCodes = 17;  // google.rpc.Code 0..16

  Registry* const registry_;
  const std::string method_;
  Histogram* const duration_;
  // Made at the first call that ends with each code.
  std::array<std::atomic<Counter*>, kCodes> calls_{};
};

class ServerMetrics {
 public:
  // Registers the engine's figures in `registry`. Both must outlive this.
  static absl::StatusOr<std::unique_ptr<ServerMetrics>> Create(
      Registry* registry, Engine* engine);

  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // The metrics of `method` (e.g. "GetPage"), made at its first call.
  MethodMetrics* ForMethod(const char* method);

 private:
  explicit ServerMetrics(Registry* registry) : registry_(registry) {}

  Registry* const registry_;
  Mutex mu_;
  std::map<std::string, std::unique_ptr<MethodMetrics>, std::less<>> methods_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr

#endif  // PITR_SERVER_SERVER_METRICS_H_
