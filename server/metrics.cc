#include "server/metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/prometheus_text.h"

namespace pitr {
namespace {

void AtomicAdd(std::atomic<double>* target, double delta) {
  double old = target->load(std::memory_order_relaxed);
  while (!target->compare_exchange_weak(old, old + delta,
                                        std::memory_order_relaxed)) {
  }
}

std::vector<std::string> LabelNames(const Labels& labels) {
  std::vector<std::string> names;
  for (const auto& label : labels) names.push_back(label.first);
  return names;
}

absl::Status CheckBounds(const std::string& name,
                         const std::vector<double>& bounds) {
  if (bounds.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("histogram ", name, " has no bucket bounds"));
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      return absl::InvalidArgumentError(
          absl::StrCat("histogram ", name,
                       ": bucket bounds must be finite and strictly "
                       "increasing, but bound ",
                       i, " is ", bounds[i]));
    }
  }
  return absl::OkStatus();
}

// The metric of `labels` in `metrics`, made from `args` if there is none.
template <typename Metric, typename... Args>
Metric* FindOrMake(std::map<Labels, std::unique_ptr<Metric>>* metrics,
                   const Labels& labels, Args&&... args) {
  std::unique_ptr<Metric>& metric = (*metrics)[labels];
  if (metric == nullptr) {
    metric = std::make_unique<Metric>(std::forward<Args>(args)...);
  }
  return metric.get();
}

}  // namespace

void Gauge::Add(double delta) { AtomicAdd(&value_, delta); }

std::vector<double> Histogram::LatencyBounds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::Observe(double value) {
  // NaN belongs to no finite bucket: count it in +Inf.
  const size_t bucket =
      std::isnan(value)
          ? bounds_.size()
          : std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(&sum_, value);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> cumulative(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    cumulative[i] = total;
  }
  return cumulative;
}

struct Registry::Family {
  Type type;
  std::string help;
  std::vector<std::string> label_names;
  std::vector<double> bounds;  // Histograms only.
  // The samples, by their sorted labels; a family uses the maps of its type
  // (a counter or gauge family may mix stored and callback samples), or
  // only `samples` when the whole family is a callback.
  std::map<Labels, std::unique_ptr<Counter>> counters;
  std::map<Labels, std::unique_ptr<Gauge>> gauges;
  std::map<Labels, std::unique_ptr<Histogram>> histograms;
  std::map<Labels, std::function<double()>> callbacks;
  std::function<LabeledValues()> samples;
};

Registry::Type Registry::TypeOf(CallbackType type) {
  return type == CallbackType::kCounter ? Type::kCounter : Type::kGauge;
}

absl::Status Registry::NotACallback(const Family& family,
                                    const std::string& name,
                                    const Labels& labels) {
  if (family.callbacks.count(labels) == 0) return absl::OkStatus();
  return absl::AlreadyExistsError(
      absl::StrCat("metric ", name, " with these labels is a callback"));
}

Registry::Registry() = default;
Registry::~Registry() = default;

absl::StatusOr<Registry::Family*> Registry::FamilyFor(const std::string& name,
                                                      const std::string& help,
                                                      Type type,
                                                      Labels* labels) {
  if (!prometheus_text::IsValidMetricName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metric name \"", name, "\" is not [a-zA-Z_:][a-zA-Z0-9_:]*"));
  }
  std::sort(labels->begin(), labels->end());
  for (size_t i = 0; i < labels->size(); ++i) {
    const std::string& label = (*labels)[i].first;
    if (!prometheus_text::IsValidLabelName(label) ||
        (type == Type::kHistogram && label == "le")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "metric ", name, ": label name \"", label,
          "\" is not [a-zA-Z_][a-zA-Z0-9_]*, or is reserved (__*, le)"));
    }
    if (i > 0 && label == (*labels)[i - 1].first) {
      return absl::InvalidArgumentError(
          absl::StrCat("metric ", name, ": label ", label, " given twice"));
    }
  }
  std::unique_ptr<Family>& family = families_[name];
  if (family == nullptr) {
    family = std::make_unique<Family>();
    family->type = type;
    family->help = help;
    family->label_names = LabelNames(*labels);
    return family.get();
  }
  if (family->type != type || family->help != help ||
      family->label_names != LabelNames(*labels)) {
    return absl::InvalidArgumentError(
        absl::StrCat("metric ", name,
                     " is already registered with another type, help "
                     "text or label names"));
  }
  if (family->samples) {
    return absl::AlreadyExistsError(
        absl::StrCat("metric ", name, " is a family callback"));
  }
  return family.get();
}

