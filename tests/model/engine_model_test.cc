// Model-based randomized test of the engine (docs/design.md invariant 3, "exact
// history"): random batches of page images, page deltas and space
// truncations go both to the engine and to a reference model that keeps
// every version of every page (page_model.h); reads at random LSNs must
// agree with the model, before and after flushes, image materialisation,
// clean reopens and simulated crashes.
//
// Each step, chosen at random from the seed:
//   - append a batch of 1 to 6 records over 3 spaces x 20 pages (a few hot
//     pages get long histories; records of one batch often hit the same
//     page; deltas on absent and truncated pages; truncations mostly near
//     the end of a space);
//   - Flush(), MaterializePendingImages(), a short sleep (so background
//     flushes and image materialisation race with the test), a clean reopen
//     with new random EngineOptions (small WAL segments, image_after_deltas
//     1 to 8, small memtables, flush_age from 1 ms to never, sometimes a
//     tiny image queue that drops tasks);
//   - a simulated crash (see below), so that recovery replays the WAL;
//   - then, often, reads: GetPage at "latest", at exact commit LSNs, at LSNs
//     inside a batch's byte range (which must show the last whole batch
//     before), at 0 and at random LSNs; GetSpaceSize; GetPages; and reads
//     past the latest LSN, which must be OUT_OF_RANGE.
// Half of the seeds (0 and 1 mod 4) also run a concurrent reader thread
// that reads pages and space sizes at committed LSNs all the time, racing
// with the appends, flushes, materialisation and compactions.
// After every reopen, every page and space is checked at the latest LSN,
// and at the end of a seed a sample of the whole history is checked before
// and after a last reopen.
//
// Crashes. Engine::Close (and so the destructor) flushes, so a clean reopen
// never replays the WAL, whatever flush_age is. A crash is simulated
// instead: close the engine and copy its page store (a consistent image of
// the flushed layers), reopen with flush_age = infinite so nothing is
// flushed, append a few batches, copy the WAL, and put the copies in place
// of the engine's directories: that is the disk after a power cut (RocksDB's
// own WAL is off, so the memtables are lost). The reopened engine must
// replay those batches from the WAL and read exactly as before.
//
// Reproducing and running long. The test is deterministic for a seed (the
// operations, contents and LSNs; only the timing of the background work
// varies). A failure names the seed, the step, the key, the LSN (and how it
// was chosen), both contents with the first differing byte, and the last
// operations. Environment variables (pass with --test_env):
//   PITR_MODEL_SEEDS  seeds to run: a comma-separated list of seeds or
//                     ranges "a-b" (default "1,2,3,4")
//   PITR_MODEL_STEPS  steps per seed (default 300)
// Odd seeds use 512-byte pages, even seeds 1024-byte pages (whose images
// are large enough to go to RocksDB's blob files). For example:
//   bazel test //tests/model:engine_model_test --test_timeout=3600
//     --test_env=PITR_MODEL_SEEDS=100-140 --test_env=PITR_MODEL_STEPS=20000
// (one command; --test_output=streamed shows each seed's summary line).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/testing/test_files.h"
#include "engine/engine.h"
#include "gtest/gtest.h"
#include "tests/model/model_reporting.h"
#include "tests/model/page_model.h"
#include "wal/batch.h"
#include "wal/wal.h"

namespace pitr {
namespace {

namespace fs = std::filesystem;
using ::pitr::model::PageModel;

constexpr uint32_t kSpaces = 3;  // spaces 0..2 are written
constexpr uint32_t kPages = 20;  // pages 0..19 are written
constexpr int kMaxRecords = 6;   // per batch
constexpr int kDefaultSteps = 300;
constexpr char kDefaultSeeds[] = "1,2,3,4";

std::string KeyName(PageKey key) {
  return absl::StrCat(key.space, "/", key.page);
}

std::string LsnName(std::optional<Lsn> lsn) {
  if (!lsn) return "latest (no lsn given)";
  return absl::StrCat(FormatLsn(*lsn), " (", *lsn, ")");
}

class ModelRun {
 public:
  ModelRun(uint64_t seed, int steps)
      : seed_(seed),
        steps_(steps),
        rng_(seed * 0x9E3779B97F4A7C15ull + 1),
        page_size_(seed % 2 == 0 ? 1024 : 512),
        model_(page_size_),
        dir_(pitr::testing::NewTestDir(absl::StrCat("model_", seed))),
        use_reader_(seed % 4 < 2) {
    // Hot pages: chosen often, so their histories get long.
    for (int i = 0; i < 4; ++i) {
      hot_.push_back(PageKey{static_cast<uint32_t>(Below(kSpaces)),
                             static_cast<uint32_t>(Below(kPages))});
    }
  }

