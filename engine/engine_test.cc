// The engine's behaviour: reads at LSNs, history, truncation, space sizes,
// bad input, recovery, flushing and image materialisation.
#include "engine/engine.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "base/testing/test_files.h"
#include "engine/testing/engine_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::pitr::testing::NewTestDir;
using ::testing::HasSubstr;

constexpr uint32_t kPage = 512;

std::string Filled(char c) { return std::string(kPage, c); }

class EngineTest : public testing::EngineFixture {
 protected:
  void SetUp() override {
    options_ = testing::TestEngineOptions("engine", kPage);
    options_.maintenance_interval = absl::Milliseconds(5);
    Reopen();
  }

  Lsn Image(PageKey key, char c) {
    WalBatch batch(kMainTimeline);
    EXPECT_TRUE(batch.PutPageImage(key, Filled(c)).ok());
    return Commit(batch);
  }

  Lsn Delta(PageKey key, uint32_t offset, absl::string_view bytes) {
    WalBatch batch(kMainTimeline);
    EXPECT_TRUE(batch.PutPageDelta(key, offset, bytes).ok());
    return Commit(batch);
  }

  Lsn Commit(const WalBatch& batch) {
    absl::StatusOr<AppendResult> r = engine_->Append(batch);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->commit_lsn : 0;
  }

  std::string Read(PageKey key, std::optional<Lsn> lsn = std::nullopt) {
    absl::StatusOr<std::string> page = engine_->GetPage(kMainBranch, key, lsn);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *page : "";
  }
};

