// history_edit_bench: what the everyday edits and views of history cost
// against the size of the store: deleting a restore's backup (and what GC
// then reclaims of the old future), a diff of a few changed pages between
// two points, and an incremental dump of those changes. One run, one
// machine.
//
//   bazel run -c opt //tools/bench:history_edit_bench [-- --data_mib=1,1024]
//
// For each --data_mib (default 1 and 1024), a fresh store: that many MiB of
// random 8 KiB page images on main (SyncPolicy::kNone, 64 pages a batch),
// then the "old future": --future_pct % of the pages written again. main is
// restored to the end of the first load, which makes a backup branch of
// the old state; the store is flushed and compacted, and then:
//   delete: main is restored to the same point --backups - 1 times more
//           (each restore's backup holds nothing of its own), and every
//           backup is deleted, the one with the old future first, each
//           DeleteBranch timed (a catalog change: its cost should not
//           depend on the data);
//   GC:     RunGc(compact=true): its report, and the store's size before
//           and after against the old future's bytes (what the rewrite
//           added to the store), which GC should reclaim whole;
//   diff:   --diff_pages pages changed on main in one batch, then
//           DiffPages(main before, main after), --diffs times; p50 and p99,
//           and the ratio of p50s to the first store's;
//   dump:   ExportBranch(main after, since main before) into a counting
//           sink, --diffs times (p50 and p99, bytes), against one full
//           export of main at the same point (time and bytes).
// Everything is written under a fresh directory under --dir, deleted at the
// end.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "engine/engine.h"
#include "spdlog/spdlog.h"
#include "tools/bench/bench_util.h"

ABSL_FLAG(std::string, dir, "",
          "Parent directory of the scratch directory (a fresh "
          "history_edit_bench.XXXXXX is made under it and deleted at the "
          "end). Default: $TEST_TMPDIR, else $TMPDIR, else /tmp.");
ABSL_FLAG(std::vector<std::string>, data_mib,
          std::vector<std::string>({"1", "1024"}),
          "Store sizes in MiB of page images on main, one store each.");
ABSL_FLAG(int, future_pct, 25,
          "Percent of the pages written again after the restore point.");
ABSL_FLAG(int, backups, 20, "Restore backups made and deleted per store.");
ABSL_FLAG(int, diff_pages, 10, "Pages changed between the diffed points.");
ABSL_FLAG(int, diffs, 200, "Timed diffs per store.");

namespace pitr {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint32_t kPageSize = 8192;
constexpr uint32_t kSpace = 1;
constexpr int kBatchPages = 64;
constexpr double kMiB = 1 << 20;

struct Row {
  uint64_t data_mib = 0;
  double future_mib = 0;           // what the rewrite added to the store
  std::vector<int64_t> delete_ns;  // the old future's backup first
  GcReport gc;
  double before_mib = 0, after_mib = 0;
  std::vector<int64_t> diff_ns;
  uint64_t diff_found = 0;
  std::vector<int64_t> incremental_ns;
  uint64_t incremental_bytes = 0;
  int64_t full_ns = 0;
  uint64_t full_bytes = 0;
};

// Nanoseconds since `start`.
int64_t Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() -
                                                              start)
      .count();
}

// Exports main at `at` (changes since `since`, if set) into a sink that
// only counts; its size.
absl::StatusOr<uint64_t> ExportSize(Engine* engine, Lsn at,
                                    std::optional<Lsn> since) {
  std::optional<PointInTime> base;
  if (since) base = PointInTime{*since, std::nullopt};
  PITR_ASSIGN_OR_RETURN(
      ExportSummary summary,
      engine->ExportBranch(
          kMainBranch, {at, std::nullopt},
          [](absl::string_view) { return absl::OkStatus(); }, nullptr, base));
  return summary.bytes;
}

