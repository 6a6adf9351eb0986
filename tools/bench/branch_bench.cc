// branch_bench: what branches cost in pitr: creating and restoring them
// against the amount of data, reading through chains of them, and
// collecting the history they no longer need. One run, one machine.
//
//   bazel run -c opt //tools/bench:branch_bench [-- --dir=/path]
//
// 1. Branch operations. One store per --data_mib (default 1, 100 and 1024
//    MiB of 8 KiB page images on main, --load_batch_pages per batch,
//    SyncPolicy::kNone while loading unless --load_sync; the measured
//    operations do not append to the WAL, so the policy does not touch
//    them), all open at once. Each store is flushed and left to settle (no
//    disk writes for 1.5 s), then given --branches branches in all (main,
//    --ops restore targets and fillers, each CreateBranch(main, latest);
//    the creation latency of these is kept as a function of the branch
//    count). Then --rounds rounds; in each, every store in turn (order
//    rotated every round) does --ops/--rounds of each operation:
//      create:  CreateBranch(new name, main, latest LSN);
//      restore: RestoreBranch(target, main, LSN at half the load), each
//               target once over the run (a different branch every time);
//      delete:  DeleteBranch of the branches the round made (the created
//               ones and the restores' backups), so every round starts with
//               --branches branches (info only, no target).
//    Each operation is timed alone. The bytes written per operation come
//    from /proc/self/io (write_bytes: what the process sent towards the
//    disk, page-granular; wchar: bytes passed to write()) and from the
//    calling thread's /proc/self/task/<tid>/io, read around each group of
//    operations and divided by their number. Ratios against the smallest
//    store are given as the ratio of the p50s over all rounds and as the
//    median over rounds of the ratio of the round's p50s (targets are
//    judged on the median). Finally, one target branch per store is
//    restored --ops times in a row (a diagnostic: restores of the same
//    branch within the same second).
// 2. Reads through branches. A fresh store: --read_pages page images
//    written on main (in batches of 16), then a chain of max(--depths)
//    branches, each from the previous one at its latest LSN, then a flush.
//    GetPage(page, latest) of random pages of that set on main (depth 0)
//    and on the branch at each depth: every read falls through every level
//    to main. --reads per depth, in --rounds rounds with the depths
//    alternating (order rotated), after one unmeasured warm-up round. Every
//    page read is checked (outside the timed part).
// 3. GC. A fresh store: --gc_pages pages, each given --gc_versions versions
//    (round r writes one version of every page, --load_batch_pages per
//    batch; the first version is an image, later ones an image with
//    probability --gc_image_pct %, else a --gc_delta_bytes delta). main's
//    retention is then set to the WAL bytes of the last --gc_keep_rounds
//    rounds (Retention::lsn_distance); after a settle, RunGc(compact=true)
//    once. Reported: GcReport, versions/s, MiB/s of store reclaimed, and
//    the bytes GC wrote. Every page is then read and checked.
//
// EngineOptions are the defaults except gc_period (infinite: GC runs only
// when asked) and sync while loading. spdlog is at "warn", as in a
// service that does not log every branch operation. Everything is written
// to a fresh directory under --dir, deleted at the end.
#include <stdlib.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
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
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
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
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "engine/engine.h"
#include "spdlog/spdlog.h"
#include "tools/bench/bench_util.h"
#include "wal/batch.h"

ABSL_FLAG(std::string, dir, "",
          "Parent directory of the scratch directory (a fresh "
          "branch_bench.XXXXXX is made under it and deleted at the end). "
          "Default: $TEST_TMPDIR, else $TMPDIR, else /tmp.");
ABSL_FLAG(std::vector<std::string>, data_mib,
          std::vector<std::string>({"1", "100", "1024"}),
          "Section 1: page data per store, in MiB of 8 KiB page images; the "
          "first is the reference for the ratios.");
ABSL_FLAG(int, branches, 10000,
          "Section 1: branches in each store (main included) when the "
          "operations run.");
ABSL_FLAG(int, ops, 200,
          "Section 1: operations of each kind per store, split over "
          "--rounds.");
ABSL_FLAG(int, rounds, 10, "Rounds (sections 1 and 2); points alternate.");
ABSL_FLAG(int, load_batch_pages, 64, "Page records per appended batch.");
ABSL_FLAG(bool, load_sync, false,
          "Load with SyncPolicy::kEveryBatch instead of kNone.");
ABSL_FLAG(std::vector<std::string>, depths,
          std::vector<std::string>({"1", "10", "100"}),
          "Section 2: branch depths read (the first is the reference).");
ABSL_FLAG(int, read_pages, 64, "Section 2: pages written on main.");
ABSL_FLAG(int, reads, 20000, "Section 2: measured reads per depth.");
ABSL_FLAG(int, gc_pages, 4096, "Section 3: pages churned.");
ABSL_FLAG(int, gc_versions, 32, "Section 3: versions written per page.");
ABSL_FLAG(int, gc_image_pct, 25,
          "Section 3: share of versions after the first that are full "
          "images, in percent (the rest are deltas).");