TEST_F(EngineTest, ReadsAPageAtEveryLsnOfItsHistory) {
  const PageKey key{1, 7};
  const Lsn a = Image(key, 'a');
  const Lsn b = Delta(key, 10, "xyz");
  const Lsn c = Image(key, 'c');
  const Lsn d = Delta(key, 0, "Q");

  std::string at_b = Filled('a');
  at_b.replace(10, 3, "xyz");
  std::string at_d = Filled('c');
  at_d[0] = 'Q';
  EXPECT_EQ(Read(key, a), Filled('a'));
  EXPECT_EQ(Read(key, b - 1), Filled('a'));  // inside the next batch: not yet
  EXPECT_EQ(Read(key, b), at_b);
  EXPECT_EQ(Read(key, c), Filled('c'));
  EXPECT_EQ(Read(key, d), at_d);
  EXPECT_EQ(Read(key), at_d);  // latest
  EXPECT_EQ(engine_->latest_lsn(), d);

  absl::StatusOr<std::string> before =
      engine_->GetPage(kMainBranch, key, a - 1);
  EXPECT_EQ(before.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(EngineTest, ABatchIsVisibleWhole) {
  WalBatch batch(kMainTimeline);
  ASSERT_TRUE(batch.PutPageImage({1, 1}, Filled('x')).ok());
  ASSERT_TRUE(batch.PutPageDelta({1, 1}, 0, "ab").ok());
  ASSERT_TRUE(batch.PutPageDelta({1, 1}, 1, "c").ok());
  ASSERT_TRUE(batch.PutPageImage({1, 2}, Filled('y')).ok());
  absl::StatusOr<AppendResult> r = engine_->Append(batch);
  ASSERT_TRUE(r.ok());
  std::string expected = Filled('x');
  expected.replace(0, 2, "ac");
  EXPECT_EQ(Read({1, 1}), expected);
  EXPECT_EQ(Read({1, 2}), Filled('y'));
  for (Lsn inside = r->start_lsn; inside < r->commit_lsn; inside += 7) {
    EXPECT_EQ(engine_->GetPage(kMainBranch, {1, 1}, inside).status().code(),
              absl::StatusCode::kNotFound);
  }
}

TEST_F(EngineTest, ADeltaOnANewPageStartsFromZeros) {
  Delta({2, 0}, 4, "hi");
  std::string expected(kPage, '\0');
  expected.replace(4, 2, "hi");
  EXPECT_EQ(Read({2, 0}), expected);
}

TEST_F(EngineTest, TruncationRemovesPagesAndShrinksTheSpace) {
  Image({3, 0}, 'a');
  Image({3, 1}, 'b');
  const Lsn before = Image({3, 2}, 'c');
  EXPECT_EQ(*engine_->GetSpaceSize(kMainBranch, 3), 3u);
  WalBatch truncate(kMainTimeline);
  truncate.PutSpaceTruncate(3, 1);
  const Lsn truncated = Commit(truncate);

  EXPECT_EQ(*engine_->GetSpaceSize(kMainBranch, 3), 1u);
  EXPECT_EQ(*engine_->GetSpaceSize(kMainBranch, 3, before), 3u);
  EXPECT_EQ(Read({3, 0}), Filled('a'));
  EXPECT_EQ(engine_->GetPage(kMainBranch, {3, 1}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Read({3, 2}, before), Filled('c'));  // history stays

  const Lsn rewritten = Delta({3, 2}, 0, "z");  // the page comes back
  std::string expected(kPage, '\0');
  expected[0] = 'z';
  EXPECT_EQ(Read({3, 2}), expected);
  EXPECT_EQ(*engine_->GetSpaceSize(kMainBranch, 3, rewritten), 3u);
  EXPECT_EQ(*engine_->GetSpaceSize(kMainBranch, 3, truncated), 1u);
  EXPECT_EQ(*engine_->GetSpaceSize(kMainBranch, 99), 0u);
}

TEST_F(EngineTest, RefusesBadInputAndChangesNothing) {
  Image({1, 1}, 'a');
  const Lsn latest = engine_->latest_lsn();
  auto expect_refused = [&](const WalBatch& batch, absl::StatusCode code,
                            absl::string_view text) {
    absl::StatusOr<AppendResult> r = engine_->Append(batch);
    EXPECT_EQ(r.status().code(), code) << r.status();
    EXPECT_THAT(r.status().message(), HasSubstr(std::string(text)));
    EXPECT_EQ(engine_->latest_lsn(), latest);
  };
  expect_refused(WalBatch(kMainTimeline), absl::StatusCode::kInvalidArgument,
                 "empty batch");
  WalBatch wrong_size(kMainTimeline);
  ASSERT_TRUE(wrong_size.PutPageImage({1, 1}, "short").ok());
  expect_refused(wrong_size, absl::StatusCode::kInvalidArgument,
                 "the image has 5 bytes but pages have 512");
  WalBatch past_end(kMainTimeline);
  ASSERT_TRUE(past_end.PutPageImage({1, 2}, Filled('b')).ok());  // fine...
  ASSERT_TRUE(past_end.PutPageDelta({1, 1}, 510, "abc").ok());   // ...not this
  expect_refused(past_end, absl::StatusCode::kInvalidArgument,
                 "covers bytes 510 to 513, past the end of the 512-byte page");
  WalBatch reserved(kMainTimeline);
  ASSERT_TRUE(reserved.PutPageImage({1, kInvalidPageNumber}, Filled('c')).ok());
  expect_refused(reserved, absl::StatusCode::kInvalidArgument, "reserved");
  WalBatch unknown(TimelineId(42));
  ASSERT_TRUE(unknown.PutPageImage({1, 1}, Filled('d')).ok());
  expect_refused(unknown, absl::StatusCode::kNotFound,
                 "branch #42 does not exist");

  EXPECT_EQ(Read({1, 1}), Filled('a'));
  EXPECT_EQ(engine_->GetPage(kMainBranch, {1, 2}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(EngineTest, RefusesCommitTimesFromTheFuture) {
  Image({1, 1}, 'a');
  const Lsn latest = engine_->latest_lsn();
  WalBatch far(kMainTimeline);
  ASSERT_TRUE(far.PutPageImage({1, 1}, Filled('f')).ok());
  far.SetTimestamp(absl::ToUnixMicros(absl::FromCivil(
      absl::CivilSecond(9999, 1, 1, 0, 0, 0), absl::UTCTimeZone())));
  absl::StatusOr<AppendResult> r = engine_->Append(far);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kOutOfRange) << r.status();
  EXPECT_THAT(r.status().message(),
              HasSubstr("commit time 9999-01-01T00:00:00"));
  EXPECT_THAT(r.status().message(), HasSubstr("ahead of the server's clock"));
  EXPECT_THAT(r.status().message(), HasSubstr("at most 1m ahead"));
  EXPECT_EQ(engine_->latest_lsn(), latest);

  // A time within the skew is accepted as it is.
  WalBatch soon(kMainTimeline);
  ASSERT_TRUE(soon.PutPageImage({1, 1}, Filled('s')).ok());
  const int64_t soon_us = absl::ToUnixMicros(absl::Now() + absl::Seconds(30));
  soon.SetTimestamp(soon_us);
  absl::StatusOr<AppendResult> accepted = engine_->Append(soon);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->timestamp_us, soon_us);
  EXPECT_EQ(Read({1, 1}), Filled('s'));

  // With no limit, the operator's choice, even year 9999 goes in.
  options_.max_clock_skew = absl::InfiniteDuration();
  Reopen();
  EXPECT_TRUE(engine_->Append(far).ok());
}

TEST_F(EngineTest, ReadsOutsideTheHistoryAreClearErrors) {
  const Lsn lsn = Image({1, 1}, 'a');
  absl::StatusOr<std::string> future =
      engine_->GetPage(kMainBranch, {1, 1}, lsn + 1);
  EXPECT_EQ(future.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(future.status().message(),
              HasSubstr(absl::StrCat("past the latest lsn ", FormatLsn(lsn))));
  EXPECT_EQ(engine_->GetPage(7, {1, 1}).status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<std::string> missing = engine_->GetPage(kMainBranch, {9, 9});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("page 9/9 does not exist"));
  EXPECT_EQ(
      engine_->GetPage(kMainBranch, {1, kInvalidPageNumber}).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, RecoversByReplayingTheWal) {
  namespace fs = std::filesystem;
  const Lsn a = Image({1, 1}, 'a');
  const Lsn b = Delta({1, 1}, 0, "bb");
  Reopen();  // Close flushed: the page store holds up to b
  const fs::path pages = fs::path(options_.dir) / "pages";
  const fs::path saved = fs::path(options_.dir + "_pages_at_b");
  fs::copy(pages, saved, fs::copy_options::recursive);
  Delta({1, 1}, 2, "cc");
  const Lsn d = Image({1, 2}, 'd');
  engine_.reset();
  // As after a crash: the page store lost the last two batches, the WAL
  // has them.
  fs::remove_all(pages);
  fs::rename(saved, pages);
  Reopen();
  EXPECT_EQ(engine_->stats().batches_replayed, 2u);
  EXPECT_EQ(engine_->latest_lsn(), d);
  std::string at_b = Filled('a');
  at_b.replace(0, 2, "bb");
  EXPECT_EQ(Read({1, 1}, a), Filled('a'));
  EXPECT_EQ(Read({1, 1}, b), at_b);
  at_b.replace(2, 2, "cc");
  EXPECT_EQ(Read({1, 1}), at_b);
  EXPECT_EQ(Read({1, 2}), Filled('d'));
}

TEST_F(EngineTest, FlushTrimsTheWal) {
  options_.wal_segment_size = 4096;
  Reopen();
  for (int i = 0; i < 50; ++i)
    Image({1, static_cast<uint32_t>(i)}, 'a' + i % 26);
  EXPECT_GT(engine_->wal().stats().segments, 3u);
  ASSERT_TRUE(engine_->Flush().ok());
  EXPECT_EQ(engine_->wal().stats().segments, 1u);
  EXPECT_EQ(engine_->stats().flushed_lsn, engine_->latest_lsn());
  Reopen();
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(Read({1, static_cast<uint32_t>(i)}), Filled('a' + i % 26));
  }
}

TEST_F(EngineTest, OldInMemoryLayersAreFlushedInTheBackground) {
  options_.flush_age = absl::Milliseconds(20);
  Reopen();
  Image({1, 1}, 'a');
  for (int i = 0; i < 200 && engine_->stats().flushes == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_GT(engine_->stats().flushes, 0u);
  EXPECT_EQ(engine_->stats().flushed_lsn, engine_->latest_lsn());
}

TEST_F(EngineTest, LongDeltaChainsGetImagesSoReadsStayShort) {
  options_.image_after_deltas = 8;
  Reopen();
  const PageKey key{1, 1};
  Image(key, '.');
  std::vector<Lsn> lsns;
  std::string expected = Filled('.');
  std::vector<std::string> states;
  for (int i = 0; i < 100; ++i) {
    std::string bytes = absl::StrCat(i % 10);
    lsns.push_back(Delta(key, static_cast<uint32_t>(i % kPage), bytes));
    expected.replace(i % kPage, bytes.size(), bytes);
    states.push_back(expected);
  }
  ASSERT_TRUE(engine_->MaterializePendingImages().ok());
  EXPECT_GE(engine_->stats().images_materialized, 12u);
  for (size_t i = 0; i < lsns.size(); ++i)
    EXPECT_EQ(Read(key, lsns[i]), states[i]);
  // Every read, at every LSN, walked fewer deltas than the threshold.
  EXPECT_LT(engine_->stats().longest_chain_read, 8u);
  Reopen();
  for (size_t i = 0; i < lsns.size(); ++i)
    EXPECT_EQ(Read(key, lsns[i]), states[i]);
}

// The hot pages (hot_pages.h) answer a read only with what the store holds
// at its LSN. Each case below gave a stale page while they were built.
TEST_F(EngineTest, HotPagesAnswerEveryReadAsTheStoreWould) {
  const PageKey key{1, 3};
  const Lsn a = Image(key, 'a');
  const Lsn b = Image(key, 'b');
  // A branch read before its branch point sees its parent's later batch.
  absl::StatusOr<Branch> child =
      engine_->CreateBranch("child", kMainBranch, {b, std::nullopt});
  ASSERT_TRUE(child.ok()) << child.status();
  auto read_child = [&](Lsn lsn) {
    absl::StatusOr<std::string> page = engine_->GetPage(child->id, key, lsn);
    return page.ok() ? *page : page.status().ToString();
  };
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(read_child(a), Filled('a'));
    EXPECT_EQ(read_child(b), Filled('b'));
  }
  // Batches of an earlier process: a read at an older point, then one at
  // the latest.
  const Lsn c = Image(key, 'c');
  Reopen();
  EXPECT_EQ(Read(key, b), Filled('b'));
  EXPECT_EQ(Read(key, c), Filled('c'));
  EXPECT_EQ(Read(key), Filled('c'));
  // A write drops the page; a truncation drops it too.
  const uint64_t hits = engine_->stats().hot_page_hits;
  EXPECT_EQ(Read(key), Filled('c'));
  EXPECT_GT(engine_->stats().hot_page_hits, hits);
  const Lsn d = Delta(key, 0, "dd");
  EXPECT_EQ(Read(key), "dd" + Filled('c').substr(2));
  WalBatch truncate(kMainTimeline);
  truncate.PutSpaceTruncate(1, 3);
  Commit(truncate);
  EXPECT_EQ(engine_->GetPage(kMainBranch, key, std::nullopt).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Read(key, d), "dd" + Filled('c').substr(2));
  // Without them every read goes to the store.
  options_.hot_page_bytes = 0;
  Reopen();
  EXPECT_EQ(Read(key, d), "dd" + Filled('c').substr(2));
  EXPECT_EQ(Read(key, d), "dd" + Filled('c').substr(2));
  EXPECT_EQ(engine_->stats().hot_page_hits, 0u);
}

TEST_F(EngineTest, PageSizeIsFixedAtCreation) {
  engine_.reset();
  options_.page_size = 1024;
  absl::StatusOr<std::unique_ptr<Engine>> wrong = Engine::Open(options_);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong.status().message(),
              HasSubstr("created with page size 512"));
  options_.page_size = 0;  // whatever the store has
  Reopen();
  EXPECT_EQ(engine_->page_size(), kPage);

  EngineOptions fresh;
  fresh.dir = NewTestDir("engine_sizes");
  for (uint32_t bad : {100u, 256u, 1000u, 131072u}) {
    fresh.page_size = bad;
    EXPECT_EQ(Engine::Open(fresh).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  fresh.page_size = 0;
  auto engine = Engine::Open(fresh);
  ASSERT_TRUE(engine.ok());
  EXPECT_EQ((*engine)->page_size(), 8192u);
}

TEST_F(EngineTest, InMemoryLayersStayBoundedWhenAppendsOutrunFlushing) {
  options_.memtable_bytes = 256 << 10;
  options_.max_memtables = 2;
  options_.blob_files = false;  // flushes write every byte: slower to drain
  options_.sync = SyncPolicy::kNone;  // appends faster than flushes
  Reopen();
  // Two full memtables and a bit: without the cap (max_memtables = 64) this
  // test peaks well above it, as appends outrun flushes.
  const uint64_t bound =
      2 * options_.memtable_bytes + options_.memtable_bytes / 2;
  uint64_t most = 0;
  WalBatch batch(kMainTimeline);
  for (int i = 0; i < 4000; ++i) {  // 32 MiB of images
    batch.Clear();
    for (uint32_t p = 0; p < 16; ++p) {
      ASSERT_TRUE(
          batch.PutPageImage({4, (i * 16 + p) % 5000}, Filled('a' + i % 26))
              .ok());
    }
    Commit(batch);
    most = std::max(most, engine_->stats().in_memory_bytes);
  }
  EXPECT_GT(most, 0u);
  EXPECT_LE(most, bound);
  EXPECT_EQ(Read({4, 3999 * 16 % 5000}), Filled('a' + 3999 % 26));
}

TEST_F(EngineTest, EveryCallAfterCloseIsRefused) {
  Image({1, 1}, 'a');
  ASSERT_TRUE(engine_->Close().ok());
  EXPECT_EQ(engine_->GetPage(kMainBranch, {1, 1}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  WalBatch batch(kMainTimeline);
  ASSERT_TRUE(batch.PutPageImage({1, 1}, Filled('b')).ok());
  EXPECT_EQ(engine_->Append(batch).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(engine_->Close().ok());
}

TEST_F(EngineTest, GetPagesReadsManyKeysAtOneLsn) {
  Image({1, 1}, 'a');
  const Lsn lsn = Image({1, 2}, 'b');
  Image({1, 1}, 'c');
  auto pages = engine_->GetPages(kMainBranch, {{1, 1}, {1, 2}, {1, 3}}, lsn);
  ASSERT_TRUE(pages.ok());
  ASSERT_EQ(pages->size(), 3u);
  EXPECT_EQ(*(*pages)[0], Filled('a'));
  EXPECT_EQ(*(*pages)[1], Filled('b'));
  EXPECT_EQ((*pages)[2].status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace pitr
