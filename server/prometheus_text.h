// The pieces of the Prometheus text exposition format 0.0.4 that
// Registry::Render is built from: names, escaping, numbers and sample
// lines. Private to //server:metrics.
//
// Format: https://prometheus.io/docs/instrumenting/exposition_formats/
#ifndef PITR_SERVER_PROMETHEUS_TEXT_H_
#define PITR_SERVER_PROMETHEUS_TEXT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace pitr {
namespace prometheus_text {

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(absl::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved).
bool IsValidLabelName(absl::string_view name);

// A double as Prometheus reads it: "+Inf", "-Inf", "NaN", or the shortest
// decimal that reads back as the same double ("0.005", "3", "1e+21").
std::string FormatDouble(double value);

// Appends "# HELP <name> <help>\n# TYPE <name> <type>\n", with backslashes
// and newlines in `help` escaped.
void AppendHeader(absl::string_view name, absl::string_view help,
                  absl::string_view type, std::string* out);

// Appends `name{k="v",...} value\n` (no braces without labels), with
// backslashes, double quotes and newlines in label values escaped.
void AppendSample(absl::string_view name,
                  const std::vector<std::pair<std::string, std::string>>& labels,
                  absl::string_view value, std::string* out);

}  // namespace prometheus_text
}  // namespace pitr

#endif  // PITR_SERVER_PROMETHEUS_TEXT_H_