  ~ModelRun() {
    StopReader();
    engine_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Runs every step; stops at the first failure.
  void Run() {
    const absl::Time started = absl::Now();
    Open(RandomOptions(), "first open");
    for (step_ = 0; step_ < steps_ && !failed_; ++step_) {
      Step();
    }
    if (!failed_) FinalCheck();
    size_t longest = 0;
    for (uint32_t s = 0; s < kSpaces; ++s) {
      for (uint32_t p = 0; p < kPages; ++p) {
        longest = std::max(longest, model_.VersionCount({s, p}));
      }
    }
    std::cout << "seed " << seed_ << ": " << steps_ << " steps, "
              << batches_.size() << " batches, " << records_ << " records, "
              << reads_ << " reads, " << reopens_ << " reopens, " << crashes_
              << " crashes, " << flushes_ << " flushes, "
              << (use_reader_ ? absl::StrCat(reader_reads_.load(),
                                             " concurrent reads, ")
                              : std::string("no concurrent reader, "))
              << "longest history " << longest << " versions, page size "
              << page_size_ << ", "
              << absl::FormatDuration(absl::Now() - started)
              << (failed_ ? " FAILED" : "") << std::endl;
  }

 private:
  struct BatchLsns {
    Lsn start;
    Lsn commit;
  };

  // --- randomness (portable: only the mt19937_64 sequence is used) ---
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool Chance(int percent) {
    return Below(100) < static_cast<uint64_t>(percent);
  }
  std::string RandomBytes(size_t n) {
    std::string bytes(n, '\0');
    // Sometimes runs of one byte (zeros among them), mostly noise.
    if (Chance(15)) {
      std::fill(bytes.begin(), bytes.end(), static_cast<char>(Below(4)));
      return bytes;
    }
    for (size_t i = 0; i < n; i += 8) {
      uint64_t word = rng_();
      for (size_t j = i; j < n && j < i + 8; ++j, word >>= 8) {
        bytes[j] = static_cast<char>(word & 0xFF);
      }
    }
    return bytes;
  }

  EngineOptions RandomOptions() {
    EngineOptions options;
    options.dir = dir_;
    // After the first open, sometimes "whatever the store has".
    options.page_size = (opens_ > 0 && Chance(30)) ? 0 : page_size_;
    options.wal_segment_size = Chance(70) ? 16384 : 4096;
    options.image_after_deltas = static_cast<uint32_t>(1 + Below(8));
    options.maintenance_interval = absl::Milliseconds(5);
    static const absl::Duration kAges[] = {
        absl::Milliseconds(1), absl::Milliseconds(5), absl::Milliseconds(30),
        absl::Seconds(60), absl::InfiniteDuration()};
    options.flush_age = kAges[Below(5)];
    if (Chance(20)) options.flush_wal_bytes = 8192;
    if (Chance(30)) options.memtable_bytes = 64 << 10;
    if (Chance(20)) options.max_pending_images = Below(3);  // drops tasks
    options.cache_bytes = 1 << 20;
    return options;
  }

  // --- failure reporting ---
  void Note(std::string op) {
    ops_.push_back(absl::StrCat("step ", step_, ": ", op));
    if (ops_.size() > 12) ops_.pop_front();
  }
  std::string Context() const {
    std::string out = absl::StrCat(
        "\n  seed ", seed_, ", step ", step_, ", page size ", page_size_,
        ", latest lsn ", LsnName(model_.latest()),
        " (reproduce: --test_env=PITR_MODEL_SEEDS=", seed_,
        " --test_env=PITR_MODEL_STEPS=", steps_, ")\n  last operations:");
    for (const std::string& op : ops_) absl::StrAppend(&out, "\n    ", op);
    return out;
  }
  void Fail(const std::string& what) {
    ADD_FAILURE() << what << Context();
    failed_ = true;
  }

  // --- engine lifecycle ---
  void Open(EngineOptions options, absl::string_view why) {
    absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
    ++opens_;
    if (!engine.ok()) {
      Fail(absl::StrCat("Engine::Open (", why,
                        "): ", engine.status().ToString()));
      return;
    }
    engine_ = std::move(*engine);
    Note(absl::StrCat(
        "open (", why, "): image_after_deltas ", options.image_after_deltas,
        ", flush_age ", absl::FormatDuration(options.flush_age),
        ", flush_wal_bytes ", options.flush_wal_bytes, ", segment ",
        options.wal_segment_size, ", memtable ", options.memtable_bytes,
        ", max_pending_images ", options.max_pending_images));
    if (engine_->page_size() != page_size_) {
      Fail(absl::StrCat("page size after open: ", engine_->page_size()));
      return;
    }
    if (engine_->latest_lsn() != model_.latest()) {
      Fail(absl::StrCat("latest lsn after open (", why, "): engine ",
                        LsnName(engine_->latest_lsn()), ", model ",
                        LsnName(model_.latest())));
      return;
    }
    CheckEverythingAt(std::nullopt, "after open");
    StartReader();
  }

  void Close(absl::string_view why) {
    StopReader();
    absl::Status closed = engine_->Close();
    engine_.reset();
    if (!closed.ok())
      Fail(absl::StrCat("Close (", why, "): ", closed.ToString()));
  }

  void Reopen() {
    Note("clean reopen");
    ++reopens_;
    Close("reopen");
    if (!failed_) Open(RandomOptions(), "clean reopen");
  }

  // A crash: the page store as the last flush left it, the whole WAL.
  void StartCrash() {
    Note("crash: close, copy the page store, reopen with flush_age infinite");
    Close("before a crash");
    if (failed_) return;
    CopyTree(fs::path(dir_) / "pages", CrashDir() / "pages");
    EngineOptions options = RandomOptions();
    options.flush_age = absl::InfiniteDuration();
    options.flush_wal_bytes = uint64_t{1} << 40;
    crash_from_ = model_.latest();
    crash_steps_left_ = static_cast<int>(1 + Below(12));
    Open(options, "before a crash");
  }

  void FinishCrash() {
    crash_steps_left_ = 0;
    if (engine_->stats().flushes != 0) {
      Fail(
          "the engine flushed while the test simulates a crash "
          "(flush_age infinite)");
      return;
    }
    // The WAL as it is now, with every acknowledged batch.
    CopyTree(fs::path(dir_) / "wal", CrashDir() / "wal");
    Note(absl::StrCat("crash: power cut at lsn ", LsnName(model_.latest()),
                      "; the page store holds up to ", LsnName(crash_from_)));
    ++crashes_;
    StopReader();
    engine_.reset();  // its flush goes to directories that are replaced
    for (const char* sub : {"pages", "wal"}) {
      fs::remove_all(fs::path(dir_) / sub);
      CopyTree(CrashDir() / sub, fs::path(dir_) / sub);
    }
    fs::remove_all(CrashDir());
    EngineOptions options = RandomOptions();
    const bool check_replay = Chance(50);
    if (check_replay) {
      options.flush_age = absl::InfiniteDuration();
      options.flush_wal_bytes = uint64_t{1} << 40;
    }
    Open(options, "after a crash");
    if (failed_) return;
    // With no background flush, the stats show what recovery started from.
    if (check_replay && engine_->stats().flushed_lsn != crash_from_) {
      Fail(absl::StrCat("after a crash, recovery started from ",
                        LsnName(engine_->stats().flushed_lsn),
                        " but the page store copy holds up to ",
                        LsnName(crash_from_)));
    }
  }

  fs::path CrashDir() const { return fs::path(dir_ + "_crash"); }

  static void CopyTree(const fs::path& from, const fs::path& to) {
    fs::remove_all(to);
    fs::create_directories(to.parent_path());
    fs::copy(from, to, fs::copy_options::recursive);
  }

  // --- one step ---
  void Step() {
    const uint64_t r = Below(1000);
    const bool crashing = crash_steps_left_ > 0;
    if (r < 700) {
      AppendRandomBatch();
    } else if (r < 760) {
      if (!crashing) {
        Note("Flush");
        ++flushes_;
        absl::Status s = engine_->Flush();
        if (!s.ok()) Fail(absl::StrCat("Flush: ", s.ToString()));
      }
    } else if (r < 830) {
      Note("MaterializePendingImages");
      absl::Status s = engine_->MaterializePendingImages();
      if (!s.ok())
        Fail(absl::StrCat("MaterializePendingImages: ", s.ToString()));
    } else if (r < 850) {
      if (!crashing) Reopen();
    } else if (r < 862) {
      if (!crashing) StartCrash();
    } else if (r < 900) {
      const int ms = static_cast<int>(1 + Below(8));
      Note(absl::StrCat("sleep ", ms, " ms"));
      absl::SleepFor(absl::Milliseconds(ms));
    }
    CheckReader();
    if (failed_) return;
    if (Chance(40)) RandomReads();
    if (failed_) return;
    if (crash_steps_left_ > 0 && --crash_steps_left_ == 0) FinishCrash();
  }

  PageKey RandomKey(const std::vector<PageKey>& in_batch) {
    if (!in_batch.empty() && Chance(35))
      return in_batch[Below(in_batch.size())];
    if (Chance(30)) return hot_[Below(hot_.size())];
    return PageKey{static_cast<uint32_t>(Below(kSpaces)),
                   static_cast<uint32_t>(Below(kPages))};
  }

  void AppendRandomBatch() {
    WalBatch batch(kMainTimeline);
    std::vector<PageKey> keys;
    std::string what;
    const int records = static_cast<int>(1 + Below(kMaxRecords));
    for (int i = 0; i < records; ++i) {
      const uint64_t kind = Below(100);
      if (kind < 32) {
        const PageKey key = RandomKey(keys);
        const std::string image = RandomBytes(page_size_);
        EXPECT_TRUE(batch.PutPageImage(key, image).ok());
        model_.Image(key, image);
        keys.push_back(key);
        absl::StrAppend(&what, " image ", KeyName(key), ";");
      } else if (kind < 95) {
        const PageKey key = RandomKey(keys);
        uint32_t size;
        const uint64_t shape = Below(100);
        if (shape < 70) {
          size = static_cast<uint32_t>(1 + Below(32));
        } else if (shape < 92) {
          size = static_cast<uint32_t>(33 + Below(page_size_ / 2));
        } else {
          size = page_size_;
        }
        uint32_t offset;
        if (Chance(10)) {
          offset = page_size_ - size;  // up to the last byte
        } else {
          offset = static_cast<uint32_t>(Below(page_size_ - size + 1));
        }
        const std::string bytes = RandomBytes(size);
        EXPECT_TRUE(batch.PutPageDelta(key, offset, bytes).ok());
        model_.Delta(key, offset, bytes);
        keys.push_back(key);
        absl::StrAppend(&what, " delta ", KeyName(key), " [", offset, ",",
                        offset + size, ");");
      } else {
        const uint32_t space = !keys.empty() && Chance(50)
                                   ? keys[Below(keys.size())].space
                                   : static_cast<uint32_t>(Below(kSpaces + 1));
        const uint32_t count =
            Chance(50) ? static_cast<uint32_t>(Below(kPages + 2))
                       : static_cast<uint32_t>(kPages - 6 + Below(8));
        batch.PutSpaceTruncate(space, count);
        model_.Truncate(space, count);
        absl::StrAppend(&what, " truncate space ", space, " to ", count, ";");
      }
    }
    records_ += records;
    absl::StatusOr<AppendResult> r = engine_->Append(batch);
    if (!r.ok()) {
      Note(absl::StrCat("append batch #", batches_.size(), ":", what));
      Fail(absl::StrCat("Append: ", r.status().ToString()));
      return;
    }
    Note(absl::StrCat("append batch #", batches_.size(), " [",
                      LsnName(r->start_lsn), ", ", LsnName(r->commit_lsn),
                      "):", what));
    if (r->start_lsn < model_.latest() || r->commit_lsn <= r->start_lsn) {
      Fail(absl::StrCat("Append returned start ", LsnName(r->start_lsn),
                        " commit ", LsnName(r->commit_lsn),
                        " after the previous commit ",
                        LsnName(model_.latest())));
      return;
    }
    {
      std::lock_guard<std::mutex> l(model_mu_);  // the reader reads them
      model_.Commit(r->commit_lsn);
      batches_.push_back({r->start_lsn, r->commit_lsn});
    }
    if (engine_->latest_lsn() != r->commit_lsn) {
      Fail(absl::StrCat("latest_lsn() after Append is ",
                        LsnName(engine_->latest_lsn()), ", the batch's is ",
                        LsnName(r->commit_lsn)));
    }
  }

  // --- reads ---
  // An LSN to read at, at most the latest, and how it was chosen.
  std::optional<Lsn> RandomLsn(std::string* how) {
    const Lsn latest = model_.latest();
    const uint64_t r = Below(100);
    if (r < 15 || batches_.empty()) {
      if (batches_.empty() && Chance(50)) {
        *how = "zero";
        return Lsn{0};
      }
      *how = "latest";
      return std::nullopt;
    }
    const size_t i =
        Chance(50)
            ? batches_.size() - 1 - Below(std::min<size_t>(10, batches_.size()))
            : Below(batches_.size());
    const BatchLsns& b = batches_[i];
    if (r < 25) {
      *how = "the latest, explicitly";
      return latest;
    }
    if (r < 30) {
      *how = "zero";
      return Lsn{0};
    }
    if (r < 55) {
      *how = absl::StrCat("the commit of batch #", i);
      return b.commit;
    }
    if (r < 75) {
      const Lsn lsn = b.start + Below(b.commit - b.start);
      *how =
          absl::StrCat("inside batch #", i, " [", b.start, ", ", b.commit, ")");
      return lsn;
    }
    if (r < 85) {
      *how = absl::StrCat("the last byte of batch #", i, " (commit - 1)");
      return b.commit - 1;
    }
    *how = "uniform in [0, latest]";
    return Below(latest + 1);
  }

  PageKey RandomReadKey() {
    const uint64_t r = Below(100);
    if (r < 5) return PageKey{kSpaces, static_cast<uint32_t>(Below(kPages))};
    if (r < 10)
      return PageKey{static_cast<uint32_t>(Below(kSpaces)),
                     kPages + static_cast<uint32_t>(Below(3))};
    if (r < 35) return hot_[Below(hot_.size())];
    return PageKey{static_cast<uint32_t>(Below(kSpaces)),
                   static_cast<uint32_t>(Below(kPages))};
  }

  // Compares one read with the model; `lsn` is what was passed to the
  // engine (nullopt: latest).
  void Compare(const char* call, PageKey key, std::optional<Lsn> lsn,
               const std::string& how, const absl::StatusOr<std::string>& got) {
    ++reads_;
    const Lsn at = lsn.value_or(model_.latest());
    const std::optional<std::string> want = model_.PageAt(key, at);
    auto fail = [&](const std::string& why) {
      Fail(absl::StrCat(call, " of page ", KeyName(key), " at lsn ",
                        LsnName(lsn), " [", how, "]: ", why, "\n  engine: ",
                        got.ok() ? absl::StrCat(got->size(), " bytes")
                                 : got.status().ToString(),
                        "\n  model:  ", Describe(want)));
    };
    if (!want) {
      if (got.status().code() != absl::StatusCode::kNotFound) {
        fail(got.ok() ? "the engine has the page; the model says absent"
                      : "want NOT_FOUND");
      }
      return;
    }
    if (!got.ok()) {
      fail("the model has the page");
      return;
    }
    if (*got != *want) fail(Diff(*got, *want));
  }

  void CheckPage(PageKey key, std::optional<Lsn> lsn, const std::string& how) {
    Compare("GetPage", key, lsn, how, engine_->GetPage(kMainBranch, key, lsn));
  }

  void CheckSpaceSize(uint32_t space, std::optional<Lsn> lsn,
                      const std::string& how) {
    ++reads_;
    const uint32_t want =
        model_.SpaceSizeAt(space, lsn.value_or(model_.latest()));
    absl::StatusOr<uint32_t> got =
        engine_->GetSpaceSize(kMainBranch, space, lsn);
    if (!got.ok() || *got != want) {
      Fail(absl::StrCat("GetSpaceSize of space ", space, " at lsn ",
                        LsnName(lsn), " [", how, "]: engine ",
                        got.ok() ? absl::StrCat(*got) : got.status().ToString(),
                        ", model ", want));
    }
  }

  void CheckPages(const std::vector<PageKey>& keys, std::optional<Lsn> lsn,
                  const std::string& how) {
    absl::StatusOr<std::vector<absl::StatusOr<std::string>>> got =
        engine_->GetPages(kMainBranch, keys, lsn);
    if (!got.ok() || got->size() != keys.size()) {
      Fail(absl::StrCat("GetPages of ", keys.size(), " keys at lsn ",
                        LsnName(lsn), " [", how, "]: ",
                        got.ok() ? absl::StrCat(got->size(), " results")
                                 : got.status().ToString()));
      return;
    }
    for (size_t i = 0; i < keys.size() && !failed_; ++i) {
      Compare("GetPages", keys[i], lsn, how, (*got)[i]);
    }
  }

  void CheckOutOfRange() {
    const Lsn latest = model_.latest();
    const Lsn lsn = Chance(20) ? ~Lsn{0} : latest + 1 + Below(5000);
    const PageKey key = RandomReadKey();
    const std::string past = absl::StrCat(" at lsn ", LsnName(lsn),
                                          " past the latest ", LsnName(latest));
    auto expect = [&](const absl::Status& s, const std::string& call) {
      ++reads_;
      if (s.code() != absl::StatusCode::kOutOfRange) {
        Fail(absl::StrCat(call, past, ": want OUT_OF_RANGE, got ",
                          s.ToString()));
      }
    };
    expect(engine_->GetPage(kMainBranch, key, lsn).status(),
           absl::StrCat("GetPage of ", KeyName(key)));
    if (failed_) return;
    expect(engine_->GetSpaceSize(kMainBranch, key.space, lsn).status(),
           absl::StrCat("GetSpaceSize of space ", key.space));
    if (failed_) return;
    expect(engine_->GetPages(kMainBranch, {key}, lsn).status(), "GetPages");
  }

  void RandomReads() {
    const int n = static_cast<int>(1 + Below(8));
    for (int i = 0; i < n && !failed_; ++i) {
      std::string how;
      const std::optional<Lsn> lsn = RandomLsn(&how);
      CheckPage(RandomReadKey(), lsn, how);
    }
    for (int i = 0; i < 2 && !failed_; ++i) {
      std::string how;
      const std::optional<Lsn> lsn = RandomLsn(&how);
      CheckSpaceSize(static_cast<uint32_t>(Below(kSpaces + 1)), lsn, how);
    }
    if (!failed_ && Chance(30)) {
      std::vector<PageKey> keys;
      const int k = static_cast<int>(Below(10));  // sometimes none
      for (int i = 0; i < k; ++i) keys.push_back(RandomReadKey());
      std::string how;
      const std::optional<Lsn> lsn = RandomLsn(&how);
      CheckPages(keys, lsn, how);
    }
    if (!failed_ && Chance(10)) CheckOutOfRange();
  }

  // Every page (and a few never written) and every space at one LSN.
  void CheckEverythingAt(std::optional<Lsn> lsn, const std::string& how) {
    for (uint32_t s = 0; s <= kSpaces && !failed_; ++s) {
      for (uint32_t p = 0; p < kPages + 2 && !failed_; ++p) {
        CheckPage({s, p}, lsn, how);
      }
      if (!failed_) CheckSpaceSize(s, lsn, how);
    }
  }

  // A sample of the whole history: commits and LSNs inside batches.
  void CheckHistory(const std::string& when) {
    const size_t stride = std::max<size_t>(1, batches_.size() / 150);
    for (size_t i = 0; i < batches_.size() && !failed_; i += stride) {
      const BatchLsns& b = batches_[i];
      CheckEverythingAt(b.commit, absl::StrCat(when, ", commit of batch #", i));
      if (!failed_) {
        CheckEverythingAt(b.start + Below(b.commit - b.start),
                          absl::StrCat(when, ", inside batch #", i));
      }
    }
    if (!failed_) CheckEverythingAt(Lsn{0}, absl::StrCat(when, ", lsn 0"));
  }

  // --- the concurrent reader ---
  // While the engine is open (and the seed says so), a second thread reads
  // pages and space sizes at committed LSNs and compares them with the
  // model, racing with appends, flushes, materialisation and compaction.
  // Its randomness is its own, so the main sequence stays reproducible.
  void StartReader() {
    if (!use_reader_ || failed_) return;
    reader_stop_ = false;
    Engine* engine = engine_.get();
    const uint64_t reader_seed = seed_ * 31 + static_cast<uint64_t>(opens_);
    reader_ = std::thread(
        [this, engine, reader_seed] { ReaderLoop(engine, reader_seed); });
  }

  void StopReader() {
    if (!reader_.joinable()) return;
    reader_stop_ = true;
    reader_.join();
    CheckReader();
  }

  void CheckReader() {
    std::string failure;
    {
      std::lock_guard<std::mutex> l(model_mu_);
      failure.swap(reader_failure_);
    }
    if (!failure.empty()) {
      Fail(absl::StrCat("concurrent reader (reader seed ", seed_, "*31+",
                        "open count; timing dependent): ", failure));
    }
  }

  void ReaderLoop(Engine* engine, uint64_t reader_seed) {
    std::mt19937_64 rng(reader_seed);
    while (!reader_stop_.load()) {
      PageKey key{static_cast<uint32_t>(rng() % (kSpaces + 1)),
                  static_cast<uint32_t>(rng() % (kPages + 1))};
      Lsn lsn = 0;
      std::string how;
      std::optional<std::string> want;
      uint32_t want_size = 0;
      {
        std::lock_guard<std::mutex> l(model_mu_);
        if (!batches_.empty()) {
          const size_t n = batches_.size();
          const size_t i = rng() % 2 == 0
                               ? n - 1 - rng() % std::min<size_t>(n, 5)
                               : rng() % n;
          const BatchLsns& b = batches_[i];
          if (rng() % 2 == 0) {
            lsn = b.commit;
            how = absl::StrCat("the commit of batch #", i);
          } else {
            lsn = b.start + rng() % (b.commit - b.start);
            how = absl::StrCat("inside batch #", i);
          }
        }
        want = model_.PageAt(key, lsn);
        want_size = model_.SpaceSizeAt(key.space, lsn);
      }
      std::string failure;
      absl::StatusOr<std::string> got = engine->GetPage(kMainBranch, key, lsn);
      if (!want ? got.status().code() != absl::StatusCode::kNotFound
                : !got.ok() || *got != *want) {
        failure = absl::StrCat(
            "GetPage of page ", KeyName(key), " at lsn ", LsnName(lsn), " [",
            how, "]: engine ",
            got.ok() ? absl::StrCat(got->size(), " bytes")
                     : got.status().ToString(),
            ", model ", Describe(want),
            got.ok() && want ? absl::StrCat("; ", Diff(*got, *want)) : "");
      } else {
        absl::StatusOr<uint32_t> size =
            engine->GetSpaceSize(kMainBranch, key.space, lsn);
        if (!size.ok() || *size != want_size) {
          failure = absl::StrCat(
              "GetSpaceSize of space ", key.space, " at lsn ", LsnName(lsn),
              " [", how, "]: engine ",
              size.ok() ? absl::StrCat(*size) : size.status().ToString(),
              ", model ", want_size);
        }
      }
      reader_reads_ += 2;
      if (!failure.empty()) {
        std::lock_guard<std::mutex> l(model_mu_);
        reader_failure_ = failure;
        return;
      }
    }
  }

  void FinalCheck() {
    if (crash_steps_left_ > 0) FinishCrash();
    if (failed_) return;
    Note("final check");
    CheckHistory("final check");
    if (failed_) return;
    ++reopens_;
    Close("final reopen");
    if (failed_) return;
    Open(RandomOptions(), "final reopen");
    if (failed_) return;
    if (!failed_) CheckHistory("final check after a reopen");
  }

  const uint64_t seed_;
  const int steps_;
  std::mt19937_64 rng_;
  const uint32_t page_size_;
  PageModel model_;
  const std::string dir_;
  // Seeds 0 and 1 mod 4 run the concurrent reader.
  const bool use_reader_;
  std::unique_ptr<Engine> engine_;
  std::vector<PageKey> hot_;
  std::vector<BatchLsns> batches_;
  std::deque<std::string> ops_;
  int step_ = 0;
  bool failed_ = false;
  int crash_steps_left_ = 0;
  Lsn crash_from_ = 0;
  // Counters for the summary line.
  int opens_ = 0;
  int reopens_ = 0;
  int crashes_ = 0;
  int flushes_ = 0;
  uint64_t records_ = 0;
  uint64_t reads_ = 0;

  // Shared with the concurrent reader: what the model has committed.
  std::mutex model_mu_;
  std::string reader_failure_;  // guarded by model_mu_
  std::thread reader_;
  std::atomic<bool> reader_stop_{false};
  std::atomic<uint64_t> reader_reads_{0};
};

// The model itself, on cases worked out by hand: a wrong model would hide
// engine bugs.
TEST(PageModelTest, FollowsTheDocumentedSemantics) {
  PageModel m(8);
  EXPECT_EQ(m.PageAt({0, 0}, 0), std::nullopt);
  m.Delta({0, 2}, 1, "ab");  // a delta on a new page starts from zeros
  m.Image({0, 2}, "12345678");
  m.Delta({0, 2}, 6, "x");  // same page, same batch: in record order
  m.Commit(100);
  m.Image({0, 0}, "AAAAAAAA");
  m.Truncate(0, 1);         // removes 0/2; the size drops to 1
  m.Delta({0, 2}, 7, "z");  // the page comes back from zeros
  m.Truncate(1, 5);         // a space never written keeps size 0
  m.Commit(200);
  m.Truncate(0, 0);
  m.Commit(300);
  m.Delta({0, 5}, 0, "q");
  m.Truncate(0, 3);  // no page below 3 exists, yet the size is 3
  m.Commit(400);

  EXPECT_EQ(m.PageAt({0, 2}, 99), std::nullopt);
  EXPECT_EQ(m.PageAt({0, 2}, 100), "123456x8");
  EXPECT_EQ(m.PageAt({0, 2}, 199), "123456x8");
  EXPECT_EQ(m.PageAt({0, 2}, 200), std::string("\0\0\0\0\0\0\0z", 8));
  EXPECT_EQ(m.PageAt({0, 0}, 250), "AAAAAAAA");
  EXPECT_EQ(m.PageAt({0, 0}, 300), std::nullopt);
  EXPECT_EQ(m.PageAt({0, 2}, 300), std::nullopt);
  EXPECT_EQ(m.PageAt({0, 5}, 1000), std::nullopt);
  EXPECT_EQ(m.SpaceSizeAt(0, 0), 0u);
  EXPECT_EQ(m.SpaceSizeAt(0, 100), 3u);
  EXPECT_EQ(m.SpaceSizeAt(0, 200), 3u);  // 1 after the truncate, 3 after 0/2
  EXPECT_EQ(m.SpaceSizeAt(0, 300), 0u);
  EXPECT_EQ(m.SpaceSizeAt(0, 400), 3u);  // 6, then truncated to 3
  EXPECT_EQ(m.SpaceSizeAt(1, 400), 0u);
  EXPECT_EQ(m.latest(), 400u);
}

TEST(EngineModelTest, RandomHistoriesMatchTheModel) {
  const std::vector<uint64_t> seeds = SeedsFromEnv(kDefaultSeeds);
  const int steps = StepsFromEnv(kDefaultSteps);
  ASSERT_FALSE(seeds.empty());
  for (uint64_t seed : seeds) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    ModelRun run(seed, steps);
    run.Run();
  }
}

}  // namespace
}  // namespace pitr
