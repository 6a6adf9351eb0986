#include "server/metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "prometheus/check_names.h"
#include "prometheus/text_serializer.h"

namespace pitr {

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {}

Metrics::~Metrics() = default;

absl::Status Metrics::AddFigure(const std::string& name,
                                const std::string& help,
                                prometheus::MetricType type,
                                std::function<double()> value) {
  return Add({name, help, type, "", [value = std::move(value)] {
                return LabeledValues{{"", value()}};
              }});
}

absl::Status Metrics::AddFamilyFigure(const std::string& name,
                                      const std::string& help,
                                      prometheus::MetricType type,
                                      const std::string& label_name,
                                      std::function<LabeledValues()> samples) {
  if (!prometheus::CheckLabelName(label_name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metric ", name, ": \"", label_name, "\" is not a label name"));
  }
  return Add({name, help, type, label_name, std::move(samples)});
}

absl::Status Metrics::Add(Figure figure) {
  if (!prometheus::CheckMetricName(figure.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", figure.name, "\" is not a metric name"));
  }
  if (figure.type != prometheus::MetricType::Counter &&
      figure.type != prometheus::MetricType::Gauge) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metric ", figure.name, ": a figure is a counter or a gauge"));
  }
  MutexLock lock(&mu_);
  for (const Figure& known : figures_) {
    if (known.name == figure.name) {
      return absl::AlreadyExistsError(
          absl::StrCat("metric ", figure.name, " is registered already"));
    }
  }
  figures_.push_back(std::move(figure));
  return absl::OkStatus();
}

void Metrics::AddRenderHook(std::function<void()> hook) {
  MutexLock lock(&mu_);
  render_hooks_.push_back(std::move(hook));
}

std::string Metrics::RenderText() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  {
    MutexLock lock(&mu_);
    for (const std::function<void()>& hook : render_hooks_) hook();
    for (const Figure& figure : figures_) {
      prometheus::MetricFamily family;
      family.name = figure.name;
      family.help = figure.help;
      family.type = figure.type;
      for (const auto& [label, value] : figure.samples()) {
        prometheus::ClientMetric sample;
        if (!figure.label_name.empty()) {
          sample.label.push_back({figure.label_name, label});
        }
        if (figure.type == prometheus::MetricType::Counter) {
          sample.counter.value = value;
        } else {
          sample.gauge.value = value;
        }
        family.metric.push_back(std::move(sample));
      }
      families.push_back(std::move(family));
    }
  }
  std::sort(families.begin(), families.end(),
            [](const prometheus::MetricFamily& a,
               const prometheus::MetricFamily& b) { return a.name < b.name; });
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace pitr
