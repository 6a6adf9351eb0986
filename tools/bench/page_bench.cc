// page_bench: what pitr's page store costs, measured in one run on one data
// set, against a plain RocksDB on the same disk.
//
//   bazel run -c opt //tools/bench:page_bench [-- --dir=/path --data_mib=1024]
//
// 1. Load. --data_mib of 8 KiB page images (random content, one version per
//    page, pages in random order) are appended to an Engine in a fresh
//    directory, --batch_pages per batch, with default EngineOptions
//    (background flushing on, SyncPolicy::kEveryBatch, blob files on).
//    Ingest MiB/s is page bytes / time of the Append loop. Write
//    amplification is the bytes the process wrote to disk (/proc/self/io
//    write_bytes: the WAL, RocksDB flushes, compactions and blob files, all
//    of it) from open until the store is flushed and quiet, divided by the
//    WAL bytes appended (WalStats::bytes). The same load goes into a second
//    store with EngineOptions::blob_files = false, and into a plain RocksDB
//    (the read baseline: same 8 KiB values under 16-byte keys, default
//    options, its own WAL off, a block cache of the same size).
// 2. Reads at the latest LSN. Random pages of the loaded set (uniform, the
//    same key sequence for every store), one thread: GetPage against
//    DB::Get. The stores are flushed and compactions finished first, so
//    every read goes to SST/blob files through the cache. Rounds alternate
//    the stores (order rotated every round) after an unmeasured warm-up.
// 3. History depth. Four sets of --history_pages pages with 1, 10, 100 and
//    1000 versions each are appended to the first store (batches of
//    --batch_pages records, each round giving every page of a set one new
//    version, in random order). Each version after the first is a
//    --delta_bytes delta, or with probability --history_image_pct % a full
//    page image; the engine materialises an image after every
//    image_after_deltas deltas (default). MaterializePendingImages(), then a
//    flush, then reads: at the latest LSN, at random LSNs of the page's
//    history, and (1000-version set) at the LSN of the page's oldest
//    version, 999 versions behind its latest.
//
// Every page read is checked against what was written (outside the timed
// part). Everything is written to a fresh directory under --dir, deleted at
// the end.
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
#include <fstream>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "engine/engine.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "spdlog/spdlog.h"
#include "tools/bench/bench_util.h"
#include "wal/batch.h"

ABSL_FLAG(std::string, dir, "",
          "Parent directory of the scratch directory (a fresh "
          "page_bench.XXXXXX is made under it and deleted at the end). "
          "Default: $TEST_TMPDIR, else $TMPDIR, else /tmp.");
ABSL_FLAG(uint64_t, data_mib, 1024,
          "Page images loaded (sections 1 and 2), in MiB of 8 KiB pages.");
ABSL_FLAG(int, batch_pages, 32, "Records per appended batch.");
ABSL_FLAG(uint64_t, cache_mib, 256,
          "EngineOptions::cache_bytes, and the raw RocksDB's block cache.");
ABSL_FLAG(uint64_t, hot_page_mib, pitr::EngineOptions().hot_page_bytes >> 20,
          "EngineOptions::hot_page_bytes (engine/hot_pages.h) of the stores.");
ABSL_FLAG(bool, sequential, false,
          "Load pages in page order instead of a random permutation.");
ABSL_FLAG(bool, no_blob_store, true,
          "Also load a store with EngineOptions::blob_files = false.");
ABSL_FLAG(uint64_t, reads, 200000,
          "Measured reads per store in section 2, split over --rounds.");
ABSL_FLAG(int, rounds, 4, "Rounds per read point; stores alternate.");
ABSL_FLAG(uint32_t, history_pages, 1000, "Pages per history set.");
ABSL_FLAG(uint64_t, history_reads, 40000,
          "Measured reads per history point, split over --rounds.");
ABSL_FLAG(uint32_t, delta_bytes, 128, "Size of each history delta.");
ABSL_FLAG(double, history_image_pct, 2.0,
          "Share of history versions (after the first) that are full page "
          "images, in percent; the rest are deltas.");
ABSL_FLAG(bool, history, true, "Run section 3.");
ABSL_FLAG(bool, keep, false,
          "Keep the scratch directory instead of deleting it.");

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
constexpr uint32_t kLoadSpace = 1;
constexpr uint32_t kHistorySpaceBase = 100;
constexpr uint32_t kDepths[] = {1, 10, 100, 1000};
constexpr uint32_t kBackVersions = 999;  // oldest of 1000
// Targets (docs/performance.md).
constexpr double kWriteAmpTarget = 3.0;
constexpr double kReadRatioTarget = 1.5;
constexpr double kHistoryRatioTarget = 2.0;

// ---------------------------------------------------------------- helpers

// The image of page `page` of the loaded set: a slice of the pool, stamped
// with the page number so that no two pages are equal.
void LoadImage(const std::string& pool, uint32_t page, std::string* out) {
  const size_t slots = (pool.size() - kPageSize) / 8;
  const size_t at = (static_cast<uint64_t>(page) * 4099 % slots) * 8;
  out->assign(pool.data() + at, kPageSize);
  std::memcpy(out->data(), &page, sizeof(page));
}

struct IoCounters {
  uint64_t write_bytes = 0;
  uint64_t cancelled_write_bytes = 0;
};

IoCounters ReadIo() {
  IoCounters io;
  std::ifstream in("/proc/self/io");
  std::string name;
  uint64_t value;
  while (in >> name >> value) {
    if (name == "write_bytes:") io.write_bytes = value;
    if (name == "cancelled_write_bytes:") io.cancelled_write_bytes = value;
  }
  return io;
}