ABSL_FLAG(int, gc_delta_bytes, 256, "Section 3: bytes per delta.");
ABSL_FLAG(int, gc_keep_rounds, 4,
          "Section 3: retention = the WAL bytes of this many last rounds.");
ABSL_FLAG(bool, branch_ops, true, "Run section 1.");
ABSL_FLAG(bool, depth_reads, true, "Run section 2.");
ABSL_FLAG(bool, gc, true, "Run section 3.");

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
constexpr double kMiB = 1 << 20;
constexpr uint32_t kSpace = 1;
// Targets (docs/performance.md).
constexpr double kOpTargetMs = 1.0;
constexpr double kSizeRatioTarget = 1.2;
constexpr double kDepthRatioTarget = 1.5;

int64_t Nanos(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// ---------------------------------------------------------------- helpers

// A page image: a slice of the pool chosen by `seed`, stamped with it so
// that no two images are equal.
void MakeImage(const std::string& pool, uint64_t seed, std::string* out) {
  const size_t slots = (pool.size() - kPageSize) / 8;
  const size_t at = (seed * 2654435761u % slots) * 8;
  out->assign(pool.data() + at, kPageSize);
  std::memcpy(out->data(), &seed, sizeof(seed));
}

struct Io {
  uint64_t write_bytes = 0;
  uint64_t wchar = 0;
};

Io ReadIoFile(const std::string& path) {
  Io io;
  std::ifstream in(path);
  std::string name;
  uint64_t value;
  while (in >> name >> value) {
    if (name == "write_bytes:") io.write_bytes = value;
    if (name == "wchar:") io.wchar = value;
  }
  return io;
}

Io ProcessIo() { return ReadIoFile("/proc/self/io"); }

Io ThreadIo() {
  static const std::string path = absl::StrCat(
      "/proc/self/task/", static_cast<long>(::syscall(SYS_gettid)), "/io");
  return ReadIoFile(path);
}

// Waits until the process has written nothing for `quiet` (flushes and
// compactions are done), at most `limit`. Returns the time waited.
double Settle(absl::Duration quiet = absl::Milliseconds(1500),
              absl::Duration limit = absl::Seconds(120)) {
  const absl::Time start = absl::Now();
  uint64_t last = ProcessIo().write_bytes;
  absl::Time last_change = absl::Now();
  while (absl::Now() - start < limit) {
    absl::SleepFor(absl::Milliseconds(100));
    const uint64_t now = ProcessIo().write_bytes;
    if (now != last) {
      last = now;
      last_change = absl::Now();
    } else if (absl::Now() - last_change >= quiet) {
      break;
    }
  }
  return absl::ToDoubleSeconds(absl::Now() - start);
}

double Mean(const std::vector<int64_t>& v, size_t from, size_t to) {
  to = std::min(to, v.size());
  if (from >= to) return 0;
  double sum = 0;
  for (size_t i = from; i < to; ++i) sum += static_cast<double>(v[i]);
  return sum / static_cast<double>(to - from);
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string MiBString(uint64_t mib) {
  return mib >= 1024 && mib % 1024 == 0 ? absl::StrCat(mib >> 10, " GiB")
                                        : absl::StrCat(mib, " MiB");
}

std::string PassMiss(bool ok) { return ok ? "PASS" : "MISS"; }

EngineOptions BenchOptions(const std::string& dir, bool sync) {
  EngineOptions options;
  options.dir = dir;
  options.sync = sync ? SyncPolicy::kEveryBatch : SyncPolicy::kNone;
  options.gc_period = absl::InfiniteDuration();
  return options;
}

// One kind of operation on one store, over all rounds.
struct OpStats {
  std::vector<int64_t> ns;        // every operation, in order
  std::vector<double> round_p50;  // per round
  Io process, thread;             // summed over the groups of operations
  void AddIo(const Io& p0, const Io& p1, const Io& t0, const Io& t1) {
    process.write_bytes += p1.write_bytes - p0.write_bytes;
    process.wchar += p1.wchar - p0.wchar;
    thread.write_bytes += t1.write_bytes - t0.write_bytes;
    thread.wchar += t1.wchar - t0.wchar;
  }
};

// Runs fn(i) for i in [0, n), timing each call; adds a round to `stats`.
absl::Status TimedOps(int n, OpStats* stats,
                      const std::function<absl::Status(int)>& fn) {
  std::vector<int64_t> round;
  round.reserve(n);
  const Io p0 = ProcessIo(), t0 = ThreadIo();
  for (int i = 0; i < n; ++i) {
    const Clock::time_point start = Clock::now();
    absl::Status s = fn(i);
    const Clock::time_point end = Clock::now();
    PITR_RETURN_IF_ERROR(s);
    round.push_back(Nanos(end - start));
  }
  const Io p1 = ProcessIo(), t1 = ThreadIo();
  stats->AddIo(p0, p1, t0, t1);
  stats->ns.insert(stats->ns.end(), round.begin(), round.end());
  stats->round_p50.push_back(Percentile(round, 0.5));
  return absl::OkStatus();
}

double MedianPairedRatio(const OpStats& a, const OpStats& b) {
  std::vector<double> r;
  for (size_t i = 0; i < a.round_p50.size() && i < b.round_p50.size(); ++i) {
    if (b.round_p50[i] > 0) r.push_back(a.round_p50[i] / b.round_p50[i]);
  }
  return Median(r);
}

// Appends `pages` page images to main in batches; returns the commit LSN
// of the batch that reached half of them (the restore point).
absl::StatusOr<Lsn> LoadPages(Engine* engine, const std::string& pool,
                              uint32_t pages, int batch_pages) {
  WalBatch batch(kMainTimeline);
  batch.Reserve(static_cast<size_t>(batch_pages) * (kPageSize + 64));
  std::string image;
  Lsn half = 0;
  for (uint32_t p = 0; p < pages;) {
    batch.Clear();
    for (int i = 0; i < batch_pages && p < pages; ++i, ++p) {
      MakeImage(pool, p, &image);
      PITR_RETURN_IF_ERROR(batch.PutPageImage({kSpace, p}, image));
    }
    PITR_ASSIGN_OR_RETURN(AppendResult r, engine->Append(kMainBranch, batch));
    if (half == 0 && p >= pages / 2) half = r.commit_lsn;
  }
  return half;
}

// ------------------------------------------------- 1. branch operations

struct Store {
  uint64_t data_mib = 0;
  std::string dir;
  std::unique_ptr<Engine> engine;
  uint32_t pages = 0;
  Lsn restore_lsn = 0;
  double load_seconds = 0;
  double settle_seconds = 0;
  uint64_t live_bytes = 0;
  std::vector<BranchId> targets;
  std::vector<int64_t> setup_create_ns;  // creation with 1, 2, ... branches
  OpStats create, restore, remove, repeat;
};

absl::Status SetUpStore(Store* s, const std::string& pool) {
  PITR_ASSIGN_OR_RETURN(
      s->engine,
      Engine::Open(BenchOptions(s->dir, absl::GetFlag(FLAGS_load_sync))));
  s->pages = static_cast<uint32_t>(s->data_mib * kMiB / kPageSize);
  const Clock::time_point start = Clock::now();
  PITR_ASSIGN_OR_RETURN(s->restore_lsn,
                        LoadPages(s->engine.get(), pool, s->pages,
                                  absl::GetFlag(FLAGS_load_batch_pages)));
  PITR_RETURN_IF_ERROR(s->engine->Flush());
  s->load_seconds = Seconds(Clock::now() - start);
  s->settle_seconds = Settle();
  s->live_bytes = s->engine->stats().store_bytes;

  // Branches: fillers, then the restore targets, so that the store holds
  // --branches in all (main included).
  const int ops = absl::GetFlag(FLAGS_ops);
  const int total = absl::GetFlag(FLAGS_branches);
  const int fillers = std::max(0, total - 1 - ops);
  s->setup_create_ns.reserve(fillers + ops);
  for (int i = 0; i < fillers + ops; ++i) {
    const bool target = i >= fillers;
    const std::string name = target ? absl::StrFormat("r%05d", i - fillers)
                                    : absl::StrFormat("f%05d", i);
    const Clock::time_point t0 = Clock::now();
    absl::StatusOr<Branch> b =
        s->engine->CreateBranch(name, kMainBranch, PointInTime{});
    s->setup_create_ns.push_back(Nanos(Clock::now() - t0));
    PITR_RETURN_IF_ERROR(b.status());
    if (target) s->targets.push_back(b->id);
  }
  return absl::OkStatus();
}

// One round of store `s`: n creates, n restores (targets [first, first+n)),
// then the deletes of what they made.
absl::Status BranchRound(Store* s, int round, int n, int first) {
  Engine* e = s->engine.get();
  std::vector<BranchId> made;
  PITR_RETURN_IF_ERROR(TimedOps(n, &s->create, [&](int i) -> absl::Status {
    PITR_ASSIGN_OR_RETURN(
        Branch b, e->CreateBranch(absl::StrFormat("c%02d_%03d", round, i),
                                  kMainBranch, PointInTime{}));
    made.push_back(b.id);
    return absl::OkStatus();
  }));
  PITR_RETURN_IF_ERROR(TimedOps(n, &s->restore, [&](int i) -> absl::Status {
    PointInTime at;
    at.lsn = s->restore_lsn;
    PITR_ASSIGN_OR_RETURN(
        Catalog::Restored r,
        e->RestoreBranch(s->targets[first + i], kMainBranch, at));
    made.push_back(r.backup.id);
    return absl::OkStatus();
  }));
  return TimedOps(static_cast<int>(made.size()), &s->remove,
                  [&](int i) -> absl::Status {
                    return e->DeleteBranch(made[i], /*cascade=*/false).status();
                  });
}

// The diagnostic: one branch restored `n` times in a row.
absl::Status RepeatedRestores(Store* s, int n) {
  Engine* e = s->engine.get();
  std::vector<BranchId> backups;
  PointInTime at;
  at.lsn = s->restore_lsn;
  PITR_RETURN_IF_ERROR(TimedOps(n, &s->repeat, [&](int) -> absl::Status {
    PITR_ASSIGN_OR_RETURN(Catalog::Restored r,
                          e->RestoreBranch(s->targets[0], kMainBranch, at));
    backups.push_back(r.backup.id);
    return absl::OkStatus();
  }));
  for (BranchId b : backups) {
    PITR_RETURN_IF_ERROR(e->DeleteBranch(b, false).status());
  }
  return absl::OkStatus();
}

void PrintOpRow(const Store& s, const char* op, const OpStats& st,
                const OpStats* ref, size_t n_ops, bool judged) {
  const double p50 = Percentile(st.ns, 0.5) / 1e6;
  const double p99 = Percentile(st.ns, 0.99) / 1e6;
  const double max = Percentile(st.ns, 1.0) / 1e6;
  std::string vs = "     -      -";
  std::string target = "-";
  if (ref != nullptr) {
    const double total = Percentile(st.ns, 0.5) / Percentile(ref->ns, 0.5);
    const double med = MedianPairedRatio(st, *ref);
    vs = absl::StrFormat("%6.2f %6.2f", total, med);
    if (judged && &st != ref) {
      target = absl::StrFormat("p50,p99<=1ms %s,%s; <=%.1fx %s",
                               PassMiss(p50 <= kOpTargetMs),
                               PassMiss(p99 <= kOpTargetMs), kSizeRatioTarget,
                               PassMiss(med <= kSizeRatioTarget));
    } else if (judged) {
      target =
          absl::StrFormat("p50,p99<=1ms %s,%s", PassMiss(p50 <= kOpTargetMs),
                          PassMiss(p99 <= kOpTargetMs));
    }
  }
  const double n = static_cast<double>(std::max<size_t>(n_ops, 1));
  absl::PrintF("%7s | %-7s | %6.3f %6.3f %6.2f | %s | %7.0f %7.0f %7.0f | %s\n",
               MiBString(s.data_mib), op, p50, p99, max, vs,
               st.process.write_bytes / n, st.thread.write_bytes / n,
               st.process.wchar / n, target);
}

absl::Status RunBranchOps(const std::string& scratch,
                          const std::vector<uint64_t>& sizes) {
  const int ops = absl::GetFlag(FLAGS_ops);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  if (ops % rounds != 0) {
    return absl::InvalidArgumentError("--ops must be a multiple of --rounds");
  }
  const int per_round = ops / rounds;
  const std::string pool = RandomPool(32 << 20, 1);
  std::vector<Store> stores(sizes.size());
  absl::PrintF(
      "\n1. Branch operations: one store per data size, all open at once.\n"
      "   Load: 8 KiB page images on main, %d per batch, SyncPolicy::%s; "
      "then Flush and settle\n   (no disk writes for 1.5 s), then "
      "%d branches in all (CreateBranch(main, latest)).\n\n",
      absl::GetFlag(FLAGS_load_batch_pages),
      absl::GetFlag(FLAGS_load_sync) ? "kEveryBatch" : "kNone",
      absl::GetFlag(FLAGS_branches));
  absl::PrintF("%7s | %8s | %7s | %9s | %10s | %8s | %12s | %s\n", "data",
               "pages", "load s", "load MiB/s", "store MiB", "settle s",
               "branches s", "restore point");
  absl::PrintF("%s\n", std::string(96, '-'));
  for (size_t i = 0; i < sizes.size(); ++i) {
    Store& s = stores[i];
    s.data_mib = sizes[i];
    s.dir = absl::StrCat(scratch, "/ops", i);
    const Clock::time_point t0 = Clock::now();
    PITR_RETURN_IF_ERROR(SetUpStore(&s, pool));
    const double all = Seconds(Clock::now() - t0);
    const double branches_s = all - s.load_seconds - s.settle_seconds;
    absl::PrintF("%7s | %8d | %7.1f | %9.0f | %10.1f | %8.1f | %12.1f | %s\n",
                 MiBString(s.data_mib), s.pages, s.load_seconds,
                 s.pages * kPageSize / kMiB / s.load_seconds,
                 s.live_bytes / kMiB, s.settle_seconds, branches_s,
                 FormatLsn(s.restore_lsn));
  }
  // The branch creations may have left memtable or WAL work behind.
  const double settle = Settle();

  for (int round = 0; round < rounds; ++round) {
    for (size_t k = 0; k < stores.size(); ++k) {
      Store& s = stores[(k + round) % stores.size()];
      PITR_RETURN_IF_ERROR(
          BranchRound(&s, round, per_round, round * per_round));
    }
  }
  for (Store& s : stores) PITR_RETURN_IF_ERROR(RepeatedRestores(&s, ops));

  absl::PrintF(
      "\n   settle before the rounds: %.1f s. %d rounds; in each, every store "
      "in turn (order rotated) does\n"
      "   %d creates (CreateBranch(new, main, latest)), %d restores "
      "(RestoreBranch(rNNNNN, main, restore point):\n"
      "   a different branch each time, which becomes a child of main at "
      "the restore point, its old\n"
      "   state a backup branch), then deletes what the round made "
      "(DeleteBranch of the %d new branches\n"
      "   and the %d backups; info only). Latency in ms per operation. "
      "vs %s: p50 / the reference's p50,\n"
      "   total = over all rounds, med = median over rounds of the ratio of "
      "the round's p50s (judged).\n"
      "   Bytes per operation: write_bytes (block layer, page-granular) of "
      "the process and of the calling\n"
      "   thread, wchar (bytes passed to write()) of the process.\n\n",
      settle, rounds, per_round, per_round, per_round, per_round,
      MiBString(sizes[0]));
  absl::PrintF("%7s | %-7s | %-20s | %-13s | %-23s | %s\n", "data", "op",
               "latency ms", "vs smallest", "bytes written per op", "target");
  absl::PrintF("%7s | %-7s | %6s %6s %6s | %6s %6s | %7s %7s %7s |\n", "", "",
               "p50", "p99", "max", "total", "med", "wr_b", "thr wr_b",
               "wchar");
  absl::PrintF("%s\n", std::string(128, '-'));
  const Store& ref = stores[0];
  for (const Store& s : stores) {
    PrintOpRow(s, "create", s.create, &ref.create, s.create.ns.size(), true);
  }
  for (const Store& s : stores) {
    PrintOpRow(s, "restore", s.restore, &ref.restore, s.restore.ns.size(),
               true);
  }
  for (const Store& s : stores) {
    PrintOpRow(s, "delete", s.remove, &ref.remove, s.remove.ns.size(), false);
  }

  absl::PrintF(
      "\n   Diagnostic: branch r00000 restored %d times in a row in each "
      "store (after the rounds, one\n   store after the other). Each "
      "restore names its backup \"r00000_old_<UTC second>[_N]\". "
      "Latency ms.\n\n",
      ops);
  absl::PrintF("%7s | %6s %6s %6s | %-10s %-10s | %8s | %s\n", "data", "p50",
               "p99", "max", "first 10", "last 10", "wr_b/op", "target");
  absl::PrintF("%s\n", std::string(80, '-'));
  for (const Store& s : stores) {
    const std::vector<int64_t>& v = s.repeat.ns;
    const double p50 = Percentile(v, 0.5) / 1e6;
    const double p99 = Percentile(v, 0.99) / 1e6;
    absl::PrintF(
        "%7s | %6.3f %6.3f %6.2f | %6.3f avg %6.3f avg | %8.0f | p50,p99<=1ms "
        "%s,%s\n",
        MiBString(s.data_mib), p50, p99, Percentile(v, 1.0) / 1e6,
        Mean(v, 0, 10) / 1e6,
        Mean(v, v.size() - std::min<size_t>(10, v.size()), v.size()) / 1e6,
        s.repeat.process.write_bytes /
            static_cast<double>(std::max<size_t>(v.size(), 1)),
        PassMiss(p50 <= kOpTargetMs), PassMiss(p99 <= kOpTargetMs));
  }

  absl::PrintF(
      "\n   Creation against the branch count (while setting up each store; "
      "CreateBranch(main, latest),\n   one after the other). Latency ms, "
      "p50 [p99] over each range of existing branches.\n\n");
  const int total = static_cast<int>(stores[0].setup_create_ns.size());
  std::vector<std::pair<int, int>> ranges;
  for (int from : {0, total / 4, total / 2, total - std::min(total, 200)}) {
    const int to = std::min(total, from + 200);
    if (ranges.empty() || ranges.back().first != from) {
      ranges.emplace_back(from, to);
    }
  }
  absl::PrintF("%7s", "data");
  for (auto [from, to] : ranges) {
    absl::PrintF(" | %-19s", absl::StrFormat("%d..%d branches", from + 1, to));
  }
  absl::PrintF("\n%s\n", std::string(7 + 22 * ranges.size(), '-'));
  for (const Store& s : stores) {
    absl::PrintF("%7s", MiBString(s.data_mib));
    for (auto [from, to] : ranges) {
      std::vector<int64_t> v(s.setup_create_ns.begin() + from,
                             s.setup_create_ns.begin() + to);
      absl::PrintF(" | %7.3f [%7.3f]  ", Percentile(v, 0.5) / 1e6,
                   Percentile(v, 0.99) / 1e6);
    }
    absl::PrintF("\n");
  }
  for (Store& s : stores) PITR_RETURN_IF_ERROR(s.engine->Close());
  return absl::OkStatus();
}

// --------------------------------------------------- 2. reads by depth

absl::Status RunDepthReads(const std::string& scratch,
                           const std::vector<int>& depths) {
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const int pages = absl::GetFlag(FLAGS_read_pages);
  const int reads = absl::GetFlag(FLAGS_reads);
  const int per_round = std::max(1, reads / rounds);
  const int max_depth = *std::max_element(depths.begin(), depths.end());
  const std::string pool = RandomPool(4 << 20, 2);

  PITR_ASSIGN_OR_RETURN(
      std::unique_ptr<Engine> e,
      Engine::Open(BenchOptions(absl::StrCat(scratch, "/depth"), true)));
  std::vector<std::string> expected(pages);
  WalBatch batch(kMainTimeline);
  for (int p = 0; p < pages;) {
    batch.Clear();
    for (int i = 0; i < 16 && p < pages; ++i, ++p) {
      MakeImage(pool, 1000 + p, &expected[p]);
      PITR_RETURN_IF_ERROR(
          batch.PutPageImage({kSpace, static_cast<uint32_t>(p)}, expected[p]));
    }
    PITR_RETURN_IF_ERROR(e->Append(kMainBranch, batch).status());
  }
  // chain[d] is the branch at depth d (chain[0] = main).
  std::vector<BranchId> chain = {kMainBranch};
  for (int d = 1; d <= max_depth; ++d) {
    PITR_ASSIGN_OR_RETURN(
        Branch b, e->CreateBranch(absl::StrFormat("d%03d", d), chain.back(),
                                  PointInTime{}));
    chain.push_back(b.id);
  }
  PITR_RETURN_IF_ERROR(e->Flush());
  Settle(absl::Milliseconds(500), absl::Seconds(30));

  // Points: depth 0 (main) and each depth asked for.
  std::vector<int> points = {0};
  for (int d : depths) {
    if (d != 0) points.push_back(d);
  }
  std::vector<OpStats> stats(points.size());
  std::mt19937_64 rng(3);
  std::vector<uint32_t> keys(per_round);
  std::string got;
  bool ok = true;
  for (int round = -1; round < rounds; ++round) {  // -1: warm-up
    for (uint32_t& k : keys) k = static_cast<uint32_t>(rng() % pages);
    for (size_t j = 0; j < points.size(); ++j) {
      const size_t pi =
          (j + static_cast<size_t>(std::max(round, 0))) % points.size();
      const BranchId branch = chain[points[pi]];
      OpStats scratch_stats;
      OpStats* st = round < 0 ? &scratch_stats : &stats[pi];
      PITR_RETURN_IF_ERROR(TimedOps(per_round, st, [&](int i) -> absl::Status {
        absl::StatusOr<std::string> page =
            e->GetPage(branch, {kSpace, keys[i]});
        PITR_RETURN_IF_ERROR(page.status());
        got = *std::move(page);
        return absl::OkStatus();
      }));
      // Checked outside the timed part: the last page of the round, and
      // every page on the warm-up round.
      if (round < 0) {
        for (int p = 0; p < pages; ++p) {
          PITR_ASSIGN_OR_RETURN(
              std::string page,
              e->GetPage(branch, {kSpace, static_cast<uint32_t>(p)}));
          ok &= page == expected[p];
        }
      }
      ok &= got == expected[keys[per_round - 1]];
    }
  }
  const EngineStats es = e->stats();
  PITR_RETURN_IF_ERROR(e->Close());

  absl::PrintF(
      "\n2. Reads through branches: %d page images written on main, then a "
      "chain of %d branches, each\n   from the previous one at its latest "
      "LSN; flushed. GetPage(random page of the set, latest) on the\n"
      "   branch at each depth (0 = main): a read at depth d looks in d+1 "
      "timelines and finds the page on\n   main. %d reads per depth in %d "
      "rounds, depths alternating (order rotated), after a warm-up\n"
      "   round. Latency in us. vs depth %d: p50 ratio, total and median "
      "over rounds (judged).\n"
      "   Pages checked: %s. Deltas applied by all reads: %d.\n\n",
      pages, max_depth, per_round * rounds, rounds, depths[0],
      ok ? "all equal to what was written" : "MISMATCH",
      es.deltas_applied_by_reads);
  absl::PrintF("%5s | %5s | %8s %8s %8s | %-13s | %s\n", "depth", "steps",
               "p50", "p99", "mean", "vs depth 1", "target");
  absl::PrintF("%5s | %5s | %8s %8s %8s | %6s %6s |\n", "", "", "", "", "",
               "total", "med");
  absl::PrintF("%s\n", std::string(72, '-'));
  size_t ref = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i] == depths[0]) ref = i;
  }
  double per_step_us = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    const OpStats& st = stats[i];
    const double total =
        Percentile(st.ns, 0.5) / Percentile(stats[ref].ns, 0.5);
    const double med = MedianPairedRatio(st, stats[ref]);
    std::string target = "-";
    if (points[i] == max_depth && i != ref) {
      target = absl::StrFormat("<=%.1fx %s", kDepthRatioTarget,
                               PassMiss(med <= kDepthRatioTarget));
      per_step_us = (Percentile(st.ns, 0.5) - Percentile(stats[ref].ns, 0.5)) /
                    1e3 / (points[i] - points[ref]);
    }
    absl::PrintF("%5d | %5d | %8.1f %8.1f %8.1f | %6.2f %6.2f | %s\n",
                 points[i], points[i] + 1, Percentile(st.ns, 0.5) / 1e3,
                 Percentile(st.ns, 0.99) / 1e3,
                 Mean(st.ns, 0, st.ns.size()) / 1e3, total, med, target);
  }
  absl::PrintF("   p50 cost per extra level (depth %d vs %d): %.2f us\n",
               max_depth, depths[0], per_step_us);
  if (!ok) return absl::DataLossError("a page read back wrong");
  return absl::OkStatus();
}

