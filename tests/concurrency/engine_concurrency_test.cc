// Background work racing with appends and reads (invariants 2 and 3 of
// docs/design.md under concurrency): appender threads, each owning the pages of
// one space and recording every state it commits; reader threads reading at
// random LSNs up to latest_lsn() and checking every answer whose expected
// value is known; the maintenance thread flushing (tiny flush_age, small
// memtables, small WAL segments, so the WAL is trimmed all the time) and
// materialising images (after 3 deltas); and a thread calling Flush() and
// MaterializePendingImages() at random. It runs for a fixed time; what it
// checks does not depend on timing: every read must match the model. A
// read is checked at once if the state it should see is known then, and
// otherwise at the end, when every commit LSN is known (a read at the latest
// LSN often races with the batch that made it the latest). Then every
// committed state of every page is read back at its commit LSN (and one LSN
// before), before and after a restart.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/mutex.h"
#include "engine/engine.h"
#include "engine/testing/engine_fixture.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

constexpr uint32_t kPageSize = 512;
constexpr int kAppenders = 3;
constexpr int kReaders = 3;
constexpr uint32_t kPagesPerAppender = 4;
constexpr absl::Duration kRunFor = absl::Seconds(3);

// Appender i owns pages 0..kPagesPerAppender-1 of space i + 1.
uint32_t SpaceOf(int appender) { return static_cast<uint32_t>(appender) + 1; }

// The pages of one appender's space after one of its batches.
struct SpaceState {
  Lsn commit_lsn = 0;  // 0: before its first batch
  std::array<std::optional<std::string>, kPagesPerAppender> pages;
  uint32_t size = 0;  // the space's size
};

// Everything one appender committed, in LSN order. Thread-safe.
class AppenderLog {
 public:
  void Add(const SpaceState& state) {
    MutexLock l(&mu_);
    states_.push_back(state);
  }
  void Finish() {
    MutexLock l(&mu_);
    finished_ = true;
  }

  // The state as of `lsn`, if it is known: it is unless a batch at or
  // before `lsn` may have been acknowledged without being recorded yet,
  // i.e. unless no recorded batch is past `lsn` (batches of one appender
  // are sequential, so one past `lsn` means all before it are recorded).
  std::optional<SpaceState> At(Lsn lsn) const {
    MutexLock l(&mu_);
    auto after = std::upper_bound(
        states_.begin(), states_.end(), lsn,
        [](Lsn l, const SpaceState& s) { return l < s.commit_lsn; });
    if (after == states_.end() && !finished_) return std::nullopt;
    if (after == states_.begin()) return SpaceState();
    return *std::prev(after);
  }

  std::vector<SpaceState> All() const {
    MutexLock l(&mu_);
    return states_;
  }

 private:
  mutable Mutex mu_;
  std::vector<SpaceState> states_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

// "" if `got` is what `want` says page `page` of space `space` is.
std::string Mismatch(const absl::StatusOr<std::string>& got,
                     const SpaceState& want, uint32_t space, uint32_t page,
                     Lsn lsn) {
  const std::optional<std::string>& expected = want.pages[page];
  std::string problem;
  if (!expected) {
    if (got.status().code() != absl::StatusCode::kNotFound) {
      problem = got.ok() ? "exists, but was never written or was truncated"
                         : got.status().ToString();
    }
  } else if (!got.ok()) {
    problem = got.status().ToString();
  } else if (*got != *expected) {
    problem = "wrong content";
  }
  if (problem.empty()) return "";
  return absl::StrCat("page ", space, "/", page, " at lsn ", FormatLsn(lsn),
                      " (the state committed at ", FormatLsn(want.commit_lsn),
                      "): ", problem);
}

// A read that could not be checked when it was made: what it returned.
struct Observation {
  int appender = 0;
  uint32_t page = 0;  // kSizeRead: the space size was read
  Lsn lsn = 0;
  absl::StatusCode code = absl::StatusCode::kOk;
  uint64_t value = 0;  // a hash of the page, or the size
};
constexpr uint32_t kSizeRead = 0xFFFFFFFF;

uint64_t Hash(const std::string& page) {
  return std::hash<std::string>()(page);
}

class EngineConcurrencyTest : public testing::EngineFixture {
 protected:
  void SetUp() override {
    options_ = testing::TestEngineOptions("engine_concurrency", kPageSize);
    options_.wal_segment_size = 8192;
    options_.memtable_bytes = 128 << 10;
    options_.flush_age = absl::Milliseconds(5);
    options_.image_after_deltas = 3;
    options_.maintenance_interval = absl::Milliseconds(1);
    options_.cache_bytes = 1 << 20;
    Reopen();
  }

