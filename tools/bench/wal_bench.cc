// wal_bench: what durability costs in pitr's WAL, measured against the raw
// disk in the same run, on the same file system.
//
//   bazel run -c opt //tools/bench:wal_bench [-- --dir=/path --point_time=6s]
//
// 1. Append bandwidth. One writer appends batches of 8 KiB page images
//    (random content) with SyncPolicy::kEveryBatch, for several batch
//    sizes, in two ways: PutPageImage (the batch copies each image) and
//    PutPageImageNoCopy (the log writes the images from the caller's
//    memory). The baseline appends the same page bytes per batch to one
//    file with write() + fdatasync(). The WAL's time includes building each
//    batch (CRC32C, and the copy if any), its framing, segment rolls and
//    the timestamp index: everything a client pays for a durable batch.
// 2. Commit rate. N threads each loop appending a batch of one 64-byte page
//    delta; group commit should let one fdatasync cover many batches. The
//    baseline is one thread doing write(64 bytes) + fdatasync() in a loop.
//
// Each point gets --point_time in total (a bandwidth point stops earlier
// once it has written --point_mib of pages), split over --rounds rounds; pitr
// and raw points alternate within a round (each round starts with another)
// so drift in the disk's speed hits every side alike. Rates are total work /
// total time; the range is the slowest and fastest round. Ratios are given
// both as a ratio of the totals and as the median over rounds of the ratio
// within each round; targets are judged on the median, which a disk whose
// speed swings between rounds (a VM's, say) does not skew. Everything is
// written to a fresh directory under --dir, deleted at the end.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/duration_flag.h"
#include "base/file_system.h"
#include "base/mutex.h"
#include "base/status_macros.h"
#include "spdlog/spdlog.h"
#include "tools/bench/bench_util.h"
#include "wal/batch.h"
#include "wal/wal.h"

ABSL_FLAG(std::string, dir, "",
          "Parent directory of the scratch directory (a fresh "
          "wal_bench.XXXXXX is made under it and deleted at the end). "
          "Default: $TEST_TMPDIR, else $TMPDIR, else /tmp.");
ABSL_FLAG(pitr::DurationFlag, point_time, pitr::DurationFlag{absl::Seconds(6)},
          "Measuring time per point (one batch size or writer count, pitr or "
          "raw), split over --rounds. A bandwidth point ends earlier once it "
          "has written --point_mib.");
ABSL_FLAG(uint64_t, point_mib, 1024,
          "Page data per bandwidth point (pitr or raw), split over --rounds.");
ABSL_FLAG(int, rounds, 8,
          "Rounds per point; pitr and raw alternate within each round.");
ABSL_FLAG(std::vector<std::string>, batch_kib,
          std::vector<std::string>({"8", "64", "256", "1024", "4096"}),
          "Batch sizes in KiB for the bandwidth table (multiples of 8).");
ABSL_FLAG(std::vector<std::string>, writers,
          std::vector<std::string>({"1", "8", "64"}),
          "Concurrent writer counts for the commit table.");
ABSL_FLAG(uint64_t, segment_size, 64 << 20, "WalOptions::segment_size.");
ABSL_FLAG(bool, bandwidth, true, "Run the append bandwidth table.");
ABSL_FLAG(bool, commits, true, "Run the commit rate table.");

