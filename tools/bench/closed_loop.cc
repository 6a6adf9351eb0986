#include "tools/bench/closed_loop.h"

#include <sys/resource.h>

#include <thread>

#include "base/status_macros.h"

namespace pitr::bench {

using Clock = std::chrono::steady_clock;

int64_t Nanos(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

double CpuSeconds(int who) {
  struct rusage ru;
  ::getrusage(who, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

absl::StatusOr<Point> ClosedLoop(int clients, absl::Duration warmup,
                                 absl::Duration window, const Call& call) {
  const Clock::time_point begin = Clock::now() + std::chrono::milliseconds(20) +
                                  absl::ToChronoNanoseconds(warmup);
  const Clock::time_point end = begin + absl::ToChronoNanoseconds(window);
  std::vector<Point> per(clients);
  std::vector<absl::Status> errors(clients);
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      Point& p = per[t];
      p.ns.reserve(1 << 16);
      bool measuring = false;
      double cpu0 = 0;
      for (;;) {
        const Clock::time_point t0 = Clock::now();
        if (t0 >= end) break;
        if (!measuring && t0 >= begin) {
          measuring = true;
          cpu0 = CpuSeconds(RUSAGE_THREAD);
        }
        absl::StatusOr<uint64_t> items = call(t);
        const Clock::time_point t1 = Clock::now();
        if (!items.ok()) {
          errors[t] = items.status();
          break;
        }
        if (measuring && t1 <= end) {
          ++p.calls;
          p.items += *items;
          p.ns.push_back(Nanos(t1 - t0));
        }
      }
      if (measuring) p.client_cpu_s = CpuSeconds(RUSAGE_THREAD) - cpu0;
    });
  }
  std::this_thread::sleep_until(begin);
  const double cpu0 = CpuSeconds(RUSAGE_SELF);
  std::this_thread::sleep_until(end);
  const double cpu1 = CpuSeconds(RUSAGE_SELF);
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : errors) PITR_RETURN_IF_ERROR(s);
  Point total;
  total.clients = clients;
  total.seconds = absl::ToDoubleSeconds(window);
  total.cpu_s = cpu1 - cpu0;
  for (Point& p : per) {
    total.calls += p.calls;
    total.items += p.items;
    total.client_cpu_s += p.client_cpu_s;
    total.ns.insert(total.ns.end(), p.ns.begin(), p.ns.end());
  }
  if (total.calls == 0) return absl::InternalError("no call completed");
  return total;
}

}  // namespace pitr::bench
