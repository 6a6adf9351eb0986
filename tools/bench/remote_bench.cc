// The cost of keeping history in object storage, against one S3 server, in
// one run (figures in docs/performance.md, "Object storage"):
//   1. WAL archive throughput: --archive_mib of WAL (64 MiB segments of
//      batches of 32 random 8 KiB images) archived by a WalArchiver that
//      starts behind, against raw PUTs of the same segment files (the
//      baseline); rounds alternate which goes first.
//   2. Archive lag under a steady ingest of --ingest_mib_per_s through an
//      Engine with the remote: for each batch, the time from its Append
//      returning to the archive holding it; p50 and p99.
//   3. Append latency with archive_sync against the same engine without a
//      remote (local only): one writer, one 8 KiB page per batch.
//   4. Restore from the bucket of stores of --restore_mib (100 and 1024 MiB
//      of distinct pages, a base backup, then 1 MiB more of WAL): the time
//      of RestoreFromRemote plus the replay of Engine::Open, against
//      downloading the same objects (the backup's files and the WAL it
//      fetches) with GetToFile, one after another, as the restore does.
//   5. Incremental base backup: after the first store's backup, 1% of its
//      pages rewritten and flushed, then another backup: the bytes it
//      uploaded against the bytes changed.
// Needs the S3 server: --remote (with --remote_endpoint and credentials as
// pitrd takes them), or, with no --remote, the server of
// tools/dev/s3_server.sh described by `tools/dev/s3_server.sh env`
// (PITR_S3_ENDPOINT, PITR_S3_ACCESS_KEY, PITR_S3_SECRET_KEY, PITR_S3_BUCKET).
// Everything it writes goes under a prefix of its own, deleted at the end.
//   tools/dev/s3_server.sh start
//   eval "$(tools/dev/s3_server.sh env | sed 's/^/export /')"
//   bazel run -c opt //tools/bench:remote_bench
// Not a substitute for the real ingest path's numbers.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "absl/strings/numbers.h"
#include "engine/engine.h"
#include "engine/remote_restore.h"
#include "remote/base_backup.h"
#include "remote/lineage.h"
#include "remote/wal_lineage.h"
#include "remote/generation.h"
#include "remote/open_remote_storage.h"
#include "remote/wal_archiver.h"
#include "tools/bench/bench_remote.h"
#include "tools/bench/bench_util.h"
#include "wal/wal.h"

ABSL_FLAG(int, archive_mib, 256, "1: MiB of WAL archived per round.");
ABSL_FLAG(int, rounds, 3, "1: rounds (raw PUT and archive each).");
ABSL_FLAG(double, ingest_mib_per_s, 16, "2: steady ingest rate.");
ABSL_FLAG(double, lag_seconds, 10, "2: how long the ingest lasts.");
ABSL_FLAG(int, sync_appends, 400, "3: appends per side.");
ABSL_FLAG(std::vector<std::string>, restore_mib,
          std::vector<std::string>({"100", "1024"}),
          "4: sizes of the stores restored, MiB of pages.");
ABSL_FLAG(std::string, dir, "",
          "Parent directory of the scratch directory (a fresh "
          "remote_bench.XXXXXX is made under it and deleted at the end). "
          "Default: $TEST_TMPDIR, else $TMPDIR, else /tmp.");

namespace pitr {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint32_t kPageSize = 8192;

// A storage under `prefix` of `base` (each part of the run writes under its
// own).
class PrefixedStorage : public remote::RemoteStorage {
 public:
  PrefixedStorage(remote::RemoteStorage* base, std::string prefix)
      : base_(base), prefix_(std::move(prefix)) {}
  absl::StatusOr<std::vector<remote::ObjectInfo>> List(
      absl::string_view prefix) override {
    PITR_ASSIGN_OR_RETURN(auto objects,
                          base_->List(absl::StrCat(prefix_, prefix)));
    for (remote::ObjectInfo& o : objects) o.key.erase(0, prefix_.size());
    return objects;
  }
  absl::StatusOr<remote::ObjectInfo> Put(
      absl::string_view key, absl::string_view data,
      const remote::WriteCondition& condition) override {
    return base_->Put(absl::StrCat(prefix_, key), data, condition);
  }
  absl::StatusOr<remote::ObjectInfo> PutFile(
      absl::string_view key, const std::string& path,
      const remote::WriteCondition& condition) override {
    return base_->PutFile(absl::StrCat(prefix_, key), path, condition);
  }
  absl::StatusOr<remote::Object> Get(absl::string_view key) override {
    return base_->Get(absl::StrCat(prefix_, key));
  }
  absl::StatusOr<remote::ObjectInfo> GetToFile(
      absl::string_view key, const std::string& path) override {
    return base_->GetToFile(absl::StrCat(prefix_, key), path);
  }
  absl::StatusOr<std::string> GetRange(absl::string_view key, uint64_t offset,
                                       uint64_t length) override {
    return base_->GetRange(absl::StrCat(prefix_, key), offset, length);
  }
  absl::Status Delete(absl::string_view key) override {
    return base_->Delete(absl::StrCat(prefix_, key));
  }
  absl::Status DeleteBatch(const std::vector<std::string>& keys) override {
    std::vector<std::string> full;
    for (const std::string& k : keys) full.push_back(prefix_ + k);
    return base_->DeleteBatch(full);
  }
  std::string Describe() const override {
    return absl::StrCat(base_->Describe(), prefix_);
  }