// write_bytes per kind of thread: the appending thread (here the main
// thread, which does the WAL's writes: it is the group commit leader),
// RocksDB's flush threads ("rocksdb:high"), its compaction threads
// ("rocksdb:low"), and the rest (other threads, and threads that exited).
struct WriteSplit {
  uint64_t total = 0, appender = 0, flush = 0, compaction = 0;
  uint64_t other() const { return total - appender - flush - compaction; }
};

WriteSplit ReadSplit() {
  WriteSplit split;
  split.total = ReadIo().write_bytes;
  const std::string self = std::to_string(::getpid());
  std::error_code ec;
  for (const auto& e :
       std::filesystem::directory_iterator("/proc/self/task", ec)) {
    const std::string tid = e.path().filename().string();
    std::string comm;
    std::ifstream(e.path() / "comm") >> comm;
    uint64_t write_bytes = 0;
    std::ifstream io(e.path() / "io");
    std::string name;
    uint64_t value;
    while (io >> name >> value) {
      if (name == "write_bytes:") write_bytes = value;
    }
    if (tid == self) {
      split.appender += write_bytes;
    } else if (comm.rfind("rocksdb:high", 0) == 0) {
      split.flush += write_bytes;
    } else if (comm.rfind("rocksdb:low", 0) == 0) {
      split.compaction += write_bytes;
    }
  }
  return split;
}

WriteSplit operator-(const WriteSplit& a, const WriteSplit& b) {
  return {a.total - b.total, a.appender - b.appender, a.flush - b.flush,
          a.compaction - b.compaction};
}

struct IoSnapshot {
  IoCounters io;
  WriteSplit split;
};

IoSnapshot Snapshot() { return {ReadIo(), ReadSplit()}; }

// Waits until the process has written nothing for `quiet` (flushes and
// compactions are done), at most `limit`. Returns the time waited.
double Settle(absl::Duration quiet = absl::Milliseconds(1500),
              absl::Duration limit = absl::Seconds(120)) {
  const absl::Time start = absl::Now();
  uint64_t last = ReadIo().write_bytes;
  absl::Time last_change = absl::Now();
  while (absl::Now() - start < limit) {
    absl::SleepFor(absl::Milliseconds(100));
    const uint64_t now = ReadIo().write_bytes;
    if (now != last) {
      last = now;
      last_change = absl::Now();
    } else if (absl::Now() - last_change >= quiet) {
      break;
    }
  }
  return absl::ToDoubleSeconds(absl::Now() - start);
}

struct DirUsage {
  uint64_t sst_files = 0, sst_bytes = 0, blob_files = 0, blob_bytes = 0;
};

DirUsage Usage(const std::string& dir) {
  DirUsage u;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string ext = e.path().extension().string();
    const uint64_t size = e.file_size(ec);
    if (ext == ".sst") {
      ++u.sst_files;
      u.sst_bytes += size;
    } else if (ext == ".blob") {
      ++u.blob_files;
      u.blob_bytes += size;
    }
  }
  return u;
}

// The LSM shape RocksDB last logged for the store in `dir` (the
// "lsm_state" of the newest flush or compaction event in its LOG): files per
// level, "L0,L1,...". The engine does not expose its RocksDB, so its LOG is
// the only window; "?" if there is none.
// Files per LSM level, "n0,n1,...,n6".
std::string FilesPerLevel(rocksdb::DB* db) {
  std::string out;
  for (int level = 0; level < 7; ++level) {
    std::string v;
    db->GetProperty(absl::StrCat("rocksdb.num-files-at-level", level), &v);
    absl::StrAppend(&out, level == 0 ? "" : ",", v);
  }
  return out;
}

// Files per level of the RocksDB database in `dir`, which another handle
// (the engine's) has open: read through a read-only handle of its own.
std::string FilesPerLevelOf(const std::string& dir) {
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &db).ok()) {
    return "?";
  }
  std::unique_ptr<rocksdb::DB> owned(db);
  return FilesPerLevel(db);
}

// Latencies of one read point, all rounds.
struct Point {
  std::vector<int64_t> ns;
  double seconds = 0;   // sum of the read times
  uint64_t deltas = 0;  // deltas applied (pitr)
  uint64_t longest_chain = 0;
  std::vector<double> round_p50;  // per round, for the range of ratios

  void Add(const std::vector<int64_t>& round) {
    ns.insert(ns.end(), round.begin(), round.end());
    round_p50.push_back(Percentile(round, 0.5));
    for (int64_t n : round) seconds += n * 1e-9;
  }
  double p50_us() const { return Percentile(ns, 0.5) / 1e3; }
  double p99_us() const { return Percentile(ns, 0.99) / 1e3; }
  double mean_us() const { return seconds * 1e6 / ns.size(); }
  double per_s() const { return ns.size() / seconds; }
  double deltas_per_read() const {
    return ns.empty() ? 0 : static_cast<double>(deltas) / ns.size();
  }
};

