// Metrics: pitrd's Prometheus metrics, on prometheus-cpp. Two kinds:
//
//  - metrics updated as things happen (per-method call counts and
//    latencies): prometheus-cpp's own counters and histograms, made in
//    registry();
//  - figures read at each scrape from a state kept elsewhere (the engine's
//    statistics, a replica's, branch sizes, the process): AddFigure and
//    AddFamilyFigure register a callback that returns the value(s).
//
// RenderText() gives both in Prometheus' text exposition format, the body
// of a scrape of /metrics.
//
// Thread-safe. A figure's callback runs while a scrape holds this object's
// lock, so it must not call back into it.
#ifndef PITR_SERVER_METRICS_H_
#define PITR_SERVER_METRICS_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "base/mutex.h"
#include "prometheus/metric_type.h"
#include "prometheus/registry.h"

namespace pitr {

// Latency buckets in seconds, from 100 microseconds to 10 seconds.
std::vector<double> LatencyBuckets();

class Metrics {
 public:
  // The samples of a family figure: a label value and the metric's value.
  using LabeledValues = std::vector<std::pair<std::string, double>>;

  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;
  ~Metrics();

  prometheus::Registry& registry() { return *registry_; }

  // A figure whose value `value()` returns at each scrape. `type` is
  // kCounter or kGauge. INVALID_ARGUMENT for a name that is not a metric
  // name, ALREADY_EXISTS if it is taken.
  absl::Status AddFigure(const std::string& name, const std::string& help,
                         prometheus::MetricType type,
                         std::function<double()> value);
  // A family whose samples `samples()` returns at each scrape, each
  // labelled `label_name`="<value>" (e.g. a gauge per branch:
  // pitr_branch_logical_bytes{branch="main"}).
  absl::Status AddFamilyFigure(const std::string& name, const std::string& help,
                               prometheus::MetricType type,
                               const std::string& label_name,
                               std::function<LabeledValues()> samples);

  // Runs `hook` at the start of each render, before any figure is read:
  // to take one snapshot of a state many figures read.
  void AddRenderHook(std::function<void()> hook);

  // Every metric and figure in the text exposition format, sorted by name.
  std::string RenderText() const;

 private:
  struct Figure {
    std::string name;
    std::string help;
    prometheus::MetricType type;
    std::string label_name;  // empty: one unlabelled sample
    std::function<LabeledValues()> samples;
  };

  absl::Status Add(Figure figure);

  const std::shared_ptr<prometheus::Registry> registry_;
  mutable Mutex mu_;
  std::vector<Figure> figures_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> render_hooks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr

#endif  // PITR_SERVER_METRICS_H_