 private:
  remote::RemoteStorage* const base_;
  const std::string prefix_;
};

// A random 8 KiB page, different each call.
class Pages {
 public:
  const std::string& Next() {
    for (size_t k = 0; k < page_.size(); k += 8) {
      const uint64_t r = random_();
      page_.replace(k, 8, reinterpret_cast<const char*>(&r), 8);
    }
    return page_;
  }

 private:
  std::mt19937_64 random_{1};
  std::string page_ = std::string(kPageSize, '\0');
};

// A claim callback that records nothing (the bench's logs are throwaway).
absl::StatusOr<remote::Generation> Claim(remote::RemoteStorage* storage) {
  return remote::ClaimGeneration(
      storage, std::nullopt, 0, remote::NewHolder(),
      [](const remote::LocalClaim&) { return absl::OkStatus(); });
}

absl::Status Throughput(remote::RemoteStorage* storage,
                        const std::string& scratch) {
  const int mib = absl::GetFlag(FLAGS_archive_mib);
  WalOptions wal_options;
  wal_options.dir = JoinPath(scratch, "wal");
  wal_options.sync = SyncPolicy::kNone;
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Wal> wal, Wal::Open(wal_options));
  Pages pages;
  while (wal->end_lsn() < static_cast<uint64_t>(mib) << 20) {
    WalBatch batch(kMainTimeline);
    for (uint32_t i = 0; i < 32; ++i) {
      PITR_RETURN_IF_ERROR(batch.PutPageImage({1, i}, pages.Next()));
    }
    PITR_RETURN_IF_ERROR(wal->Append(batch).status());
  }
  const double wal_mib = wal->end_lsn() / 1048576.0;
  absl::PrintF(
      "1. WAL archive throughput: %.0f MiB of WAL in %d segments; raw = "
      "PutFile of the same segment files, archive = a WalArchiver started "
      "with nothing archived, until it holds the whole log.\n\n",
      wal_mib, static_cast<int>(wal->Segments().size()));
  absl::PrintF("round | raw PUT MiB/s | archive MiB/s | archive/raw\n");
  std::vector<double> ratios;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    double raw_s = 0, archive_s = 0;
    for (int side = 0; side < 2; ++side) {
      const bool raw = (side == 0) == (round % 2 == 0);
      const std::string prefix = absl::StrCat("round", round, raw ? "raw/" : "arch/");
      PrefixedStorage under(storage, prefix);
      const Clock::time_point start = Clock::now();
      if (raw) {
        int n = 0;
        for (const Wal::Segment& s : wal->Segments()) {
          PITR_RETURN_IF_ERROR(
              under.PutFile(absl::StrCat("segment", n++), s.path,
                            remote::WriteCondition::None())
                  .status());
        }
        raw_s = bench::Seconds(Clock::now() - start);
      } else {
        PITR_ASSIGN_OR_RETURN(remote::Generation g, Claim(&under));
        remote::WalArchiverOptions options;
        options.generation = g.number;
        options.delay = absl::Hours(1);
        PITR_ASSIGN_OR_RETURN(std::unique_ptr<remote::WalArchiver> archiver,
                              remote::WalArchiver::Start(&under, wal.get(),
                                                         options));
        PITR_RETURN_IF_ERROR(archiver->WaitArchived(
            wal->end_lsn(), absl::Now() + absl::Hours(1)));
        archive_s = bench::Seconds(Clock::now() - start);
      }
      PITR_RETURN_IF_ERROR(bench::DeleteAll(storage, prefix));
    }
    ratios.push_back(raw_s / archive_s);
    absl::PrintF("%5d | %13.1f | %13.1f | %.2f\n", round, wal_mib / raw_s,
                 wal_mib / archive_s, raw_s / archive_s);
  }
  std::sort(ratios.begin(), ratios.end());
  const double median = ratios[ratios.size() / 2];
  absl::PrintF("median archive/raw %.2f (target >= 0.8: %s)\n\n", median,
               median >= 0.8 ? "PASS" : "MISS");
  return absl::OkStatus();
}