// The range over rounds of a.round_p50[r] / b.round_p50[r].
std::pair<double, double> RoundRatioRange(const Point& a, const Point& b) {
  double lo = 1e300, hi = 0;
  for (size_t i = 0; i < a.round_p50.size() && i < b.round_p50.size(); ++i) {
    const double r = a.round_p50[i] / b.round_p50[i];
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  return {lo, hi};
}

// ------------------------------------------------------------------ stores

// A store to load and read: an Engine or the raw RocksDB.
class Store {
 public:
  virtual ~Store() = default;
  virtual std::string name() const = 0;
  // Appends the images of `pages` (each pages[i] with image images[i]) as
  // one batch.
  virtual absl::Status Load(const std::vector<uint32_t>& pages,
                            const std::vector<std::string>& images) = 0;
  // Makes everything persistent.
  virtual absl::Status Flush() = 0;
  virtual absl::Status Read(uint32_t page, std::string* out) = 0;
  virtual std::string dir() const = 0;
};

class EngineStore : public Store {
 public:
  EngineStore(std::string label, std::unique_ptr<Engine> engine,
              std::string dir)
      : label_(std::move(label)),
        engine_(std::move(engine)),
        dir_(std::move(dir)) {}
  std::string name() const override { return label_; }
  absl::Status Load(const std::vector<uint32_t>& pages,
                    const std::vector<std::string>& images) override {
    if (!batch_) {
      PITR_ASSIGN_OR_RETURN(WalBatch batch, engine_->NewBatch(kMainBranch));
      batch_ = std::move(batch);
    }
    batch_->Clear();
    for (size_t i = 0; i < pages.size(); ++i) {
      PITR_RETURN_IF_ERROR(
          batch_->PutPageImage({kLoadSpace, pages[i]}, images[i]));
    }
    return engine_->Append(kMainBranch, *batch_).status();
  }
  absl::Status Flush() override { return engine_->Flush(); }
  absl::Status Read(uint32_t page, std::string* out) override {
    PITR_ASSIGN_OR_RETURN(*out,
                          engine_->GetPage(kMainBranch, {kLoadSpace, page}));
    return absl::OkStatus();
  }
  std::string dir() const override { return dir_ + "/pages"; }
  Engine* engine() { return engine_.get(); }

 private:
  std::string label_;
  std::unique_ptr<Engine> engine_;
  std::string dir_;
  // One batch reused with Clear(), as a bulk-ingest client would.
  std::optional<WalBatch> batch_;
};

class RawStore : public Store {
 public:
  static absl::StatusOr<std::unique_ptr<RawStore>> Open(const std::string& dir,
                                                        size_t cache_bytes) {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(cache_bytes);
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
    if (!s.ok()) return absl::InternalError("raw rocksdb: " + s.ToString());
    return std::unique_ptr<RawStore>(new RawStore(db, dir));
  }
  ~RawStore() override { db_->Close().PermitUncheckedError(); }
  std::string name() const override { return "raw RocksDB"; }
  static std::string Key(uint32_t page) {
    std::string k(16, '\0');
    const uint64_t branch = kMainBranch;
    for (int i = 0; i < 8; ++i)
      k[i] = static_cast<char>(branch >> (56 - 8 * i));
    for (int i = 0; i < 4; ++i)
      k[8 + i] = static_cast<char>(kLoadSpace >> (24 - 8 * i));
    for (int i = 0; i < 4; ++i)
      k[12 + i] = static_cast<char>(page >> (24 - 8 * i));
    return k;
  }
  absl::Status Load(const std::vector<uint32_t>& pages,
                    const std::vector<std::string>& images) override {
    rocksdb::WriteBatch batch;
    for (size_t i = 0; i < pages.size(); ++i) {
      batch.Put(Key(pages[i]), images[i]);
    }
    rocksdb::WriteOptions options;
    options.disableWAL = true;
    rocksdb::Status s = db_->Write(options, &batch);
    return s.ok() ? absl::OkStatus() : absl::InternalError(s.ToString());
  }
  absl::Status Flush() override {
    rocksdb::FlushOptions options;
    options.wait = true;
    rocksdb::Status s = db_->Flush(options);
    return s.ok() ? absl::OkStatus() : absl::InternalError(s.ToString());
  }
  absl::Status Read(uint32_t page, std::string* out) override {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Key(page), out);
    return s.ok() ? absl::OkStatus()
                  : absl::InternalError("raw get: " + s.ToString());
  }
  std::string dir() const override { return dir_; }
  std::string Levels() const { return FilesPerLevel(db_.get()); }

 private:
  RawStore(rocksdb::DB* db, std::string dir) : db_(db), dir_(std::move(dir)) {}
  std::unique_ptr<rocksdb::DB> db_;
  std::string dir_;
};

absl::StatusOr<std::unique_ptr<EngineStore>> OpenEngine(
    const std::string& label, const std::string& dir, bool blob_files) {
  EngineOptions options;
  options.dir = dir;
  options.cache_bytes = absl::GetFlag(FLAGS_cache_mib) << 20;
  options.hot_page_bytes = absl::GetFlag(FLAGS_hot_page_mib) << 20;
  options.blob_files = blob_files;
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(options));
  return std::make_unique<EngineStore>(label, std::move(engine), dir);
}

// ------------------------------------------------------------------- load

struct LoadResult {
  std::string name;
  uint64_t pages = 0;
  double load_seconds = 0;    // the Append loop
  double flush_seconds = 0;   // final flush
  double settle_seconds = 0;  // waiting for compactions
  uint64_t wal_bytes = 0;     // 0: raw
  uint64_t written = 0;       // write_bytes
  uint64_t cancelled = 0;     // cancelled_write_bytes
  WriteSplit split;           // `written` by thread
  uint64_t flushes = 0;
  DirUsage usage;
  std::string levels;  // files per level after the load
};

absl::StatusOr<LoadResult> LoadStore(Store* store,
                                     const std::vector<uint32_t>& order,
                                     const std::string& pool,
                                     const IoSnapshot& before) {
  const size_t batch_pages = absl::GetFlag(FLAGS_batch_pages);
  std::vector<uint32_t> pages;
  std::vector<std::string> images(batch_pages);
  const Clock::time_point start = Clock::now();
  for (size_t i = 0; i < order.size(); i += batch_pages) {
    pages.clear();
    for (size_t j = i; j < std::min(order.size(), i + batch_pages); ++j) {
      LoadImage(pool, order[j], &images[pages.size()]);
      pages.push_back(order[j]);
    }
    PITR_RETURN_IF_ERROR(store->Load(pages, images));
  }
  const Clock::time_point loaded = Clock::now();
  PITR_RETURN_IF_ERROR(store->Flush());
  const Clock::time_point flushed = Clock::now();
  LoadResult r;
  r.name = store->name();
  r.pages = order.size();
  r.settle_seconds = Settle();
  const IoSnapshot after = Snapshot();
  const IoCounters& io = after.io;
  const IoCounters& io_before = before.io;
  r.split = after.split - before.split;
  r.load_seconds = Seconds(loaded - start);
  r.flush_seconds = Seconds(flushed - loaded);
  r.written = io.write_bytes - io_before.write_bytes;
  r.cancelled = io.cancelled_write_bytes - io_before.cancelled_write_bytes;
  r.usage = Usage(store->dir());
  r.levels = FilesPerLevelOf(store->dir());
  return r;
}