namespace pitr {
namespace {

using bench::FsTypeName;
using bench::LoadAvg;
using bench::ParseList;
using bench::Percentile;
using bench::RandomPool;
using bench::Seconds;

using Clock = std::chrono::steady_clock;

constexpr size_t kPageSize = 8 << 10;
constexpr size_t kDeltaSize = 64;
constexpr TimelineId kTimeline = kMainTimeline;
constexpr double kMiB = 1 << 20;
// Targets (docs/performance.md).
constexpr double kBandwidthTargetRatio = 0.8;
constexpr size_t kBandwidthTargetMinBatch = 256 << 10;
constexpr double kCommitTargetSpeedup = 10.0;
constexpr int kCommitTargetWriters = 64;

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return absl::ErrnoToStatus(errno, absl::StrCat(what, " ", path));
}

// ---------------------------------------------------------------- helpers

absl::Status WriteAll(int fd, const char* data, size_t n,
                      const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write", path);
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

// Deletes a measurement's files and lets the file system settle (the next
// point should not pay for this one's block freeing or journal).
void Cleanup(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  ::sync();
}

// One round of one point.
struct Sample {
  uint64_t ops = 0;    // batches (bandwidth) or commits
  uint64_t bytes = 0;  // page bytes (bandwidth)
  double seconds = 0;
  double build_seconds = 0;      // pitr bandwidth: building batches
  WalStats stats;                // pitr only
  std::vector<int64_t> latency;  // commit latencies in ns (commit table)
};

// All rounds of one point.
struct Point {
  uint64_t ops = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  double build_seconds = 0;
  std::vector<double> rates;  // the headline rate of each round
  WalStats stats;             // summed over rounds
  std::vector<int64_t> latency;

  void Add(Sample s, double rate) {
    rates.push_back(rate);
    ops += s.ops;
    bytes += s.bytes;
    seconds += s.seconds;
    build_seconds += s.build_seconds;
    stats.batches += s.stats.batches;
    stats.groups += s.stats.groups;
    stats.syncs += s.stats.syncs;
    stats.bytes += s.stats.bytes;
    stats.segments += s.stats.segments;
    latency.insert(latency.end(), s.latency.begin(), s.latency.end());
  }
  double mib_per_s() const { return bytes / kMiB / seconds; }
  double ops_per_s() const { return ops / seconds; }
  double min_rate() const {
    return *std::min_element(rates.begin(), rates.end());
  }
  double max_rate() const {
    return *std::max_element(rates.begin(), rates.end());
  }
};

// The median over rounds of a.rates[r] / b.rates[r]: a's rate relative to
// b's measured next to it, in the same round. Robust to the disk's speed
// drifting between rounds, which a ratio of totals is not.
double MedianPairedRatio(const Point& a, const Point& b) {
  std::vector<double> r;
  for (size_t i = 0; i < a.rates.size() && i < b.rates.size(); ++i) {
    r.push_back(a.rates[i] / b.rates[i]);
  }
  std::sort(r.begin(), r.end());
  if (r.empty()) return 0;
  const size_t n = r.size();
  return n % 2 == 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

WalOptions BenchWalOptions(const std::string& dir) {
  WalOptions options;
  options.dir = dir;
  options.segment_size = absl::GetFlag(FLAGS_segment_size);
  options.sync = SyncPolicy::kEveryBatch;
  return options;
}

// ------------------------------------------------------- append bandwidth

// write() + fdatasync() of batch_bytes at a time to one appended file.
absl::StatusOr<Sample> RawAppend(const std::string& path,
                                 const std::string& pool, size_t batch_bytes,
                                 absl::Duration budget, uint64_t max_bytes) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("open", path);
  Sample s;
  absl::Status status;
  size_t offset = 0;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + absl::ToChronoNanoseconds(budget);
  Clock::time_point now = start;
  while (now < deadline && s.bytes < max_bytes) {
    if (offset + batch_bytes > pool.size()) offset = 0;
    status = WriteAll(fd, pool.data() + offset, batch_bytes, path);
    if (!status.ok()) break;
    if (::fdatasync(fd) != 0) {
      status = ErrnoError("fdatasync", path);
      break;
    }
    offset += batch_bytes;
    ++s.ops;
    s.bytes += batch_bytes;
    now = Clock::now();
  }
  s.seconds = Seconds(now - start);
  ::close(fd);
  PITR_RETURN_IF_ERROR(status);
  return s;
}

// Wal::Append of batches of `pages` 8 KiB page images, built in the loop
// (the build time counts).
absl::StatusOr<Sample> PitrAppend(const std::string& dir,
                                  const std::string& pool, size_t pages,
                                  bool copy, absl::Duration budget,
                                  uint64_t max_bytes) {
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Wal> wal,
                        Wal::Open(BenchWalOptions(dir)));
  const size_t pool_pages = pool.size() / kPageSize;
  Sample s;
  uint32_t page_no = 0;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + absl::ToChronoNanoseconds(budget);
  Clock::time_point now = start;
  Clock::duration build{};
  // One batch object reused with Clear(), as a bulk-ingest client would.
  WalBatch batch(kTimeline);
  while (now < deadline && s.bytes < max_bytes) {
    batch.Clear();
    for (size_t i = 0; i < pages; ++i, ++page_no) {
      const absl::string_view image(
          pool.data() + (page_no % pool_pages) * kPageSize, kPageSize);
      PITR_RETURN_IF_ERROR(copy
                               ? batch.PutPageImage({1, page_no}, image)
                               : batch.PutPageImageNoCopy({1, page_no}, image));
    }
    build += Clock::now() - now;
    PITR_RETURN_IF_ERROR(wal->Append(batch).status());
    ++s.ops;
    s.bytes += pages * kPageSize;
    now = Clock::now();
  }
  s.seconds = Seconds(now - start);
  s.build_seconds = Seconds(build);
  s.stats = wal->stats();
  PITR_RETURN_IF_ERROR(wal->Close());
  return s;
}

absl::Status RunBandwidth(const std::string& scratch,
                          const std::vector<size_t>& batch_kib) {
  const absl::Duration chunk =
      absl::GetFlag(FLAGS_point_time).value / absl::GetFlag(FLAGS_rounds);
  const uint64_t max_bytes =
      (absl::GetFlag(FLAGS_point_mib) << 20) / absl::GetFlag(FLAGS_rounds);
  const size_t max_batch = *std::max_element(batch_kib.begin(), batch_kib.end())
                           << 10;
  const std::string pool =
      RandomPool(std::max<size_t>(2 * max_batch, 16 << 20), 42);
  // Sides of each point: the raw baseline, then the WAL with each way of
  // adding images. Each round starts with a different side, so the order
  // does not favour one.
  struct Side {
    const char* name;
    bool raw;
    bool copy;
  };
  const Side sides[] = {
      {"raw", true, false}, {"copy", false, true}, {"no-copy", false, false}};
  constexpr int kSides = 3;
  std::vector<std::vector<Point>> points(kSides,
                                         std::vector<Point>(batch_kib.size()));
  int run = 0;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    for (size_t i = 0; i < batch_kib.size(); ++i) {
      const size_t bytes = batch_kib[i] << 10;
      for (int k = 0; k < kSides; ++k) {
        const int side = (round + k) % kSides;
        const std::string path = absl::StrCat(scratch, "/bw", run++);
        absl::StatusOr<Sample> s =
            sides[side].raw ? RawAppend(path, pool, bytes, chunk, max_bytes)
                            : PitrAppend(path, pool, bytes / kPageSize,
                                         sides[side].copy, chunk, max_bytes);
        Cleanup(path);
        PITR_RETURN_IF_ERROR(s.status());
        const double rate = s->bytes / kMiB / s->seconds;
        points[side][i].Add(*std::move(s), rate);
      }
    }
  }