EngineOptions StoreOptions(const std::string& dir) {
  EngineOptions options;
  options.dir = dir;
  options.page_size = kPageSize;
  options.gc_period = absl::InfiniteDuration();
  return options;
}

absl::Status Lag(remote::RemoteStorage* storage, const std::string& scratch) {
  PrefixedStorage under(storage, "lag/");
  EngineOptions options = StoreOptions(JoinPath(scratch, "lag"));
  options.remote = &under;
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(options));
  const double rate = absl::GetFlag(FLAGS_ingest_mib_per_s) * 1048576.0;
  constexpr int kPagesPerBatch = 4;
  const absl::Duration every = absl::Seconds(kPagesPerBatch * kPageSize / rate);
  const absl::Time end = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_lag_seconds));
  // A watcher notes how far the archive is, every 2 ms, while the writer
  // appends at the rate.
  std::vector<std::pair<Lsn, Clock::time_point>> archived;
  std::atomic<bool> writing{true};
  std::thread watcher([&] {
    while (true) {
      const bool last = !writing.load();
      archived.emplace_back(engine->stats().archive.archived_lsn,
                            Clock::now());
      if (last && archived.back().first >= engine->latest_lsn()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  std::vector<std::pair<Lsn, Clock::time_point>> committed;
  Pages pages;
  absl::Time next = absl::Now();
  absl::Status status;
  while (status.ok() && absl::Now() < end) {
    absl::StatusOr<WalBatch> batch = engine->NewBatch(kMainBranch);
    status = batch.status();
    for (uint32_t i = 0; status.ok() && i < kPagesPerBatch; ++i) {
      status = batch->PutPageImage({1, i}, pages.Next());
    }
    if (!status.ok()) break;
    absl::StatusOr<AppendResult> r = engine->Append(kMainBranch, *batch);
    status = r.status();
    if (!status.ok()) break;
    committed.emplace_back(r->commit_lsn, Clock::now());
    next += every;
    absl::SleepFor(next - absl::Now());
  }
  writing = false;
  watcher.join();
  PITR_RETURN_IF_ERROR(status);
  // Each batch reached the bucket at the first note that covers it.
  std::vector<int64_t> lag_us;
  size_t at = 0;
  for (const auto& [lsn, appended] : committed) {
    while (archived[at].first < lsn) ++at;
    lag_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
                         archived[at].second - appended)
                         .count());
  }
  PITR_RETURN_IF_ERROR(engine->Close());
  PITR_RETURN_IF_ERROR(bench::DeleteAll(storage, "lag/"));
  absl::PrintF(
      "2. Archive lag under a steady ingest of %.1f MiB/s for %.0f s (%zu "
      "batches of %d pages, --archive_delay 1s): time from Append returning "
      "to the archive holding the batch.\n"
      "   p50 %.0f ms, p99 %.0f ms, max %.0f ms\n\n",
      rate / 1048576.0, absl::GetFlag(FLAGS_lag_seconds), committed.size(),
      kPagesPerBatch, bench::Percentile(lag_us, 0.5) / 1000.0,
      bench::Percentile(lag_us, 0.99) / 1000.0,
      bench::Percentile(lag_us, 1.0) / 1000.0);
  return absl::OkStatus();
}

absl::Status SyncLatency(remote::RemoteStorage* storage,
                         const std::string& scratch) {
  PrefixedStorage under(storage, "sync/");
  std::map<std::string, std::vector<int64_t>> latency_us;
  for (const bool sync : {false, true}) {
    EngineOptions options =
        StoreOptions(JoinPath(scratch, sync ? "sync" : "local"));
    if (sync) {
      options.remote = &under;
      options.archive_sync = true;
    }
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine,
                          Engine::Open(options));
    Pages pages;
    std::vector<int64_t>& us = latency_us[sync ? "sync" : "local"];
    for (int i = 0; i < absl::GetFlag(FLAGS_sync_appends); ++i) {
      PITR_ASSIGN_OR_RETURN(WalBatch batch, engine->NewBatch(kMainBranch));
      PITR_RETURN_IF_ERROR(batch.PutPageImage({1, 0}, pages.Next()));
      const Clock::time_point start = Clock::now();
      PITR_RETURN_IF_ERROR(engine->Append(kMainBranch, batch).status());
      us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
                       Clock::now() - start)
                       .count());
    }
    PITR_RETURN_IF_ERROR(engine->Close());
  }
  PITR_RETURN_IF_ERROR(bench::DeleteAll(storage, "sync/"));
  const std::vector<int64_t>& local = latency_us["local"];
  const std::vector<int64_t>& sync = latency_us["sync"];
  absl::PrintF(
      "3. Append latency, one writer, one 8 KiB page per batch (%d appends "
      "each): local only (fdatasync) against --archive_sync (fdatasync, then "
      "an upload).\n"
      "   local:        p50 %.2f ms, p99 %.2f ms\n"
      "   archive_sync: p50 %.2f ms, p99 %.2f ms (p50 %.1f x local)\n",
      absl::GetFlag(FLAGS_sync_appends), bench::Percentile(local, 0.5) / 1e3,
      bench::Percentile(local, 0.99) / 1e3, bench::Percentile(sync, 0.5) / 1e3,
      bench::Percentile(sync, 0.99) / 1e3,
      bench::Percentile(sync, 0.5) / bench::Percentile(local, 0.5));
  return absl::OkStatus();
}