void PrintLoad(const std::vector<LoadResult>& results) {
  absl::PrintF(
      "\n1. Load: %d-page batches of 8 KiB images, one version per page, %s "
      "page order, 1 writer.\n"
      "   ingest = page bytes / time of the Append loop (default "
      "EngineOptions: background flushing on, kEveryBatch).\n"
      "   written = /proc/self/io write_bytes from open until flushed and "
      "quiet (WAL + flushes + compactions + blob files).\n"
      "   write amp = written / WAL bytes appended (WalStats::bytes); raw "
      "RocksDB (its WAL off): written / page bytes.\n\n",
      absl::GetFlag(FLAGS_batch_pages),
      absl::GetFlag(FLAGS_sequential) ? "sequential" : "random");
  absl::PrintF("%-22s | %7s | %6s | %7s | %7s | %6s | %8s | %6s | %s\n",
               "store", "pages", "load s", "flush s", "ingest", "WAL",
               "written", "write", "target");
  absl::PrintF("%-22s | %7s | %6s | %7s | %7s | %6s | %8s | %6s | %s\n", "", "",
               "", "+settle", "MiB/s", "MiB", "MiB", "amp", "(write amp)");
  absl::PrintF("%s\n", std::string(100, '-'));
  for (const LoadResult& r : results) {
    const double page_mib = r.pages * kPageSize / kMiB;
    const double denom = r.wal_bytes > 0 ? r.wal_bytes : r.pages * kPageSize;
    const double amp = r.written / denom;
    std::string target = "-";
    if (r.name == "pitr (blob files)") {
      target = absl::StrFormat("<=%.0f %s", kWriteAmpTarget,
                               amp <= kWriteAmpTarget ? "PASS" : "MISS");
    }
    absl::PrintF(
        "%-22s | %7d | %6.1f | %3.1f+%-3.1f | %7.1f | %6s | %8.0f | %6.2f | "
        "%s\n",
        r.name, r.pages, r.load_seconds, r.flush_seconds, r.settle_seconds,
        page_mib / r.load_seconds,
        r.wal_bytes > 0 ? absl::StrFormat("%.0f", r.wal_bytes / kMiB) : "-",
        r.written / kMiB, amp, target);
  }
  absl::PrintF(
      "\n   Where the writes came from (MiB, and x the WAL bytes; raw: x the "
      "page bytes), by thread: appender = the\n"
      "   appending thread (the WAL's group commit leader), flush = "
      "rocksdb:high, compaction = rocksdb:low, other = the rest.\n"
      "   Files after the load (live SST and blob files).\n\n");
  absl::PrintF("%-22s | %-13s | %-13s | %-13s | %5s | %-14s | %-14s\n", "store",
               "appender", "flush", "compaction", "other", "SST files MiB",
               "blob files MiB");
  absl::PrintF("%s\n", std::string(110, '-'));
  for (const LoadResult& r : results) {
    const double denom = r.wal_bytes > 0 ? r.wal_bytes : r.pages * kPageSize;
    absl::PrintF(
        "%-22s | %5.0f (%4.2fx) | %5.0f (%4.2fx) | %5.0f (%4.2fx) | %5.0f | "
        "%5d %8.0f | %5d %8.0f\n",
        r.name, r.split.appender / kMiB, r.split.appender / denom,
        r.split.flush / kMiB, r.split.flush / denom, r.split.compaction / kMiB,
        r.split.compaction / denom, r.split.other() / kMiB, r.usage.sst_files,
        r.usage.sst_bytes / kMiB, r.usage.blob_files,
        r.usage.blob_bytes / kMiB);
  }
  for (const LoadResult& r : results) {
    absl::PrintF(
        "   %s: %scancelled_write_bytes %.0f MiB%s\n", r.name,
        r.wal_bytes > 0 ? absl::StrFormat("engine flushes %d, ", r.flushes)
                        : "",
        r.cancelled / kMiB,
        r.levels.empty() ? "" : absl::StrCat(", files per level ", r.levels));
  }
}

// ------------------------------------------------------------------ reads

// `count` uniform random pages of [0, n) from `seed`.
std::vector<uint32_t> RandomPages(uint32_t n, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint32_t> dist(0, n - 1);
  std::vector<uint32_t> out(count);
  for (uint32_t& p : out) p = dist(rng);
  return out;
}

// Reads `pages` from `store`, timing each read; checks every page.
absl::StatusOr<std::vector<int64_t>> TimedReads(
    Store* store, const std::vector<uint32_t>& pages, const std::string& pool) {
  std::vector<int64_t> ns;
  ns.reserve(pages.size());
  std::string page, expected;
  for (uint32_t p : pages) {
    const Clock::time_point t0 = Clock::now();
    absl::Status s = store->Read(p, &page);
    const Clock::time_point t1 = Clock::now();
    PITR_RETURN_IF_ERROR(s);
    ns.push_back((t1 - t0).count());
    LoadImage(pool, p, &expected);
    if (page != expected) {
      return absl::DataLossError(
          absl::StrCat(store->name(), ": page ", p, " reads back wrong"));
    }
  }
  return ns;
}