  // Appends random batches to the appender's own space until stop_.
  void Append(int appender) {
    std::mt19937_64 rng(1000 + appender);
    const uint32_t space = SpaceOf(appender);
    SpaceState state;
    while (!stop_.load()) {
      WalBatch batch(kMainTimeline);
      const int records = 1 + static_cast<int>(rng() % 3);
      for (int r = 0; r < records; ++r) {
        const uint32_t page = static_cast<uint32_t>(rng() % kPagesPerAppender);
        std::optional<std::string>& content = state.pages[page];
        const int dice = static_cast<int>(rng() % 100);
        if (dice < 3) {  // truncate
          const uint32_t count =
              static_cast<uint32_t>(rng() % kPagesPerAppender);
          batch.PutSpaceTruncate(space, count);
          for (uint32_t p = count; p < kPagesPerAppender; ++p)
            state.pages[p].reset();
          state.size = std::min(state.size, count);
          continue;
        }
        std::string bytes;
        if (dice < 25) {
          bytes = std::string(kPageSize, static_cast<char>(rng()));
          ASSERT_TRUE(batch.PutPageImage({space, page}, bytes).ok());
          content = bytes;
        } else {
          const uint32_t offset = static_cast<uint32_t>(rng() % kPageSize);
          const size_t length =
              1 + rng() % std::min<size_t>(32, kPageSize - offset);
          for (size_t i = 0; i < length; ++i)
            bytes.push_back(static_cast<char>(rng()));
          ASSERT_TRUE(batch.PutPageDelta({space, page}, offset, bytes).ok());
          if (!content) content = std::string(kPageSize, '\0');
          content->replace(offset, length, bytes);
        }
        state.size = std::max(state.size, page + 1);
      }
      absl::StatusOr<AppendResult> r = engine_->Append(batch);
      ASSERT_TRUE(r.ok()) << r.status();
      state.commit_lsn = r->commit_lsn;
      logs_[appender].Add(state);
      appended_.fetch_add(1);
    }
  }

  // Reads at random LSNs up to the latest: checks what can be checked now,
  // keeps the rest in *later.
  void Read(int reader, std::vector<Observation>* later) {
    std::mt19937_64 rng(2000 + reader);
    while (!stop_.load() && failures_.load() < 10) {
      const Lsn latest = engine_->latest_lsn();
      // A quarter at the latest LSN, a quarter near it (where flushes and
      // images are being made), half anywhere.
      Lsn lsn = latest;
      switch (rng() % 4) {
        case 0:
          break;
        case 1:
          lsn -= rng() % std::min<Lsn>(latest + 1, 4096);
          break;
        default:
          lsn = rng() % (latest + 1);
      }
      const int appender = static_cast<int>(rng() % kAppenders);
      const uint32_t space = SpaceOf(appender);
      const int what = static_cast<int>(rng() % 10);
      if (what == 0) {  // the space size
        absl::StatusOr<uint32_t> size =
            engine_->GetSpaceSize(kMainBranch, space, lsn);
        std::optional<SpaceState> want = logs_[appender].At(lsn);
        if (!want) {
          later->push_back({appender, kSizeRead, lsn, size.status().code(),
                            size.ok() ? *size : 0});
        } else {
          CheckSize(size, *want, space, lsn);
        }
      } else if (what == 1) {  // all its pages at once
        std::vector<PageKey> keys;
        for (uint32_t p = 0; p < kPagesPerAppender; ++p)
          keys.push_back({space, p});
        auto pages = engine_->GetPages(kMainBranch, keys, lsn);
        if (!pages.ok()) {
          Fail(pages.status().ToString());
          continue;
        }
        std::optional<SpaceState> want = logs_[appender].At(lsn);
        for (uint32_t p = 0; p < kPagesPerAppender; ++p) {
          if (want) {
            Check((*pages)[p], *want, space, p, lsn);
          } else {
            later->push_back(Observe(appender, p, lsn, (*pages)[p]));
          }
        }
      } else {
        const uint32_t page = static_cast<uint32_t>(rng() % kPagesPerAppender);
        absl::StatusOr<std::string> got =
            engine_->GetPage(kMainBranch, {space, page}, lsn);
        std::optional<SpaceState> want = logs_[appender].At(lsn);
        if (want) {
          Check(got, *want, space, page, lsn);
        } else {
          later->push_back(Observe(appender, page, lsn, got));
        }
      }
    }
  }

  static Observation Observe(int appender, uint32_t page, Lsn lsn,
                             const absl::StatusOr<std::string>& got) {
    return {appender, page, lsn, got.status().code(),
            got.ok() ? Hash(*got) : 0};
  }

  // Checks a read kept for later, now that every commit is known.
  void CheckLater(const Observation& o) {
    const SpaceState want = *logs_[o.appender].At(o.lsn);
    checked_later_.fetch_add(1);
    const uint32_t space = SpaceOf(o.appender);
    if (o.page == kSizeRead) {
      CheckSize(o.code == absl::StatusCode::kOk
                    ? absl::StatusOr<uint32_t>(static_cast<uint32_t>(o.value))
                    : absl::StatusOr<uint32_t>(absl::Status(o.code, "read")),
                want, space, o.lsn);
      return;
    }
    const std::optional<std::string>& expected = want.pages[o.page];
    const bool ok =
        expected ? o.code == absl::StatusCode::kOk && o.value == Hash(*expected)
                 : o.code == absl::StatusCode::kNotFound;
    if (!ok) {
      Fail(absl::StrCat("page ", space, "/", o.page, " at lsn ",
                        FormatLsn(o.lsn), " (the state committed at ",
                        FormatLsn(want.commit_lsn), "): the read returned ",
                        absl::StatusCodeToString(o.code),
                        expected ? " and not the committed page"
                                 : ", but the page did not exist"));
    }
  }