// Images of pages [first, end) on main, from `pool` offset by `salt`.
absl::StatusOr<Lsn> WritePages(Engine* engine, const std::string& pool,
                               uint32_t first, uint32_t end, uint64_t salt) {
  Lsn last = 0;
  for (uint32_t p = first; p < end;) {
    PITR_ASSIGN_OR_RETURN(WalBatch batch, engine->NewBatch(kMainBranch));
    for (int i = 0; i < kBatchPages && p < end; ++i, ++p) {
      const size_t at = ((p + salt) * 4099) % (pool.size() - kPageSize);
      PITR_RETURN_IF_ERROR(
          batch.PutPageImage({kSpace, p}, pool.substr(at, kPageSize)));
    }
    PITR_ASSIGN_OR_RETURN(AppendResult r, engine->Append(kMainBranch, batch));
    last = r.commit_lsn;
  }
  return last;
}

absl::Status Measure(const std::string& dir, const std::string& pool,
                     Row* row) {
  EngineOptions options;
  options.dir = dir;
  options.sync = SyncPolicy::kNone;
  options.gc_period = absl::InfiniteDuration();
  options.default_retention = Retention{};  // keep all: only the delete frees
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(options));
  const uint32_t pages =
      static_cast<uint32_t>(row->data_mib * kMiB / kPageSize);
  PITR_ASSIGN_OR_RETURN(const Lsn loaded,
                        WritePages(engine.get(), pool, 0, pages, 0));
  PITR_RETURN_IF_ERROR(engine->Flush());
  PITR_RETURN_IF_ERROR(engine->gc().Run(true).status());  // compacts
  const uint64_t base_bytes = engine->stats().store_bytes;
  const uint32_t rewritten = std::max<uint32_t>(
      1, pages * static_cast<uint32_t>(absl::GetFlag(FLAGS_future_pct)) / 100);
  PITR_RETURN_IF_ERROR(
      WritePages(engine.get(), pool, 0, rewritten, 7).status());
  std::vector<BranchId> backups;
  for (int i = 0; i < absl::GetFlag(FLAGS_backups); ++i) {
    PITR_ASSIGN_OR_RETURN(Catalog::Restored restored,
                          engine->RestoreBranch(kMainBranch, kMainBranch,
                                                {loaded, std::nullopt}));
    backups.push_back(restored.backup.id);
  }
  PITR_RETURN_IF_ERROR(engine->Flush());
  PITR_RETURN_IF_ERROR(engine->gc().Run(true).status());
  const uint64_t with_future = engine->stats().store_bytes;
  row->future_mib = (with_future - base_bytes) / kMiB;
  row->before_mib = with_future / kMiB;

  for (BranchId backup : backups) {
    const Clock::time_point t0 = Clock::now();
    PITR_RETURN_IF_ERROR(engine->DeleteBranch(backup, false).status());
    row->delete_ns.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0)
            .count());
  }
  PITR_ASSIGN_OR_RETURN(row->gc, engine->gc().Run(true));
  row->after_mib = engine->stats().store_bytes / kMiB;

  const Lsn before = engine->latest_lsn();
  const int changed = absl::GetFlag(FLAGS_diff_pages);
  PITR_RETURN_IF_ERROR(
      WritePages(engine.get(), pool, pages / 3,
                 std::min<uint32_t>(pages, pages / 3 + changed), 11)
          .status());
  PITR_RETURN_IF_ERROR(engine->Flush());
  const Lsn after = engine->latest_lsn();
  for (int i = 0; i < absl::GetFlag(FLAGS_diffs); ++i) {
    uint64_t found = 0;
    const Clock::time_point start = Clock::now();
    PITR_ASSIGN_OR_RETURN(DiffSummary summary,
                          engine->DiffPages(kMainBranch, {before, std::nullopt},
                                            kMainBranch, {after, std::nullopt},
                                            false, [&found](const PageDiff&) {
                                              ++found;
                                              return absl::OkStatus();
                                            }));
    row->diff_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                               Clock::now() - start)
                               .count());
    row->diff_found = found;
    if (summary.pages_compared != found) {
      return absl::InternalError(
          absl::StrFormat("the diff compared %d pages and found %d changed",
                          summary.pages_compared, found));
    }
  }
  for (int i = 0; i < absl::GetFlag(FLAGS_diffs); ++i) {
    const Clock::time_point start = Clock::now();
    PITR_ASSIGN_OR_RETURN(row->incremental_bytes,
                          ExportSize(engine.get(), after, before));
    row->incremental_ns.push_back(Since(start));
  }
  const Clock::time_point start = Clock::now();
  PITR_ASSIGN_OR_RETURN(row->full_bytes,
                        ExportSize(engine.get(), after, std::nullopt));
  row->full_ns = Since(start);
  return engine->Close();
}