// Writes `pages` distinct pages to main, 32 to a batch.
absl::Status WritePages(Engine* engine, uint64_t pages, uint32_t first_page,
                        Pages* content) {
  for (uint64_t done = 0; done < pages;) {
    PITR_ASSIGN_OR_RETURN(WalBatch batch, engine->NewBatch(kMainBranch));
    for (int i = 0; i < 32 && done < pages; ++i, ++done) {
      PITR_RETURN_IF_ERROR(batch.PutPageImage(
          {1, static_cast<uint32_t>(first_page + done)}, content->Next()));
    }
    PITR_RETURN_IF_ERROR(engine->Append(kMainBranch, batch).status());
  }
  return absl::OkStatus();
}

// Downloads what a restore from `backup` downloads: its files and the WAL
// pieces from its applied LSN on. Returns the bytes.
absl::StatusOr<uint64_t> DownloadLikeARestore(
    remote::RemoteStorage* storage, const remote::BackupManifest& backup,
    const std::string& dir) {
  uint64_t bytes = 0;
  int n = 0;
  for (const remote::BackupFile& file : backup.files) {
    PITR_ASSIGN_OR_RETURN(
        remote::ObjectInfo got,
        storage->GetToFile(file.key, JoinPath(dir, absl::StrCat(n++))));
    bytes += got.size;
  }
  // FetchWal's objects: every piece of the segment holding the applied LSN
  // (from its header) and of the later ones.
  PITR_ASSIGN_OR_RETURN(auto pieces,
                        remote::PiecesOfLineage(storage, backup.generation));
  for (auto it = std::prev(pieces.upper_bound(backup.applied_lsn));
       it != pieces.end(); ++it) {
    for (const remote::WalPiece& piece : remote::SegmentChain(it->second)) {
      PITR_ASSIGN_OR_RETURN(
          remote::ObjectInfo got,
          storage->GetToFile(remote::WalPieceKey(piece),
                             JoinPath(dir, absl::StrCat(n++))));
      bytes += got.size;
    }
  }
  return bytes;
}