  void CheckSize(const absl::StatusOr<uint32_t>& size, const SpaceState& want,
                 uint32_t space, Lsn lsn) {
    checked_.fetch_add(1);
    if (!size.ok() || *size != want.size) {
      Fail(absl::StrCat(
          "size of space ", space, " at lsn ", FormatLsn(lsn), ": ",
          size.ok() ? absl::StrCat(*size) : size.status().ToString(),
          ", expected ", want.size, " (the state committed at ",
          FormatLsn(want.commit_lsn), ")"));
    }
  }

  void Check(const absl::StatusOr<std::string>& got, const SpaceState& want,
             uint32_t space, uint32_t page, Lsn lsn) {
    checked_.fetch_add(1);
    std::string problem = Mismatch(got, want, space, page, lsn);
    if (!problem.empty()) Fail(problem);
  }

  void Fail(const std::string& problem) {
    if (failures_.fetch_add(1) < 10) ADD_FAILURE() << problem;
  }

  // Flushes and materialises images at random moments, on top of the
  // maintenance thread doing the same.
  void Disturb() {
    std::mt19937_64 rng(3000);
    while (!stop_.load()) {
      absl::SleepFor(absl::Microseconds(rng() % 3000));
      if (rng() % 2 == 0) {
        const absl::Status flushed = engine_->Flush();
        ASSERT_TRUE(flushed.ok()) << flushed;
      } else {
        const absl::Status materialised = engine_->MaterializePendingImages();
        ASSERT_TRUE(materialised.ok()) << materialised;
      }
    }
  }

  // Every committed state of every page, at its commit LSN and just before.
  void CheckAllHistory() {
    for (int a = 0; a < kAppenders; ++a) {
      const uint32_t space = SpaceOf(a);
      SpaceState before;
      for (const SpaceState& state : logs_[a].All()) {
        for (uint32_t p = 0; p < kPagesPerAppender; ++p) {
          Check(engine_->GetPage(kMainBranch, {space, p}, state.commit_lsn),
                state, space, p, state.commit_lsn);
          Check(engine_->GetPage(kMainBranch, {space, p}, state.commit_lsn - 1),
                before, space, p, state.commit_lsn - 1);
        }
        CheckSize(engine_->GetSpaceSize(kMainBranch, space, state.commit_lsn),
                  state, space, state.commit_lsn);
        if (failures_.load() > 0) return;
        before = state;
      }
    }
  }

  std::array<AppenderLog, kAppenders> logs_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> appended_{0};
  std::atomic<uint64_t> checked_{0};
  std::atomic<uint64_t> checked_later_{0};
  std::atomic<int> failures_{0};
};

TEST_F(EngineConcurrencyTest, ReadsAtAnyLsnSeeExactlyWhatWasCommitted) {
  std::vector<std::thread> threads;
  for (int a = 0; a < kAppenders; ++a)
    threads.emplace_back([this, a] { Append(a); });
  std::array<std::vector<Observation>, kReaders> later;
  for (int r = 0; r < kReaders; ++r)
    threads.emplace_back([this, r, &later] { Read(r, &later[r]); });
  threads.emplace_back([this] { Disturb(); });
  absl::SleepFor(kRunFor);
  stop_ = true;
  for (std::thread& t : threads) t.join();
  for (AppenderLog& log : logs_) log.Finish();
  for (const std::vector<Observation>& observations : later) {
    for (const Observation& o : observations) CheckLater(o);
  }

  const EngineStats stats = engine_->stats();
  const uint64_t checked_live = checked_.load();
  std::printf(
      "%lu batches, %lu reads checked while running and %lu after, "
      "%lu flushes, %lu images materialised, longest chain read %lu\n",
      static_cast<unsigned long>(appended_.load()),
      static_cast<unsigned long>(checked_live),
      static_cast<unsigned long>(checked_later_.load()),
      static_cast<unsigned long>(stats.flushes),
      static_cast<unsigned long>(stats.images_materialized),
      static_cast<unsigned long>(stats.longest_chain_read));
  ASSERT_EQ(failures_.load(), 0);
  // The race must really have happened.
  EXPECT_GT(appended_.load(), 100u);
  EXPECT_GT(checked_live, 100u);
  EXPECT_GT(stats.flushes, 2u);
  EXPECT_GT(stats.images_materialized, 10u);
  // Reads at the latest LSN raced the appends through the hot pages too.
  std::printf("%lu reads answered by the hot pages\n",
              static_cast<unsigned long>(stats.hot_page_hits));
  EXPECT_GT(stats.hot_page_hits, 100u);

  CheckAllHistory();
  ASSERT_EQ(failures_.load(), 0) << "after the run";
  Reopen();
  CheckAllHistory();
  ASSERT_EQ(failures_.load(), 0) << "after a restart";
}

}  // namespace
}  // namespace pitr