// ------------------------------------------------------------------ 3. GC

absl::Status RunGcSection(const std::string& scratch) {
  const uint32_t pages = static_cast<uint32_t>(absl::GetFlag(FLAGS_gc_pages));
  const int versions = absl::GetFlag(FLAGS_gc_versions);
  const int image_pct = absl::GetFlag(FLAGS_gc_image_pct);
  const uint32_t delta_bytes =
      static_cast<uint32_t>(absl::GetFlag(FLAGS_gc_delta_bytes));
  const int keep_rounds = absl::GetFlag(FLAGS_gc_keep_rounds);
  const int batch_pages = absl::GetFlag(FLAGS_load_batch_pages);
  const std::string pool = RandomPool(32 << 20, 4);

  PITR_ASSIGN_OR_RETURN(
      std::unique_ptr<Engine> e,
      Engine::Open(BenchOptions(absl::StrCat(scratch, "/gc"),
                                absl::GetFlag(FLAGS_load_sync))));
  std::vector<std::string> model(pages);
  std::mt19937_64 rng(5);
  uint64_t images = 0, deltas = 0;
  std::vector<Lsn> round_end(versions);
  WalBatch batch(kMainTimeline);
  batch.Reserve(static_cast<size_t>(batch_pages) * (kPageSize + 64));
  std::string image;
  const Clock::time_point churn_start = Clock::now();
  for (int v = 0; v < versions; ++v) {
    for (uint32_t p = 0; p < pages;) {
      batch.Clear();
      for (int i = 0; i < batch_pages && p < pages; ++i, ++p) {
        if (v == 0 || static_cast<int>(rng() % 100) < image_pct) {
          MakeImage(pool, uint64_t{p} * 1000 + v, &model[p]);
          PITR_RETURN_IF_ERROR(batch.PutPageImage({kSpace, p}, model[p]));
          ++images;
        } else {
          const uint32_t offset =
              static_cast<uint32_t>(rng() % (kPageSize - delta_bytes));
          const size_t from = rng() % (pool.size() - delta_bytes);
          const absl::string_view bytes(pool.data() + from, delta_bytes);
          model[p].replace(offset, delta_bytes, bytes.data(), delta_bytes);
          PITR_RETURN_IF_ERROR(batch.PutPageDelta({kSpace, p}, offset, bytes));
          ++deltas;
        }
      }
      PITR_ASSIGN_OR_RETURN(AppendResult r, e->Append(kMainBranch, batch));
      round_end[v] = r.commit_lsn;
    }
  }
  PITR_RETURN_IF_ERROR(e->MaterializePendingImages());
  const double churn_s = Seconds(Clock::now() - churn_start);
  const EngineStats before = e->stats();
  // Keep the last keep_rounds rounds readable.
  const int keep_from = std::max(0, versions - keep_rounds - 1);
  const uint64_t distance = e->latest_lsn() - round_end[keep_from];
  Retention retention;
  retention.lsn_distance = distance;
  PITR_RETURN_IF_ERROR(e->SetRetention(kMainBranch, retention));
  PITR_RETURN_IF_ERROR(e->Flush());
  const double settle_s = Settle();

  const Io io0 = ProcessIo();
  PITR_ASSIGN_OR_RETURN(GcReport report, e->gc().Run(/*compact=*/true));
  const Io io1 = ProcessIo();
  PITR_ASSIGN_OR_RETURN(HistoryBounds bounds, e->GetHistoryBounds(kMainBranch));

  bool ok = true;
  for (uint32_t p = 0; p < pages; ++p) {
    PITR_ASSIGN_OR_RETURN(std::string page,
                          e->GetPage(kMainBranch, {kSpace, p}));
    ok &= page == model[p];
  }
  absl::Status below =
      bounds.oldest_lsn > 0
          ? e->GetPage(kMainBranch, {kSpace, 0}, bounds.oldest_lsn - 1).status()
          : absl::OkStatus();
  PITR_RETURN_IF_ERROR(e->Close());

  const double took = absl::ToDoubleSeconds(report.took);
  const double reclaimed = (static_cast<double>(report.store_bytes_before) -
                            static_cast<double>(report.store_bytes_after)) /
                           kMiB;
  absl::PrintF(
      "\n3. GC: %d pages x %d versions on main (round r writes one version of "
      "every page, %d per batch;\n   version 0 an image, later ones an image "
      "with probability %d%%, else a %d-byte delta): %d images,\n   %d deltas, "
      "%d images materialised by the engine, %.1f s. Retention of main set "
      "to the WAL\n   bytes of the last %d rounds (lsn_distance %d); Flush, "
      "settle %.1f s, then gc().Run(compact=true).\n\n",
      pages, versions, batch_pages, image_pct, delta_bytes, images, deltas,
      before.images_materialized, churn_s, keep_rounds, distance, settle_s);
  absl::PrintF("   versions examined   %10d\n", report.versions_examined);
  absl::PrintF("   versions removed    %10d  (%.1f%%)\n",
               report.versions_removed,
               100.0 * report.versions_removed /
                   std::max<uint64_t>(1, report.versions_examined));
  absl::PrintF("   timelines removed   %10d\n", report.timelines_removed);
  absl::PrintF("   store before        %10.1f MiB\n",
               report.store_bytes_before / kMiB);
  absl::PrintF(
      "   store after         %10.1f MiB  (%.1f MiB reclaimed, "
      "%.1f%%)\n",
      report.store_bytes_after / kMiB, reclaimed,
      100.0 * reclaimed * kMiB /
          std::max<uint64_t>(1, report.store_bytes_before));
  absl::PrintF(
      "   took                %10.2f s  (flush + scan + deletes + "
      "2-pass compaction)\n",
      took);
  absl::PrintF(
      "   throughput          %10.0f versions examined/s, %.0f "
      "removed/s, %.1f MiB/s reclaimed\n",
      report.versions_examined / took, report.versions_removed / took,
      reclaimed / took);
  absl::PrintF(
      "   GC wrote            %10.1f MiB (process write_bytes during "
      "RunGc)\n",
      (io1.write_bytes - io0.write_bytes) / kMiB);
  absl::PrintF("   readable history    lsn %s to %s\n",
               FormatLsn(bounds.oldest_lsn), FormatLsn(bounds.latest_lsn));
  absl::PrintF(
      "   after GC: every page at latest %s; a read below the floor "
      "gives %s\n",
      ok ? "equal to what was written" : "MISMATCH",
      below.ok() ? "OK (!)" : absl::StatusCodeToString(below.code()));
  if (!ok) return absl::DataLossError("a page read back wrong after GC");
  return absl::OkStatus();
}