  absl::PrintF(
      "\n1. Durable append bandwidth: 1 writer, 8 KiB page images, "
      "SyncPolicy::kEveryBatch;\n"
      "   raw = write()+fdatasync() of the same page bytes per batch to one "
      "file. MiB/s of page bytes.\n"
      "   copy = images added with PutPageImage, no-copy = with "
      "PutPageImageNoCopy.\n"
      "   [range]: slowest..fastest round. pitr/raw: total = ratio of the "
      "totals, median = median over\n"
      "   rounds of the ratio of the two runs of that round (the target is "
      "judged on the median).\n"
      "   pitr time includes building each batch; build%% is its share, "
      "Append-only the rate over Wal::Append alone.\n\n");
  absl::PrintF(
      "%8s %5s %-7s | %-22s | %-22s | %-13s | %-10s | %6s | %-14s | %4s\n",
      "batch", "pages", "images", "raw MiB/s  [range]", "pitr MiB/s [range]",
      "pitr/raw", "target", "build%", "Append-only", "segs");
  absl::PrintF(
      "%8s %5s %-7s | %-22s | %-22s | %-13s | %-10s | %6s | %-14s | %4s\n", "",
      "", "", "", "", "total median", "(median)", "", " MiB/s   /raw", "");
  absl::PrintF("%s\n", std::string(130, '-'));
  for (size_t i = 0; i < batch_kib.size(); ++i) {
    const size_t bytes = batch_kib[i] << 10;
    const Point& r = points[0][i];
    const std::string size = batch_kib[i] >= 1024
                                 ? absl::StrCat(batch_kib[i] >> 10, " MiB")
                                 : absl::StrCat(batch_kib[i], " KiB");
    for (int side = 1; side < kSides; ++side) {
      const Point& w = points[side][i];
      const double ratio = w.mib_per_s() / r.mib_per_s();
      const double median = MedianPairedRatio(w, r);
      std::string target = "-";
      if (bytes >= kBandwidthTargetMinBatch) {
        target =
            absl::StrFormat(">=%.1f %s", kBandwidthTargetRatio,
                            median >= kBandwidthTargetRatio ? "PASS" : "MISS");
      }
      const double append_only = w.bytes / kMiB / (w.seconds - w.build_seconds);
      absl::PrintF(
          "%8s %5d %-7s | %7.1f [%5.0f..%5.0f] | %7.1f [%5.0f..%5.0f] | "
          "%5.2f  %5.2f | %-10s | %5.1f%% | %6.1f  %5.2f | %4d\n",
          side == 1 ? size : "", bytes / kPageSize, sides[side].name,
          r.mib_per_s(), r.min_rate(), r.max_rate(), w.mib_per_s(),
          w.min_rate(), w.max_rate(), ratio, median, target,
          100 * w.build_seconds / w.seconds, append_only,
          append_only / r.mib_per_s(), w.stats.segments);
    }
  }
  absl::PrintF("   segs: WAL segment files written (all rounds).\n");
  return absl::OkStatus();
}