absl::Status RunReads(const std::vector<Store*>& stores, uint32_t n_pages,
                      const std::string& pool) {
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const size_t per_round = absl::GetFlag(FLAGS_reads) / rounds;
  // Warm-up: the caches start cold after the load; one round's worth of
  // reads per store, unmeasured.
  for (Store* store : stores) {
    PITR_RETURN_IF_ERROR(
        TimedReads(store, RandomPages(n_pages, per_round, 1000), pool)
            .status());
  }
  std::vector<Point> points(stores.size());
  for (int round = 0; round < rounds; ++round) {
    const std::vector<uint32_t> pages =
        RandomPages(n_pages, per_round, 2000 + round);
    for (size_t k = 0; k < stores.size(); ++k) {
      const size_t i = (k + round) % stores.size();
      PITR_ASSIGN_OR_RETURN(std::vector<int64_t> ns,
                            TimedReads(stores[i], pages, pool));
      points[i].Add(ns);
    }
  }

  absl::PrintF(
      "\n2. Reads at the latest LSN: uniform random pages of the loaded set, "
      "1 thread, %d reads per store in %d rounds\n"
      "   (stores alternate, order rotated each round, after %d unmeasured "
      "warm-up reads each). Stores flushed and\n"
      "   compacted first. pitr = Engine::GetPage(main, page), raw = "
      "DB::Get(16-byte key) into a std::string.\n"
      "   Cache: %d MiB each (pitr: EngineOptions::cache_bytes, blocks and "
      "blobs; raw: block cache) for %.0f MiB of pages:\n"
      "   %s. Every store's files are in the OS page cache.\n"
      "   ratios: ours/raw; [range] = per-round p50 ratio. Target judged on "
      "p50.\n\n",
      per_round * rounds, rounds, per_round, absl::GetFlag(FLAGS_cache_mib),
      n_pages * kPageSize / kMiB,
      (absl::GetFlag(FLAGS_cache_mib) << 20) >= 2 * n_pages * kPageSize
          ? "both data sets fit the cache"
          : ((absl::GetFlag(FLAGS_cache_mib) << 20) < n_pages * kPageSize
                 ? "neither data set fits the cache"
                 : "WARNING: the data set is close to the cache size"));
  absl::PrintF("%-22s | %8s | %7s %7s %7s | %8s | %-24s | %s\n", "store",
               "reads", "p50 us", "p99 us", "mean us", "pages/s",
               "p50/raw [range]   mean/raw", "target");
  absl::PrintF("%s\n", std::string(107, '-'));
  const Point& raw = points[0];
  for (size_t i = 0; i < stores.size(); ++i) {
    const Point& p = points[i];
    std::string ratio = "-", target = "-";
    if (i > 0) {
      const double r = p.p50_us() / raw.p50_us();
      const auto range = RoundRatioRange(p, raw);
      ratio = absl::StrFormat("%4.2f [%4.2f..%4.2f]   %4.2f", r, range.first,
                              range.second, p.mean_us() / raw.mean_us());
      if (stores[i]->name() == "pitr (blob files)") {
        target = absl::StrFormat("<=%.1fx %s", kReadRatioTarget,
                                 r <= kReadRatioTarget ? "PASS" : "MISS");
      }
    }
    absl::PrintF("%-22s | %8d | %7.2f %7.2f %7.2f | %8.0f | %-24s | %s\n",
                 stores[i]->name(), p.ns.size(), p.p50_us(), p.p99_us(),
                 p.mean_us(), p.per_s(), ratio, target);
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- history

// One set of pages with `depth` versions each, in space kHistorySpaceBase+i.
struct HistorySet {
  uint32_t depth = 0;
  uint32_t space = 0;
  // Per page, per version: the commit LSN and a hash of the page after it.
  std::vector<std::vector<Lsn>> lsns;
  std::vector<std::vector<size_t>> hashes;
  std::vector<std::string> current;  // each page at its latest version
};

size_t HashPage(const std::string& page) {
  return std::hash<std::string_view>()(std::string_view(page));
}

struct HistoryLoad {
  uint64_t versions = 0, images = 0, deltas = 0;
  double append_seconds = 0, materialize_seconds = 0, flush_seconds = 0,
         settle_seconds = 0;
  uint64_t wal_bytes = 0, written = 0;
  std::string levels;
  WriteSplit split;
  EngineStats before, after;
};

// `dir`: the engine's RocksDB directory (for its LOG).
absl::Status LoadHistory(Engine* engine, const std::string& dir,
                         const std::string& pool, std::vector<HistorySet>* sets,
                         HistoryLoad* out) {
  const uint32_t n = absl::GetFlag(FLAGS_history_pages);
  const size_t batch_pages = absl::GetFlag(FLAGS_batch_pages);
  const uint32_t delta_bytes = absl::GetFlag(FLAGS_delta_bytes);
  const double image_p = absl::GetFlag(FLAGS_history_image_pct) / 100.0;
  std::mt19937_64 rng(77);
  std::uniform_real_distribution<double> coin(0, 1);
  const size_t slots = (pool.size() - kPageSize) / 8;
  std::uniform_int_distribution<size_t> pool_at(0, slots - 1);
  std::uniform_int_distribution<uint32_t> delta_at(
      0, static_cast<uint32_t>((kPageSize - delta_bytes) / 8));

  out->before = engine->stats();
  const IoSnapshot io_before = Snapshot();
  Clock::duration appending{};
  PITR_ASSIGN_OR_RETURN(WalBatch batch, engine->NewBatch(kMainBranch));
  for (size_t s = 0; s < std::size(kDepths); ++s) {
    HistorySet set;
    set.depth = kDepths[s];
    set.space = kHistorySpaceBase + static_cast<uint32_t>(s);
    set.lsns.resize(n);
    set.hashes.resize(n);
    set.current.resize(n);
    for (uint32_t p = 0; p < n; ++p) {
      set.lsns[p].reserve(set.depth);
      set.hashes[p].reserve(set.depth);
    }
    std::vector<uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    for (uint32_t v = 0; v < set.depth; ++v) {
      std::shuffle(order.begin(), order.end(), rng);
      for (size_t i = 0; i < n; i += batch_pages) {
        const size_t end = std::min<size_t>(n, i + batch_pages);
        batch.Clear();
        for (size_t j = i; j < end; ++j) {
          const uint32_t p = order[j];
          std::string& page = set.current[p];
          if (v == 0 || coin(rng) < image_p) {
            page.assign(pool.data() + pool_at(rng) * 8, kPageSize);
            std::memcpy(page.data(), &p, sizeof(p));
            PITR_RETURN_IF_ERROR(batch.PutPageImage({set.space, p}, page));
            ++out->images;
          } else {
            const uint32_t at = delta_at(rng) * 8;
            const absl::string_view bytes(pool.data() + pool_at(rng) * 8,
                                          delta_bytes);
            page.replace(at, delta_bytes, bytes.data(), bytes.size());
            PITR_RETURN_IF_ERROR(batch.PutPageDelta({set.space, p}, at, bytes));
            ++out->deltas;
          }
        }
        const Clock::time_point t0 = Clock::now();
        PITR_ASSIGN_OR_RETURN(AppendResult r,
                              engine->Append(kMainBranch, batch));
        appending += Clock::now() - t0;
        for (size_t j = i; j < end; ++j) {
          const uint32_t p = order[j];
          set.lsns[p].push_back(r.commit_lsn);
          set.hashes[p].push_back(HashPage(set.current[p]));
        }
        out->versions += end - i;
      }
    }
    sets->push_back(std::move(set));
  }
  out->append_seconds = Seconds(appending);
  Clock::time_point t0 = Clock::now();
  PITR_RETURN_IF_ERROR(engine->MaterializePendingImages());
  out->materialize_seconds = Seconds(Clock::now() - t0);
  t0 = Clock::now();
  PITR_RETURN_IF_ERROR(engine->Flush());
  out->flush_seconds = Seconds(Clock::now() - t0);
  out->settle_seconds = Settle();
  out->after = engine->stats();
  out->levels = FilesPerLevelOf(dir);
  out->wal_bytes = out->after.wal.bytes - out->before.wal.bytes;
  out->split = Snapshot().split - io_before.split;
  out->written = out->split.total;
  return absl::OkStatus();
}

enum class ReadAt { kLatest, kRandom, kBack };

const char* ReadAtName(ReadAt at) {
  switch (at) {
    case ReadAt::kLatest:
      return "latest";
    case ReadAt::kRandom:
      return "random LSN";
    case ReadAt::kBack:
      return "999 back (oldest)";
  }
  return "?";
}

// One read of a history point: the page, the LSN (nullopt: latest) and the
// hash the page must have there.
struct HistoryRead {
  uint32_t page;
  std::optional<Lsn> lsn;
  size_t hash;
};

std::vector<HistoryRead> HistoryReads(const HistorySet& set, ReadAt at,
                                      size_t count, uint64_t seed, Lsn latest) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint32_t> page_dist(
      0, static_cast<uint32_t>(set.lsns.size() - 1));
  std::vector<HistoryRead> reads(count);
  for (HistoryRead& r : reads) {
    r.page = page_dist(rng);
    const std::vector<Lsn>& lsns = set.lsns[r.page];
    const std::vector<size_t>& hashes = set.hashes[r.page];
    switch (at) {
      case ReadAt::kLatest:
        r.lsn = std::nullopt;
        r.hash = hashes.back();
        break;
      case ReadAt::kBack: {
        const size_t v = lsns.size() - 1 - kBackVersions;
        r.lsn = lsns[v];
        r.hash = hashes[v];
        break;
      }
      case ReadAt::kRandom: {
        // A version, then an LSN from its commit to just before the next.
        const size_t v =
            std::uniform_int_distribution<size_t>(0, lsns.size() - 1)(rng);
        const Lsn hi = v + 1 < lsns.size() ? lsns[v + 1] - 1 : latest;
        r.lsn = std::uniform_int_distribution<Lsn>(lsns[v], hi)(rng);
        r.hash = hashes[v];
        break;
      }
    }
  }
  return reads;
}

absl::StatusOr<std::vector<int64_t>> TimedHistoryReads(
    Engine* engine, const HistorySet& set,
    const std::vector<HistoryRead>& reads) {
  std::vector<int64_t> ns;
  ns.reserve(reads.size());
  for (const HistoryRead& r : reads) {
    const Clock::time_point t0 = Clock::now();
    absl::StatusOr<std::string> page =
        engine->GetPage(kMainBranch, {set.space, r.page}, r.lsn);
    const Clock::time_point t1 = Clock::now();
    PITR_RETURN_IF_ERROR(page.status());
    ns.push_back((t1 - t0).count());
    if (HashPage(*page) != r.hash) {
      return absl::DataLossError(absl::StrCat(
          "history page ", set.space, "/", r.page, " at lsn ",
          r.lsn ? FormatLsn(*r.lsn) : "latest", " reads back wrong"));
    }
  }
  return ns;
}

absl::Status RunHistory(Engine* engine, const std::string& dir,
                        const std::string& pool) {
  std::vector<HistorySet> sets;
  HistoryLoad load;
  PITR_RETURN_IF_ERROR(LoadHistory(engine, dir, pool, &sets, &load));
  const Lsn latest = engine->latest_lsn();

  struct Spec {
    size_t set;
    ReadAt at;
  };
  std::vector<Spec> specs;
  for (size_t s = 0; s < sets.size(); ++s) {
    specs.push_back({s, ReadAt::kLatest});
    if (sets[s].depth > kBackVersions) specs.push_back({s, ReadAt::kBack});
    specs.push_back({s, ReadAt::kRandom});
  }
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const size_t per_round = absl::GetFlag(FLAGS_history_reads) / rounds;
  std::vector<Point> points(specs.size());
  for (const Spec& spec : specs) {  // warm-up
    PITR_RETURN_IF_ERROR(TimedHistoryReads(engine, sets[spec.set],
                                           HistoryReads(sets[spec.set], spec.at,
                                                        per_round, 5, latest))
                             .status());
  }
  for (int round = 0; round < rounds; ++round) {
    for (size_t k = 0; k < specs.size(); ++k) {
      const size_t i = round % 2 == 0 ? k : specs.size() - 1 - k;
      const HistorySet& set = sets[specs[i].set];
      const std::vector<HistoryRead> reads = HistoryReads(
          set, specs[i].at, per_round, 100 * round + i + 10, latest);
      const EngineStats before = engine->stats();
      PITR_ASSIGN_OR_RETURN(std::vector<int64_t> ns,
                            TimedHistoryReads(engine, set, reads));
      const EngineStats after = engine->stats();
      points[i].Add(ns);
      points[i].deltas +=
          after.deltas_applied_by_reads - before.deltas_applied_by_reads;
    }
  }

  const uint64_t materialized =
      load.after.images_materialized - load.before.images_materialized;
  absl::PrintF(
      "\n3. History depth: 4 sets of %d pages with 1, 10, 100 and 1000 "
      "versions each (%d versions in %d-record\n"
      "   batches, each round giving every page of a set one version in "
      "random order): %d images, %d deltas of %d bytes\n"
      "   (%.1f%% of versions after the first are images), and the engine "
      "materialised %d images (image_after_deltas\n"
      "   default; %d dropped). Append %.1f s, MaterializePendingImages() %.1f "
      "s, Flush %.1f s, settled %.1f s.\n"
      "   WAL %.0f MiB, written %.0f MiB (write amp %.2f; appender %.0f, "
      "flush %.0f, compaction %.0f, other %.0f).\n"
      "   Store now %.0f MiB, files per level %s.\n"
      "   1 thread, %d reads per row in %d rounds (rows alternate, order "
      "flipped each round) after a warm-up.\n"
      "   Cache %d MiB: the newest versions of a set's pages fit it, its "
      "whole history (1,000 versions) does not.\n"
      "   random LSN: a random version of the page, at a random LSN from its "
      "commit to the next version's.\n"
      "   999 back: at the commit LSN of the page's oldest version, with 999 "
      "newer versions (1,000 versions back\n"
      "   counting the latest). deltas = deltas applied per read "
      "(EngineStats). Target judged on p50.\n\n",
      absl::GetFlag(FLAGS_history_pages), load.versions,
      absl::GetFlag(FLAGS_batch_pages), load.images, load.deltas,
      absl::GetFlag(FLAGS_delta_bytes), absl::GetFlag(FLAGS_history_image_pct),
      materialized, load.after.images_dropped - load.before.images_dropped,
      load.append_seconds, load.materialize_seconds, load.flush_seconds,
      load.settle_seconds, load.wal_bytes / kMiB, load.written / kMiB,
      static_cast<double>(load.written) / load.wal_bytes,
      load.split.appender / kMiB, load.split.flush / kMiB,
      load.split.compaction / kMiB, load.split.other() / kMiB,
      load.after.store_bytes / kMiB, load.levels, per_round * rounds, rounds,
      absl::GetFlag(FLAGS_cache_mib));
  absl::PrintF("%8s | %-17s | %7s %7s %7s | %8s | %6s | %-16s | %s\n",
               "versions", "read at", "p50 us", "p99 us", "mean us", "pages/s",
               "deltas", "p50 / latest", "target");
  absl::PrintF("%s\n", std::string(100, '-'));
  for (size_t s = 0; s < sets.size(); ++s) {
    const Point* latest_point = nullptr;
    for (size_t i = 0; i < specs.size(); ++i) {
      if (specs[i].set == s && specs[i].at == ReadAt::kLatest)
        latest_point = &points[i];
    }
    for (size_t i = 0; i < specs.size(); ++i) {
      if (specs[i].set != s) continue;
      const Point& p = points[i];
      std::string ratio = "-", target = "-";
      if (specs[i].at != ReadAt::kLatest) {
        const double r = p.p50_us() / latest_point->p50_us();
        ratio = absl::StrFormat("%5.2f", r);
        if (specs[i].at == ReadAt::kBack) {
          target = absl::StrFormat("<=%.0fx %s", kHistoryRatioTarget,
                                   r <= kHistoryRatioTarget ? "PASS" : "MISS");
        }
      }
      absl::PrintF(
          "%8d | %-17s | %7.2f %7.2f %7.2f | %8.0f | %6.2f | %-16s | %s\n",
          sets[s].depth, ReadAtName(specs[i].at), p.p50_us(), p.p99_us(),
          p.mean_us(), p.per_s(), p.deltas_per_read(), ratio, target);
    }
  }
  // How the latest read grows with depth, relative to 1 version.
  absl::PrintF("\n   latest-LSN p50 relative to 1 version:");
  const Point* base = nullptr;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].at != ReadAt::kLatest) continue;
    if (base == nullptr) base = &points[i];
    absl::PrintF("  %d: %.2f", sets[specs[i].set].depth,
                 points[i].p50_us() / base->p50_us());
  }
  absl::PrintF("\n   random-LSN p50 relative to 1 version: ");
  base = nullptr;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].at != ReadAt::kRandom) continue;
    if (base == nullptr) base = &points[i];
    absl::PrintF("  %d: %.2f", sets[specs[i].set].depth,
                 points[i].p50_us() / base->p50_us());
  }
  absl::PrintF("\n");
  return absl::OkStatus();
}

