// The standard process_* metrics of a Prometheus client (CPU time, memory,
// open files, threads, start time), read from /proc/self at each scrape.
#ifndef PITR_SERVER_PROCESS_FIGURES_H_
#define PITR_SERVER_PROCESS_FIGURES_H_

#include "absl/status/status.h"
#include "server/metrics.h"

namespace pitr {

// Registers process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_threads and process_start_time_seconds in `metrics`.
absl::Status AddProcessFigures(Metrics* metrics);

}  // namespace pitr

#endif  // PITR_SERVER_PROCESS_FIGURES_H_