// ------------------------------------------------------------ commit rate

// One thread: write(64 bytes) + fdatasync() in a loop.
absl::StatusOr<Sample> RawCommits(const std::string& path,
                                  const std::string& pool,
                                  absl::Duration budget) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("open", path);
  Sample s;
  absl::Status status;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + absl::ToChronoNanoseconds(budget);
  Clock::time_point now = start;
  while (now < deadline) {
    const Clock::time_point t0 = now;
    status = WriteAll(
        fd, pool.data() + (s.ops * kDeltaSize) % (pool.size() - kDeltaSize),
        kDeltaSize, path);
    if (!status.ok()) break;
    if (::fdatasync(fd) != 0) {
      status = ErrnoError("fdatasync", path);
      break;
    }
    now = Clock::now();
    ++s.ops;
    s.latency.push_back((now - t0).count());
  }
  s.seconds = Seconds(now - start);
  ::close(fd);
  PITR_RETURN_IF_ERROR(status);
  return s;
}

// `writers` threads, each appending one 64-byte PutPageDelta per batch.
absl::StatusOr<Sample> PitrCommits(const std::string& dir,
                                   const std::string& pool, int writers,
                                   absl::Duration budget) {
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Wal> wal,
                        Wal::Open(BenchWalOptions(dir)));
  Mutex mu;
  absl::Status first_error;
  absl::Notification go;
  Clock::time_point deadline;  // written before go.Notify()
  std::vector<std::vector<int64_t>> latency(writers);
  std::vector<std::thread> threads;
  threads.reserve(writers);
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      std::vector<int64_t>& lat = latency[t];
      lat.reserve(1 << 16);
      go.WaitForNotification();
      const uint32_t space = static_cast<uint32_t>(t) + 1;
      for (uint32_t i = 0;; ++i) {
        const Clock::time_point t0 = Clock::now();
        if (t0 >= deadline) break;
        WalBatch batch(kTimeline);
        const size_t at =
            (static_cast<size_t>(i) * 4099 + static_cast<size_t>(t) * 7919) *
            kDeltaSize % (pool.size() - kDeltaSize);
        absl::Status s =
            batch.PutPageDelta({space, i % 1024}, (i * kDeltaSize) % kPageSize,
                               absl::string_view(pool.data() + at, kDeltaSize));
        if (s.ok()) s = wal->Append(batch).status();
        if (!s.ok()) {
          MutexLock l(&mu);
          if (first_error.ok()) first_error = s;
          break;
        }
        lat.push_back((Clock::now() - t0).count());
      }
    });
  }
  const Clock::time_point start = Clock::now();
  deadline = start + absl::ToChronoNanoseconds(budget);
  go.Notify();
  for (std::thread& t : threads) t.join();
  const Clock::time_point end = Clock::now();
  PITR_RETURN_IF_ERROR(first_error);
  Sample s;
  for (std::vector<int64_t>& lat : latency) {
    s.ops += lat.size();
    s.latency.insert(s.latency.end(), lat.begin(), lat.end());
  }
  s.seconds = Seconds(end - start);
  s.stats = wal->stats();
  PITR_RETURN_IF_ERROR(wal->Close());
  return s;
}