absl::Status Run(const std::string& scratch) {
  PITR_ASSIGN_OR_RETURN(
      std::vector<uint64_t> sizes,
      bench::ParseList<uint64_t>(absl::GetFlag(FLAGS_data_mib), "data_mib"));
  const std::string pool = bench::RandomPool(32 << 20, 3);
  std::vector<Row> rows;
  for (size_t i = 0; i < sizes.size(); ++i) {
    Row row;
    row.data_mib = sizes[i];
    PITR_RETURN_IF_ERROR(
        Measure(absl::StrFormat("%s/store%d", scratch, i), pool, &row));
    rows.push_back(std::move(row));
  }
  absl::PrintF(
      "\nDeleting a restore's backup, then GC (compact). old future = what "
      "the %d%% rewrite after the\nrestore point added to the store.\n\n",
      absl::GetFlag(FLAGS_future_pct));
  absl::PrintF("%8s | %-27s | %10s | %9s | %10s %10s | %12s\n", "data MiB",
               "delete ms: first p50 max", "old future", "versions",
               "store MiB", "after", "reclaimed");
  absl::PrintF("%s\n", std::string(104, '-'));
  for (const Row& r : rows) {
    absl::PrintF(
        "%8d | %8.3f %8.3f %8.3f  | %8.1f M | %9d | %10.1f %10.1f | %8.1f "
        "MiB\n",
        r.data_mib, r.delete_ns[0] / 1e6,
        bench::Percentile(r.delete_ns, 0.5) / 1e6,
        bench::Percentile(r.delete_ns, 1.0) / 1e6, r.future_mib,
        r.gc.versions_removed, r.before_mib, r.after_mib,
        r.before_mib - r.after_mib);
  }
  absl::PrintF(
      "\nDiffPages between two points of main %d changed pages apart, %d "
      "times per store.\n\n",
      absl::GetFlag(FLAGS_diff_pages), absl::GetFlag(FLAGS_diffs));
  absl::PrintF("%8s | %5s | %9s %9s | %s\n", "data MiB", "found", "p50 ms",
               "p99 ms", "p50 vs first store");
  absl::PrintF("%s\n", std::string(60, '-'));
  for (const Row& r : rows) {
    absl::PrintF("%8d | %5d | %9.3f %9.3f | %.2f\n", r.data_mib, r.diff_found,
                 bench::Percentile(r.diff_ns, 0.5) / 1e6,
                 bench::Percentile(r.diff_ns, 0.99) / 1e6,
                 bench::Percentile(r.diff_ns, 0.5) /
                     bench::Percentile(rows[0].diff_ns, 0.5));
  }
  absl::PrintF(
      "\nAn incremental dump of those changes (ExportBranch since the first "
      "point), %d times per\nstore, and one full dump of main at the same "
      "point.\n\n",
      absl::GetFlag(FLAGS_diffs));
  absl::PrintF("%8s | %9s %9s %10s | %10s %12s | %s\n", "data MiB", "p50 ms",
               "p99 ms", "bytes", "full ms", "full bytes",
               "p50 vs first store");
  absl::PrintF("%s\n", std::string(90, '-'));
  for (const Row& r : rows) {
    absl::PrintF("%8d | %9.3f %9.3f %10d | %10.1f %12d | %.2f\n", r.data_mib,
                 bench::Percentile(r.incremental_ns, 0.5) / 1e6,
                 bench::Percentile(r.incremental_ns, 0.99) / 1e6,
                 r.incremental_bytes, r.full_ns / 1e6, r.full_bytes,
                 bench::Percentile(r.incremental_ns, 0.5) /
                     bench::Percentile(rows[0].incremental_ns, 0.5));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::string> scratch = pitr::bench::MakeScratchDir(
      absl::GetFlag(FLAGS_dir), "history_edit_bench");
  if (!scratch.ok()) {
    std::fprintf(stderr, "%s\n", scratch.status().ToString().c_str());
    return 1;
  }
  return pitr::bench::Finish("history_edit_bench", *scratch, false,
                             pitr::Run(*scratch), start);
}