absl::Status Restores(remote::RemoteStorage* storage,
                      const std::string& scratch) {
  absl::PrintF(
      "4. Restore from the bucket (RestoreFromRemote and the replay of "
      "Engine::Open) against downloading the same objects one by one.\n");
  bool first = true;
  std::string incremental;  // part 5's line, printed after part 4
  for (const std::string& size : absl::GetFlag(FLAGS_restore_mib)) {
    uint64_t mib = 0;
    if (!absl::SimpleAtoi(size, &mib) || mib == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--restore_mib: \"", size, "\" is not a size in MiB"));
    }
    const std::string name = absl::StrCat("restore", mib);
    PrefixedStorage under(storage, name + "/");
    EngineOptions options = StoreOptions(JoinPath(scratch, name));
    options.remote = &under;
    options.backup_every = absl::ZeroDuration();
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine,
                          Engine::Open(options));
    Pages content;
    const uint64_t pages = mib * 1048576 / kPageSize;
    PITR_RETURN_IF_ERROR(WritePages(engine.get(), pages, 0, &content));
    PITR_RETURN_IF_ERROR(engine->Flush());
    PITR_ASSIGN_OR_RETURN(remote::BackupManifest backup,
                          engine->backups().Create());
    // 1 MiB more: a restore replays it from the archive.
    PITR_RETURN_IF_ERROR(WritePages(engine.get(), 128, 0, &content));
    if (first) {
      // 5. The incremental backup, on the first store.
      const uint64_t changed_pages = pages / 100;
      PITR_RETURN_IF_ERROR(
          WritePages(engine.get(), changed_pages, 1000, &content));
      PITR_RETURN_IF_ERROR(engine->Flush());
      PITR_ASSIGN_OR_RETURN(remote::BackupManifest second,
                            engine->backups().Create());
      const uint64_t changed = (changed_pages + 128) * kPageSize;
      incremental = absl::StrFormat(
          "5. Incremental base backup of the %d MiB store after %d pages "
          "(1%% and the 1 MiB above, %.1f MiB) were rewritten: it uploaded "
          "%.1f MiB of %.1f MiB, %.2f x the changed bytes (target <= 3): %s\n",
          mib, changed_pages + 128, changed / 1048576.0,
          second.new_bytes / 1048576.0, second.total_bytes() / 1048576.0,
          static_cast<double>(second.new_bytes) / changed,
          second.new_bytes <= 3 * changed ? "PASS" : "MISS");
      backup = second;
    }
    PITR_RETURN_IF_ERROR(engine->Close());
    engine.reset();

    const std::string download = JoinPath(scratch, name + "_download");
    PITR_RETURN_IF_ERROR(FileSystem::Default()->CreateDirs(download));
    absl::Time start = absl::Now();
    PITR_ASSIGN_OR_RETURN(uint64_t bytes,
                          DownloadLikeARestore(&under, backup, download));
    const absl::Duration download_took = absl::Now() - start;

    RemoteRestoreOptions restore;
    restore.detached = true;
    start = absl::Now();
    PITR_ASSIGN_OR_RETURN(
        RemoteRestoreReport report,
        RestoreFromRemote(&under, JoinPath(scratch, name + "_restored"),
                          restore));
    PITR_ASSIGN_OR_RETURN(
        std::unique_ptr<Engine> restored,
        Engine::Open(StoreOptions(JoinPath(scratch, name + "_restored"))));
    const absl::Duration restore_took = absl::Now() - start;
    PITR_RETURN_IF_ERROR(restored->Close());
    const double ratio = absl::FDivDuration(restore_took, download_took);
    absl::PrintF(
        "   %4d MiB store: restore %.2f s (to lsn %s, %.1f MiB of backup, "
        "%.1f MiB of WAL), download of the same %.1f MiB %.2f s: %.2f x "
        "(target <= 1.5): %s\n",
        mib, absl::ToDoubleSeconds(restore_took), FormatLsn(report.lsn),
        report.backup.total_bytes() / 1048576.0, report.wal_bytes / 1048576.0,
        bytes / 1048576.0, absl::ToDoubleSeconds(download_took), ratio,
        ratio <= 1.5 ? "PASS" : "MISS");
    PITR_RETURN_IF_ERROR(bench::DeleteAll(storage, name + "/"));
    first = false;
  }
  absl::PrintF("\n%s", incremental);
  return absl::OkStatus();
}

absl::Status Run(const std::string& scratch) {
  PITR_ASSIGN_OR_RETURN(
      bench::BenchRemote where,
      bench::BenchRemoteFor("remote_bench"));
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<remote::RemoteStorage> storage,
                        remote::OpenRemoteStorage(where.url, where.options));
  absl::PrintF("remote %s\n\n", storage->Describe());
  PITR_RETURN_IF_ERROR(Throughput(storage.get(), scratch));
  PITR_RETURN_IF_ERROR(Lag(storage.get(), scratch));
  PITR_RETURN_IF_ERROR(SyncLatency(storage.get(), scratch));
  absl::PrintF("\n");
  return Restores(storage.get(), scratch);
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const auto start = std::chrono::steady_clock::now();
  const absl::StatusOr<std::string> scratch =
      pitr::bench::MakeScratchDir(absl::GetFlag(FLAGS_dir), "remote_bench");
  if (!scratch.ok()) {
    std::fprintf(stderr, "%s\n", scratch.status().ToString().c_str());
    return 1;
  }
  std::printf("scratch %s (%s), load %s\n", scratch->c_str(),
              pitr::bench::FsTypeName(*scratch).c_str(),
              pitr::bench::LoadAvg().c_str());
  return pitr::bench::Finish("remote_bench", *scratch, /*keep=*/false,
                             pitr::Run(*scratch), start);
}