absl::Status RunCommits(const std::string& scratch,
                        const std::vector<int>& writers) {
  const absl::Duration chunk =
      absl::GetFlag(FLAGS_point_time).value / absl::GetFlag(FLAGS_rounds);
  const std::string pool = RandomPool(1 << 20, 7);
  Point raw;
  std::vector<Point> wal(writers.size());
  int run = 0;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    // Points in order raw, w[0], w[1]... on even rounds, reversed on odd.
    const int n = static_cast<int>(writers.size()) + 1;
    for (int k = 0; k < n; ++k) {
      const int j = round % 2 == 0 ? k : n - 1 - k;  // 0: raw
      const std::string path = absl::StrCat(scratch, "/c", run++);
      absl::StatusOr<Sample> s =
          j == 0 ? RawCommits(path, pool, chunk)
                 : PitrCommits(path, pool, writers[j - 1], chunk);
      Cleanup(path);
      PITR_RETURN_IF_ERROR(s.status());
      const double rate = s->ops / s->seconds;
      (j == 0 ? raw : wal[j - 1]).Add(*std::move(s), rate);
    }
  }

  absl::PrintF(
      "\n2. Durable commits/s: each writer thread loops appending a batch of "
      "one 64-byte\n   PutPageDelta (SyncPolicy::kEveryBatch); raw = 1 thread "
      "write(64 B)+fdatasync().\n   Latency per commit in ms. Ratios: "
      "total = ratio of the totals, med = median over rounds\n   of the "
      "ratio within a round (the target is judged on it). b/grp = batches / "
      "groups.\n\n");
  absl::PrintF("%-13s | %-25s | %-13s | %-11s | %-11s | %-25s | %s\n",
               "writers", "commits/s  [range]", "latency ms", "vs raw",
               "vs 1 writer", "WalStats", "target");
  absl::PrintF("%-13s | %-25s | %-13s | %-11s | %-11s | %-25s | %s\n", "", "",
               "  p50    p99", "total  med", "total  med",
               "  batches   groups b/grp", "(median)");
  absl::PrintF("%s\n", std::string(128, '-'));
  const double raw_rate = raw.ops_per_s();
  absl::PrintF(
      "%-13s | %8.0f [%6.0f..%6.0f] | %5.2f  %5.2f | %5.2f %5.2f | %11s | "
      "%25s | -\n",
      "raw fdatasync", raw_rate, raw.min_rate(), raw.max_rate(),
      Percentile(raw.latency, 0.5) / 1e6, Percentile(raw.latency, 0.99) / 1e6,
      1.0, 1.0, "-", "-");
  const Point* single = nullptr;
  for (size_t i = 0; i < writers.size(); ++i) {
    if (writers[i] == 1) single = &wal[i];
  }
  for (size_t i = 0; i < writers.size(); ++i) {
    Point& p = wal[i];
    const double rate = p.ops_per_s();
    std::string vs_single = "-";
    std::string target = "-";
    if (single != nullptr) {
      const double median = MedianPairedRatio(p, *single);
      vs_single =
          absl::StrFormat("%5.2f %5.2f", rate / single->ops_per_s(), median);
      if (writers[i] == kCommitTargetWriters) {
        target =
            absl::StrFormat(">=%.0fx %s", kCommitTargetSpeedup,
                            median >= kCommitTargetSpeedup ? "PASS" : "MISS");
      }
    }
    absl::PrintF(
        "%-13s | %8.0f [%6.0f..%6.0f] | %5.2f  %5.2f | %5.2f %5.2f | %11s | "
        "%9d %8d %5.1f | %s\n",
        absl::StrCat("pitr ", writers[i]), rate, p.min_rate(), p.max_rate(),
        Percentile(p.latency, 0.5) / 1e6, Percentile(p.latency, 0.99) / 1e6,
        rate / raw_rate, MedianPairedRatio(p, raw), vs_single, p.stats.batches,
        p.stats.groups,
        p.stats.groups == 0 ? 0.0
                            : static_cast<double>(p.stats.batches) /
                                  static_cast<double>(p.stats.groups),
        target);
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------------ main

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Durable WAL append bandwidth and group-commit rate vs raw "
      "write()+fdatasync().\n  bazel run -c opt //tools/bench:wal_bench");
  absl::ParseCommandLine(argc, argv);
  spdlog::set_level(spdlog::level::warn);  // no WAL open chatter

  absl::StatusOr<std::vector<size_t>> batch_kib =
      ParseList<size_t>(absl::GetFlag(FLAGS_batch_kib), "batch_kib");
  absl::StatusOr<std::vector<int>> writers =
      ParseList<int>(absl::GetFlag(FLAGS_writers), "writers");
  for (const absl::Status& s : {batch_kib.status(), writers.status()}) {
    if (!s.ok()) {
      absl::FPrintF(stderr, "%s\n", s.ToString());
      return 2;
    }
  }
  for (size_t kib : *batch_kib) {
    if ((kib << 10) % kPageSize != 0) {
      absl::FPrintF(stderr, "--batch_kib: %d is not a multiple of 8\n", kib);
      return 2;
    }
  }
  if (absl::GetFlag(FLAGS_rounds) < 1 || absl::GetFlag(FLAGS_point_mib) == 0 ||
      absl::GetFlag(FLAGS_point_time).value <= absl::ZeroDuration()) {
    absl::FPrintF(stderr,
                  "--rounds, --point_time and --point_mib must be positive\n");
    return 2;
  }

  const absl::StatusOr<std::string> made =
      bench::MakeScratchDir(absl::GetFlag(FLAGS_dir), "wal_bench");
  if (!made.ok()) {
    absl::FPrintF(stderr, "%s\n", made.status().ToString());
    return 1;
  }
  const std::string scratch = *made;

  struct utsname uts;
  const std::string kernel = ::uname(&uts) == 0 ? uts.release : "?";
  const double mem_gib = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
                         static_cast<double>(::sysconf(_SC_PAGESIZE)) /
                         (1 << 30);
  const std::string fs_type = FsTypeName(scratch);
  absl::PrintF("wal_bench  %s\n",
               absl::FormatTime("%Y-%m-%d %H:%M:%S %Z", absl::Now(),
                                absl::LocalTimeZone()));
  absl::PrintF("  scratch  %s (%s)\n", scratch, fs_type);
  absl::PrintF("  machine  %d cpus, %.1f GiB memory, kernel %s, load %s\n",
               std::thread::hardware_concurrency(), mem_gib, kernel, LoadAvg());
  absl::PrintF(
      "  config   per point: %s or (bandwidth) %d MiB, whichever comes "
      "first, in %d rounds;\n           segment_size %d MiB\n",
      absl::FormatDuration(absl::GetFlag(FLAGS_point_time).value),
      absl::GetFlag(FLAGS_point_mib), absl::GetFlag(FLAGS_rounds),
      absl::GetFlag(FLAGS_segment_size) >> 20);
  if (fs_type == "tmpfs") {
    absl::PrintF(
        "  WARNING: tmpfs: fdatasync is a no-op, nothing here is "
        "durable; use --dir on a real disk.\n");
  }

  const Clock::time_point start = Clock::now();
  absl::Status status;
  if (absl::GetFlag(FLAGS_bandwidth))
    status = RunBandwidth(scratch, *batch_kib);
  if (status.ok() && absl::GetFlag(FLAGS_commits)) {
    status = RunCommits(scratch, *writers);
  }
  return bench::Finish("wal_bench", scratch, /*keep=*/false, status, start);
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) { return pitr::Main(argc, argv); }