// ------------------------------------------------------------------ main

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Branch create/restore latency against data size, reads through "
      "branch chains, GC.\n  bazel run -c opt //tools/bench:branch_bench");
  absl::ParseCommandLine(argc, argv);
  spdlog::set_level(spdlog::level::warn);

  absl::StatusOr<std::vector<uint64_t>> sizes =
      ParseList<uint64_t>(absl::GetFlag(FLAGS_data_mib), "data_mib");
  absl::StatusOr<std::vector<int>> depths =
      ParseList<int>(absl::GetFlag(FLAGS_depths), "depths");
  for (const absl::Status& s : {sizes.status(), depths.status()}) {
    if (!s.ok()) {
      absl::FPrintF(stderr, "%s\n", s.ToString());
      return 2;
    }
  }
  if (absl::GetFlag(FLAGS_rounds) < 1 || absl::GetFlag(FLAGS_ops) < 1 ||
      absl::GetFlag(FLAGS_branches) < 1 || absl::GetFlag(FLAGS_reads) < 1 ||
      absl::GetFlag(FLAGS_read_pages) < 1 ||
      absl::GetFlag(FLAGS_load_batch_pages) < 1 ||
      absl::GetFlag(FLAGS_gc_pages) < 1 ||
      absl::GetFlag(FLAGS_gc_versions) < 1 ||
      absl::GetFlag(FLAGS_gc_delta_bytes) < 1 ||
      absl::GetFlag(FLAGS_gc_delta_bytes) >= static_cast<int>(kPageSize)) {
    absl::FPrintF(stderr, "counts and sizes must be positive\n");
    return 2;
  }

  const absl::StatusOr<std::string> made =
      bench::MakeScratchDir(absl::GetFlag(FLAGS_dir), "branch_bench");
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
  absl::PrintF("branch_bench  %s\n",
               absl::FormatTime("%Y-%m-%d %H:%M:%S %Z", absl::Now(),
                                absl::LocalTimeZone()));
  absl::PrintF("  scratch  %s (%s)\n", scratch, FsTypeName(scratch));
  absl::PrintF("  machine  %d cpus, %.1f GiB memory, kernel %s, load %s\n",
               std::thread::hardware_concurrency(), mem_gib, kernel, LoadAvg());
  absl::PrintF(
      "  config   --data_mib=%s --branches=%d --ops=%d --rounds=%d "
      "--depths=%s --reads=%d\n           --gc_pages=%d --gc_versions=%d "
      "--gc_image_pct=%d --gc_keep_rounds=%d\n",
      absl::StrJoin(absl::GetFlag(FLAGS_data_mib), ","),
      absl::GetFlag(FLAGS_branches), absl::GetFlag(FLAGS_ops),
      absl::GetFlag(FLAGS_rounds),
      absl::StrJoin(absl::GetFlag(FLAGS_depths), ","),
      absl::GetFlag(FLAGS_reads), absl::GetFlag(FLAGS_gc_pages),
      absl::GetFlag(FLAGS_gc_versions), absl::GetFlag(FLAGS_gc_image_pct),
      absl::GetFlag(FLAGS_gc_keep_rounds));

  const Clock::time_point start = Clock::now();
  absl::Status status;
  if (absl::GetFlag(FLAGS_branch_ops)) status = RunBranchOps(scratch, *sizes);
  if (status.ok() && absl::GetFlag(FLAGS_depth_reads)) {
    status = RunDepthReads(scratch, *depths);
  }
  if (status.ok() && absl::GetFlag(FLAGS_gc)) status = RunGcSection(scratch);
  return bench::Finish("branch_bench", scratch, false, status, start);
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) { return pitr::Main(argc, argv); }