absl::StatusOr<Counter*> Registry::AddCounter(const std::string& name,
                                              const std::string& help,
                                              Labels labels) {
  MutexLock lock(&mu_);
  PITR_ASSIGN_OR_RETURN(Family * family,
                        FamilyFor(name, help, Type::kCounter, &labels));
  PITR_RETURN_IF_ERROR(NotACallback(*family, name, labels));
  return FindOrMake(&family->counters, labels);
}

absl::StatusOr<Gauge*> Registry::AddGauge(const std::string& name,
                                          const std::string& help,
                                          Labels labels) {
  MutexLock lock(&mu_);
  PITR_ASSIGN_OR_RETURN(Family * family,
                        FamilyFor(name, help, Type::kGauge, &labels));
  PITR_RETURN_IF_ERROR(NotACallback(*family, name, labels));
  return FindOrMake(&family->gauges, labels);
}

absl::StatusOr<Histogram*> Registry::AddHistogram(const std::string& name,
                                                  const std::string& help,
                                                  std::vector<double> bounds,
                                                  Labels labels) {
  PITR_RETURN_IF_ERROR(CheckBounds(name, bounds));
  MutexLock lock(&mu_);
  PITR_ASSIGN_OR_RETURN(Family * family,
                        FamilyFor(name, help, Type::kHistogram, &labels));
  if (family->histograms.empty()) {
    family->bounds = bounds;
  } else if (family->bounds != bounds) {
    return absl::InvalidArgumentError(absl::StrCat(
        "histogram ", name, " is already registered with other bounds"));
  }
  return FindOrMake(&family->histograms, labels, std::move(bounds));
}

absl::Status Registry::AddCallback(const std::string& name,
                                   const std::string& help, CallbackType type,
                                   std::function<double()> value,
                                   Labels labels) {
  MutexLock lock(&mu_);
  PITR_ASSIGN_OR_RETURN(Family * family,
                        FamilyFor(name, help, TypeOf(type), &labels));
  if (family->counters.count(labels) > 0 || family->gauges.count(labels) > 0 ||
      !family->callbacks.emplace(labels, std::move(value)).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("metric ", name, " with these labels already exists"));
  }
  return absl::OkStatus();
}

absl::Status Registry::AddFamilyCallback(
    const std::string& name, const std::string& help, CallbackType type,
    const std::string& label_name, std::function<LabeledValues()> samples) {
  MutexLock lock(&mu_);
  if (families_.count(name) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("metric ", name, " already exists"));
  }
  Labels labels = {{label_name, ""}};
  PITR_ASSIGN_OR_RETURN(Family * family,
                        FamilyFor(name, help, TypeOf(type), &labels));
  family->samples = std::move(samples);
  return absl::OkStatus();
}

std::string Registry::Render() const {
  using prometheus_text::AppendSample;
  using prometheus_text::FormatDouble;
  ReaderMutexLock lock(&mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    static constexpr const char* kTypeNames[] = {"counter", "gauge",
                                                 "histogram"};
    prometheus_text::AppendHeader(
        name, family->help, kTypeNames[static_cast<int>(family->type)], &out);
    for (const auto& [labels, counter] : family->counters) {
      AppendSample(name, labels, absl::StrCat(counter->Value()), &out);
    }
    for (const auto& [labels, gauge] : family->gauges) {
      AppendSample(name, labels, FormatDouble(gauge->Value()), &out);
    }
    for (const auto& [labels, callback] : family->callbacks) {
      AppendSample(name, labels, FormatDouble(callback()), &out);
    }
    if (family->samples) {
      for (const auto& [label_value, value] : family->samples()) {
        AppendSample(name, {{family->label_names[0], label_value}},
                     FormatDouble(value), &out);
      }
    }
    for (const auto& [labels, histogram] : family->histograms) {
      const std::vector<uint64_t> counts = histogram->CumulativeCounts();
      Labels bucket_labels = labels;
      bucket_labels.emplace_back("le", "");
      for (size_t i = 0; i < counts.size(); ++i) {
        bucket_labels.back().second = i < family->bounds.size()
                                          ? FormatDouble(family->bounds[i])
                                          : "+Inf";
        AppendSample(name + "_bucket", bucket_labels, absl::StrCat(counts[i]),
                     &out);
      }
      AppendSample(name + "_sum", labels, FormatDouble(histogram->Sum()), &out);
      AppendSample(name + "_count", labels, absl::StrCat(counts.back()), &out);
    }
  }
  return out;
}

}  // namespace pitr
