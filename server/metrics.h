// A small Prometheus metrics registry: counters, gauges and histograms, each
// with an optional set of labels, rendered in the text exposition format
// 0.0.4 for a scrape of /metrics.
//
//   Registry registry;
//   PITR_ASSIGN_OR_RETURN(Counter* rpcs, registry.AddCounter(
//       "pitr_rpcs_total", "RPCs served.", {{"method", "GetPage"}}));
//   rpcs->Increment();
//
// Thread-safety: Counter, Gauge and Histogram are updated with atomics and
// never lock, so they are cheap on the hot path. Registry methods lock and
// may be called from any thread; Render evaluates callbacks while it holds
// the registry's lock, so a callback must not call back into the registry.
#ifndef PITR_SERVER_METRICS_H_
#define PITR_SERVER_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/mutex.h"

namespace pitr {

// Label name/value pairs of one sample. Their order does not matter: the
// registry sorts them by name.
using Labels = std::vector<std::pair<std::string, std::string>>;

// A monotonically increasing count.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Increment(uint64_t n = 1) {
    value_.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into buckets with fixed upper bounds (a value v falls
// in the first bucket whose bound b has v <= b, or in the implicit +Inf
// bucket), and keeps their sum.
class Histogram {
 public:
  // Latency buckets in seconds, from 100 microseconds to 10 seconds.
  static std::vector<double> LatencyBounds();

  // REQUIRES: `bounds` is strictly increasing and finite (the registry
  // checks this before it makes one).
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value);

  // The bucket bounds, without +Inf.
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts, one per bound and a last one for +Inf, which is
  // also the count of all observations.
  std::vector<uint64_t> CumulativeCounts() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  // Non-cumulative counts; bounds_.size() + 1 of them.
  const std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Owns metrics and renders them. Metric names must match
// [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* without a
// leading "__" ("le" is reserved for histogram buckets). Metrics of one
// name form a family: one type, one help text, one set of label names.
class Registry {
 public:
  // A sample of a family callback: a label value and the metric's value.
  using LabeledValues = std::vector<std::pair<std::string, double>>;
  // What a callback metric reports as.
  enum class CallbackType { kCounter, kGauge };

  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Each returns the metric of this name and labels, making it first if
  // there is none. The pointer is owned by the registry and stays valid
  // as long as it lives. Fails with INVALID_ARGUMENT for a bad name or
  // label, or one that does not fit the family already registered (other
  // type, help text, label names or bucket bounds).
  absl::StatusOr<Counter*> AddCounter(const std::string& name,
                                      const std::string& help,
                                      Labels labels = {});
  absl::StatusOr<Gauge*> AddGauge(const std::string& name,
                                  const std::string& help, Labels labels = {});
  absl::StatusOr<Histogram*> AddHistogram(const std::string& name,
                                          const std::string& help,
                                          std::vector<double> bounds,
                                          Labels labels = {});

  // Adds a sample whose value `value()` returns at each scrape. As above,
  // and ALREADY_EXISTS if the name and labels are taken.
  absl::Status AddCallback(const std::string& name, const std::string& help,
                           CallbackType type, std::function<double()> value,
                           Labels labels = {});

  // Adds a whole family whose samples `samples()` returns at each scrape,
  // each labelled `label_name`="<value>" (e.g. a gauge per branch:
  // pitr_branch_logical_bytes{branch="main"}). ALREADY_EXISTS if the name
  // is taken.
  absl::Status AddFamilyCallback(const std::string& name,
                                 const std::string& help, CallbackType type,
                                 const std::string& label_name,
                                 std::function<LabeledValues()> samples);

  // All families in the Prometheus text format 0.0.4, sorted by name.
  std::string Render() const;

 private:
  struct Family;
  enum class Type { kCounter, kGauge, kHistogram };

  // The family `name`, made if new, after checking that `type`, `help` and
  // the names of `*labels` (sorted here) fit it.
  absl::StatusOr<Family*> FamilyFor(const std::string& name,
                                    const std::string& help, Type type,
                                    Labels* labels)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  static Type TypeOf(CallbackType type);
  // ALREADY_EXISTS if the sample of `labels` in `family` is a callback.
  static absl::Status NotACallback(const Family& family,
                                   const std::string& name,
                                   const Labels& labels);

  mutable Mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr

#endif  // PITR_SERVER_METRICS_H_
