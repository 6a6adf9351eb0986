#include "server/process_figures.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"

namespace pitr {
namespace {

// The fields of /proc/self/stat after the command name (which may hold
// spaces, inside parentheses): field 3 (state) first.
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  const size_t end = line.rfind(')');
  if (end == std::string::npos) return {};
  return absl::StrSplit(line.substr(end + 2), ' ', absl::SkipEmpty());
}

// Field `n` of /proc/self/stat as numbered in proc(5); 0 if absent.
double StatField(const std::vector<std::string>& fields, int n) {
  double value = 0;
  const int index = n - 3;
  if (index >= 0 && index < static_cast<int>(fields.size())) {
    (void)absl::SimpleAtod(fields[index], &value);
  }
  return value;
}

// The machine's boot time, seconds since the epoch (/proc/stat "btime").
double BootTime() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

absl::Status AddProcessFigures(Metrics* metrics) {
  using Type = prometheus::MetricType;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page_bytes = static_cast<double>(sysconf(_SC_PAGESIZE));
  PITR_RETURN_IF_ERROR(metrics->AddFigure(
      "process_cpu_seconds_total", "User and system CPU time spent, seconds.",
      Type::Counter, [ticks] {
        const std::vector<std::string> f = StatFields();
        return (StatField(f, 14) + StatField(f, 15)) / ticks;
      }));
  PITR_RETURN_IF_ERROR(metrics->AddFigure(
      "process_resident_memory_bytes", "Resident memory size in bytes.",
      Type::Gauge,
      [page_bytes] { return StatField(StatFields(), 24) * page_bytes; }));
  PITR_RETURN_IF_ERROR(metrics->AddFigure(
      "process_virtual_memory_bytes", "Virtual memory size in bytes.",
      Type::Gauge, [] { return StatField(StatFields(), 23); }));
  PITR_RETURN_IF_ERROR(metrics->AddFigure(
      "process_threads", "Threads of the process.", Type::Gauge,
      [] { return StatField(StatFields(), 20); }));
  PITR_RETURN_IF_ERROR(metrics->AddFigure(
      "process_start_time_seconds",
      "Start time of the process, seconds since the Unix epoch.", Type::Gauge,
      [ticks, boot = BootTime()] {
        return boot + StatField(StatFields(), 22) / ticks;
      }));
  PITR_RETURN_IF_ERROR(metrics->AddFigure(
      "process_open_fds", "Open file descriptors.", Type::Gauge, [] {
        std::error_code error;
        double n = 0;
        for (auto it =
                 std::filesystem::directory_iterator("/proc/self/fd", error);
             !error && it != std::filesystem::directory_iterator();
             it.increment(error)) {
          ++n;
        }
        return n;
      }));
  return metrics->AddFigure("process_max_fds",
                            "Most open file descriptors allowed.", Type::Gauge,
                            [] {
                              rlimit limit{};
                              getrlimit(RLIMIT_NOFILE, &limit);
                              return static_cast<double>(limit.rlim_cur);
                            });
}

}  // namespace pitr