// ------------------------------------------------------------------ main

absl::Status Run(const std::string& scratch) {
  const uint32_t n_pages =
      static_cast<uint32_t>((absl::GetFlag(FLAGS_data_mib) << 20) / kPageSize);
  const std::string pool = RandomPool(32 << 20, 42);
  std::vector<uint32_t> order(n_pages);
  std::iota(order.begin(), order.end(), 0);
  if (!absl::GetFlag(FLAGS_sequential)) {
    std::shuffle(order.begin(), order.end(), std::mt19937_64(1));
  }

  // 1. Load: the default store, the store without blob files, raw RocksDB.
  std::vector<LoadResult> loads;
  std::vector<std::unique_ptr<Store>> stores;
  struct EngineSpec {
    const char* label;
    const char* subdir;
    bool blob_files;
  };
  std::vector<EngineSpec> specs = {{"pitr (blob files)", "pitr_blob", true}};
  if (absl::GetFlag(FLAGS_no_blob_store)) {
    specs.push_back({"pitr (no blob files)", "pitr_noblob", false});
  }
  for (const EngineSpec& spec : specs) {
    const IoSnapshot io = Snapshot();
    PITR_ASSIGN_OR_RETURN(
        std::unique_ptr<EngineStore> store,
        OpenEngine(spec.label, absl::StrCat(scratch, "/", spec.subdir),
                   spec.blob_files));
    PITR_ASSIGN_OR_RETURN(LoadResult r,
                          LoadStore(store.get(), order, pool, io));
    const EngineStats stats = store->engine()->stats();
    r.wal_bytes = stats.wal.bytes;
    r.flushes = stats.flushes;
    loads.push_back(r);
    stores.push_back(std::move(store));
  }
  {
    const IoSnapshot io = Snapshot();
    PITR_ASSIGN_OR_RETURN(
        std::unique_ptr<RawStore> raw,
        RawStore::Open(scratch + "/raw", absl::GetFlag(FLAGS_cache_mib) << 20));
    PITR_ASSIGN_OR_RETURN(LoadResult r, LoadStore(raw.get(), order, pool, io));
    r.levels = raw->Levels();
    loads.push_back(r);
    stores.insert(stores.begin(), std::move(raw));
  }
  PrintLoad(loads);

  // 2. Reads at the latest LSN: raw first, then the engines.
  std::vector<Store*> read_stores;
  for (auto& s : stores) read_stores.push_back(s.get());
  PITR_RETURN_IF_ERROR(RunReads(read_stores, n_pages, pool));

  // 3. History, in the default store; the others are closed first.
  if (absl::GetFlag(FLAGS_history)) {
    std::unique_ptr<Store> main_store = std::move(stores[1]);
    stores.clear();
    PITR_RETURN_IF_ERROR(
        RunHistory(static_cast<EngineStore*>(main_store.get())->engine(),
                   main_store->dir(), pool));
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Page store ingest, write amplification, GetPage latency vs raw "
      "RocksDB Get, and read cost vs history depth.\n"
      "  bazel run -c opt //tools/bench:page_bench");
  absl::ParseCommandLine(argc, argv);
  spdlog::set_level(spdlog::level::warn);  // no engine open chatter

  if (absl::GetFlag(FLAGS_data_mib) == 0 ||
      absl::GetFlag(FLAGS_batch_pages) < 1 || absl::GetFlag(FLAGS_rounds) < 1 ||
      absl::GetFlag(FLAGS_reads) == 0 ||
      absl::GetFlag(FLAGS_history_pages) == 0 ||
      absl::GetFlag(FLAGS_history_reads) == 0 ||
      absl::GetFlag(FLAGS_cache_mib) == 0) {
    absl::FPrintF(stderr,
                  "--data_mib, --batch_pages, --rounds, --reads, "
                  "--history_pages, --history_reads and --cache_mib must be "
                  "positive\n");
    return 2;
  }
  if (absl::GetFlag(FLAGS_delta_bytes) == 0 ||
      absl::GetFlag(FLAGS_delta_bytes) > kPageSize ||
      absl::GetFlag(FLAGS_delta_bytes) % 8 != 0) {
    absl::FPrintF(stderr, "--delta_bytes must be a multiple of 8 up to %d\n",
                  kPageSize);
    return 2;
  }

  const absl::StatusOr<std::string> made =
      bench::MakeScratchDir(absl::GetFlag(FLAGS_dir), "page_bench");
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
  const uint64_t n_pages = (absl::GetFlag(FLAGS_data_mib) << 20) / kPageSize;
  absl::PrintF("page_bench  %s\n",
               absl::FormatTime("%Y-%m-%d %H:%M:%S %Z", absl::Now(),
                                absl::LocalTimeZone()));
  absl::PrintF("  scratch  %s (%s)\n", scratch, fs_type);
  absl::PrintF("  machine  %d cpus, %.1f GiB memory, kernel %s, load %s\n",
               std::thread::hardware_concurrency(), mem_gib, kernel, LoadAvg());
  absl::PrintF(
      "  config   %d MiB = %d pages of 8 KiB (random content), batches of %d, "
      "cache %d MiB;\n"
      "           history: %d pages per set, %d-byte deltas, %.1f%% images; "
      "%d rounds\n",
      absl::GetFlag(FLAGS_data_mib), n_pages, absl::GetFlag(FLAGS_batch_pages),
      absl::GetFlag(FLAGS_cache_mib), absl::GetFlag(FLAGS_history_pages),
      absl::GetFlag(FLAGS_delta_bytes), absl::GetFlag(FLAGS_history_image_pct),
      absl::GetFlag(FLAGS_rounds));
  if (fs_type == "tmpfs") {
    absl::PrintF(
        "  WARNING: tmpfs: nothing reaches a disk and write_bytes stays 0; "
        "use --dir on a real disk.\n");
  }

  const Clock::time_point start = Clock::now();
  const absl::Status status = Run(scratch);
  return bench::Finish("page_bench", scratch, absl::GetFlag(FLAGS_keep), status,
                       start);
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) { return pitr::Main(argc, argv); }
