// Behaviour of the Wal API: round trips, reopen cycles, segments, readers,
// timestamps, trimming and the error paths.
#include "wal/wal.h"

#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wal/log_format.h"
#include "wal/segment.h"
#include "wal/segment_files.h"
#include "wal/testing/wal_test_util.h"

namespace pitr {
namespace {

using ::pitr::testing::ExpectBatchEq;
using ::pitr::testing::MakeBatch;
using ::pitr::testing::NewTestDir;
using ::pitr::testing::ReadAll;
using ::pitr::testing::SegmentPaths;
using ::testing::HasSubstr;

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override { options_.dir = NewTestDir("wal"); }

  std::unique_ptr<Wal> OpenWal() {
    absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(options_);
    EXPECT_TRUE(wal.ok()) << wal.status();
    return wal.ok() ? std::move(*wal) : nullptr;
  }

  AppendResult AppendOk(Wal* wal, const WalBatch& batch) {
    absl::StatusOr<AppendResult> r = wal->Append(batch);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : AppendResult{};
  }

  WalOptions options_;
};

TEST_F(WalTest, NewLogIsEmptyAtLsnZero) {
  auto wal = OpenWal();
  EXPECT_EQ(wal->oldest_lsn(), 0u);
  EXPECT_EQ(wal->end_lsn(), 0u);
  EXPECT_FALSE(wal->last_timestamp_us().has_value());
  EXPECT_TRUE(ReadAll(wal.get(), 0).empty());
}

TEST_F(WalTest, RoundTripsEveryRecordType) {
  auto wal = OpenWal();
  WalBatch batch(TimelineId(7));
  ASSERT_TRUE(batch.PutPageImage({1, 2}, std::string(8192, 'i')).ok());
  ASSERT_TRUE(batch.PutPageDelta({1, 2}, 100, "delta bytes").ok());
  batch.PutSpaceTruncate(1, 5);
  batch.SetTimestamp(1'700'000'000'000'000);
  AppendResult r = AppendOk(wal.get(), batch);
  EXPECT_EQ(r.start_lsn, 0u);
  EXPECT_EQ(r.commit_lsn, batch.encoded_size() + log_format::kCommitRecordSize);
  EXPECT_EQ(r.timestamp_us, 1'700'000'000'000'000);

  std::vector<CommittedBatch> read = ReadAll(wal.get(), 0);
  ASSERT_EQ(read.size(), 1u);
  ExpectBatchEq(batch, r, read[0]);
  const std::vector<WalRecord>& records = read[0].records;
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].kind, RecordKind::kPageImage);
  EXPECT_EQ(records[0].data, std::string(8192, 'i'));
  EXPECT_EQ(records[1].kind, RecordKind::kPageDelta);
  EXPECT_EQ(records[1].offset, 100u);
  EXPECT_EQ(records[1].data, "delta bytes");
  EXPECT_EQ(records[2].kind, RecordKind::kSpaceTruncate);
  EXPECT_EQ(records[2].key.space, 1u);
  EXPECT_EQ(records[2].page_count, 5u);
  for (const WalRecord& record : records) EXPECT_EQ(record.timeline, TimelineId(7));
}

TEST_F(WalTest, LsnsAreContiguousAndIncreasing) {
  auto wal = OpenWal();
  Lsn expected_start = 0;
  for (int i = 0; i < 50; ++i) {
    AppendResult r = AppendOk(wal.get(), MakeBatch(TimelineId(1), i, 1 + i % 4));
    EXPECT_EQ(r.start_lsn, expected_start);
    EXPECT_GT(r.commit_lsn, r.start_lsn);
    expected_start = r.commit_lsn;
  }
  EXPECT_EQ(wal->end_lsn(), expected_start);
}

TEST_F(WalTest, SurvivesReopenCycles) {
  std::vector<std::pair<WalBatch, AppendResult>> written;
  for (int cycle = 0; cycle < 5; ++cycle) {
    auto wal = OpenWal();
    Lsn end = written.empty() ? 0 : written.back().second.commit_lsn;
    EXPECT_EQ(wal->end_lsn(), end);
    for (int i = 0; i < 10; ++i) {
      WalBatch batch = MakeBatch(TimelineId(cycle), cycle * 100 + i);
      written.emplace_back(batch, AppendOk(wal.get(), batch));
    }
    std::vector<CommittedBatch> read = ReadAll(wal.get(), 0);
    ASSERT_EQ(read.size(), written.size());
    for (size_t i = 0; i < read.size(); ++i) {
      ExpectBatchEq(written[i].first, written[i].second, read[i]);
    }
  }
}

TEST_F(WalTest, RollsSegmentsAndReadsAcrossThem) {
  options_.segment_size = 1024;
  std::vector<std::pair<WalBatch, AppendResult>> written;
  {
    auto wal = OpenWal();
    for (int i = 0; i < 40; ++i) {
      WalBatch batch = MakeBatch(TimelineId(1), i, 4);
      written.emplace_back(batch, AppendOk(wal.get(), batch));
    }
    EXPECT_GT(wal->stats().segments, 3u);
  }
  auto wal = OpenWal();
  std::vector<std::string> paths = SegmentPaths(options_.dir);
  EXPECT_EQ(paths.size(), wal->stats().segments);
  std::vector<CommittedBatch> read = ReadAll(wal.get(), 0);
  ASSERT_EQ(read.size(), written.size());
  for (size_t i = 0; i < read.size(); ++i) {
    ExpectBatchEq(written[i].first, written[i].second, read[i]);
  }
  // A reader may start at any batch boundary, in any segment.
  for (size_t i = 0; i < written.size(); i += 7) {
    EXPECT_EQ(ReadAll(wal.get(), written[i].second.commit_lsn).size(),
              written.size() - i - 1);
  }
}

TEST_F(WalTest, SegmentsListTheFilesAndTheDurableRangeOfEach) {
  options_.segment_size = 1024;
  auto wal = OpenWal();
  std::vector<Wal::Segment> segments = wal->Segments();
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].start, 0u);
  EXPECT_EQ(segments[0].end, 0u);
  EXPECT_FALSE(segments[0].sealed);
  for (int i = 0; i < 40; ++i) AppendOk(wal.get(), MakeBatch(TimelineId(1), i));
  segments = wal->Segments();
  EXPECT_EQ(segments.size(), wal->stats().segments);
  ASSERT_GT(segments.size(), 3u);
  EXPECT_EQ(SegmentPaths(options_.dir).size(), segments.size());
  for (size_t i = 0; i < segments.size(); ++i) {
    const Wal::Segment& s = segments[i];
    const bool last = i + 1 == segments.size();
    EXPECT_EQ(s.sealed, !last);
    EXPECT_EQ(s.end, last ? wal->end_lsn() : segments[i + 1].start);
    EXPECT_EQ(s.path, SegmentPaths(options_.dir)[i]);
    // The file holds exactly the header and the records of [start, end).
    absl::StatusOr<uint64_t> size = FileSystem::Default()->FileSize(s.path);
    ASSERT_TRUE(size.ok()) << size.status();
    EXPECT_EQ(*size, log_format::kSegmentHeaderSize + (s.end - s.start))
        << s.path;
  }
  ASSERT_TRUE(wal->Trim(segments[2].start).ok());
  EXPECT_EQ(wal->Segments().front().start, segments[2].start);
}

// A copy of a log (a read replica's) placed batch by batch where the
// original placed them has the same segments, whatever its own size rule,
// and each reader tells where the original's segments began.
TEST_F(WalTest, ACopyPlacedByHandHasTheOriginalsSegments) {
  options_.segment_size = 1024;
  auto original = OpenWal();
  for (int i = 0; i < 40; ++i) {
    AppendOk(original.get(), MakeBatch(TimelineId(1), i, 1 + i % 5));
  }
  ASSERT_GT(original->stats().segments, 3u);

  WalOptions copy_options;
  copy_options.dir = NewTestDir("wal_copy");
  copy_options.segment_size = 700;  // would roll elsewhere by size
  absl::StatusOr<std::unique_ptr<Wal>> copy = Wal::Open(copy_options);
  ASSERT_TRUE(copy.ok()) << copy.status();
  absl::StatusOr<std::unique_ptr<WalReader>> reader = original->NewReader(0);
  ASSERT_TRUE(reader.ok()) << reader.status();
  CommittedBatch batch;
  int began_segments = 0;
  while (true) {
    absl::StatusOr<bool> more = (*reader)->Next(&batch);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    const bool begins = batch.start_lsn == (*reader)->segment_start();
    began_segments += begins ? 1 : 0;
    WalBatch again(batch.timeline);
    ASSERT_TRUE(AddCommittedRecords(batch, &again).ok());
    absl::StatusOr<AppendResult> placed = (*copy)->Append(
        again, begins ? SegmentRoll::kNow : SegmentRoll::kNever);
    ASSERT_TRUE(placed.ok()) << placed.status();
    EXPECT_EQ(placed->start_lsn, batch.start_lsn);
    EXPECT_EQ(placed->commit_lsn, batch.commit_lsn);
  }
  EXPECT_EQ(began_segments, static_cast<int>(original->stats().segments));
  std::vector<Wal::Segment> a = original->Segments();
  std::vector<Wal::Segment> b = (*copy)->Segments();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].start, b[i].start);
    EXPECT_EQ(a[i].end, b[i].end);
    absl::StatusOr<std::string> bytes_a =
        ReadWholeFile(FileSystem::Default(), a[i].path);
    absl::StatusOr<std::string> bytes_b =
        ReadWholeFile(FileSystem::Default(), b[i].path);
    ASSERT_TRUE(bytes_a.ok() && bytes_b.ok());
    EXPECT_EQ(*bytes_a, *bytes_b) << "segment " << i;
  }
}

// Bare segment files (fetched from a bucket, without the timestamp
// index) read back from any batch boundary, each batch saying whether it
// began its segment; a missing segment in the middle is DATA_LOSS.
TEST_F(WalTest, BareSegmentFilesReadBackFromAnyBoundary) {
  options_.segment_size = 1024;
  std::vector<AppendResult> written;
  {
    auto wal = OpenWal();
    for (int i = 0; i < 30; ++i) {
      written.push_back(AppendOk(wal.get(), MakeBatch(TimelineId(1), i, 3)));
    }
  }
  const std::string bare = NewTestDir("bare_segments");
  std::vector<std::string> paths = SegmentPaths(options_.dir);
  ASSERT_GT(paths.size(), 3u);
  std::set<Lsn> segment_starts;
  for (const std::string& path : paths) {
    absl::StatusOr<std::string> bytes =
        ReadWholeFile(FileSystem::Default(), path);
    ASSERT_TRUE(bytes.ok());
    const std::string name = path.substr(path.rfind('/') + 1);
    segment_starts.insert(*ParseSegmentFileName(name));
    ASSERT_TRUE(WriteFileDurably(FileSystem::Default(), JoinPath(bare, name),
                                 *bytes)
                    .ok());
  }
  for (size_t from : {size_t{0}, size_t{7}, size_t{29}}) {
    const Lsn start = from == 0 ? 0 : written[from - 1].commit_lsn;
    std::vector<Lsn> commits;
    absl::Status read = ForEachBatchInSegments(
        bare, start, [&](const CommittedBatch& batch, bool starts_segment) {
          EXPECT_EQ(starts_segment, segment_starts.count(batch.start_lsn) > 0)
              << batch.start_lsn;
          commits.push_back(batch.commit_lsn);
          return absl::OkStatus();
        });
    ASSERT_TRUE(read.ok()) << read;
    ASSERT_EQ(commits.size(), written.size() - from);
    EXPECT_EQ(commits.back(), written.back().commit_lsn);
  }
  ASSERT_TRUE(FileSystem::Default()
                  ->DeleteFile(JoinPath(bare, paths[2].substr(
                                                  paths[2].rfind('/') + 1)))
                  .ok());
  absl::Status gap = ForEachBatchInSegments(
      bare, 0, [](const CommittedBatch&, bool) { return absl::OkStatus(); });
  EXPECT_TRUE(absl::IsDataLoss(gap)) << gap;
}

TEST_F(WalTest, OneBatchLargerThanASegmentGetsItsOwnSegment) {
  options_.segment_size = 4096;
  auto wal = OpenWal();
  AppendOk(wal.get(), MakeBatch(TimelineId(1), 1));
  WalBatch big(TimelineId(1));
  for (uint32_t p = 0; p < 4; ++p) {
    ASSERT_TRUE(big.PutPageImage({0, p}, std::string(8192, 'b')).ok());
  }
  AppendResult r = AppendOk(wal.get(), big);
  AppendOk(wal.get(), MakeBatch(TimelineId(1), 2));
  EXPECT_EQ(wal->stats().segments, 3u);
  std::vector<CommittedBatch> read = ReadAll(wal.get(), 0);
  ASSERT_EQ(read.size(), 3u);
  ExpectBatchEq(big, r, read[1]);
}

TEST_F(WalTest, RefusesEmptyAndOversizedBatchesChangingNothing) {
  options_.max_batch_bytes = 10000;
  auto wal = OpenWal();
  AppendOk(wal.get(), MakeBatch(TimelineId(1), 1));
  const Lsn end = wal->end_lsn();

  absl::StatusOr<AppendResult> r = wal->Append(WalBatch(TimelineId(1)));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("empty batch"));

  WalBatch big(TimelineId(1));
  ASSERT_TRUE(big.PutPageImage({0, 0}, std::string(20000, 'x')).ok());
  r = wal->Append(big);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("maximum of 10000 bytes"));

  EXPECT_EQ(wal->end_lsn(), end);
  EXPECT_EQ(ReadAll(wal.get(), 0).size(), 1u);
  AppendOk(wal.get(), MakeBatch(TimelineId(1), 2));  // the log still works
}

TEST_F(WalTest, BatchRefusesEmptyAndOversizedRecords) {
  WalBatch batch(TimelineId(1));
  absl::Status s = batch.PutPageImage({0, 0}, "");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  s = batch.PutPageDelta({0, 0}, 0,
                         std::string(WalBatch::MaxDataSize() + 1, 'x'));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("too large"));
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(batch.encoded_size(), 0u);
  EXPECT_TRUE(
      batch.PutPageImage({0, 0}, std::string(WalBatch::MaxDataSize(), 'x'))
          .ok());
}

TEST_F(WalTest, OnDurableSeesEachGroupInOrderBeforeAppendReturns) {
  std::vector<Lsn> applied;
  options_.on_durable = [&](const std::vector<DurableBatch>& group) {
    for (const DurableBatch& d : group) {
      EXPECT_FALSE(d.batch->empty());
      if (!applied.empty()) {
        EXPECT_EQ(d.result.start_lsn, applied.back());
      }
      applied.push_back(d.result.commit_lsn);
    }
    return absl::OkStatus();
  };
  auto wal = OpenWal();
  for (int i = 0; i < 5; ++i) {
    AppendResult r = AppendOk(wal.get(), MakeBatch(TimelineId(1), i));
    ASSERT_FALSE(applied.empty());
    EXPECT_EQ(applied.back(), r.commit_lsn);  // applied before returning
  }
  EXPECT_EQ(applied.size(), 5u);
}

TEST_F(WalTest, AFailingOnDurablePoisonsTheLog) {
  options_.on_durable = [](const std::vector<DurableBatch>&) {
    return absl::InternalError("cannot apply");
  };
  auto wal = OpenWal();
  absl::StatusOr<AppendResult> r = wal->Append(MakeBatch(TimelineId(1), 1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(r.status().message(), HasSubstr("cannot apply"));
  EXPECT_THAT(wal->Append(MakeBatch(TimelineId(1), 2)).status().message(),
              HasSubstr("poisoned"));
}

TEST_F(WalTest, RecordViewsPointIntoTheBatch) {
  WalBatch batch = MakeBatch(TimelineId(2), 5, 3);
  std::vector<WalRecordView> views = batch.RecordViews();
  std::vector<WalRecord> records = batch.Records(100);
  std::vector<absl::string_view> pieces;
  batch.AppendPieces(&pieces);
  ASSERT_EQ(pieces.size(), 1u);  // everything copied: one piece
  ASSERT_EQ(views.size(), records.size());
  for (size_t i = 0; i < views.size(); ++i) {
    EXPECT_EQ(views[i].kind, records[i].kind);
    EXPECT_EQ(views[i].data, records[i].data);
    EXPECT_EQ(100 + views[i].position, records[i].lsn);
    if (!views[i].data.empty()) {
      EXPECT_GE(views[i].data.data(), pieces[0].data());
      EXPECT_LT(views[i].data.data(), pieces[0].data() + pieces[0].size());
    }
  }
}

TEST_F(WalTest, ImagesAddedWithoutCopyAreWrittenFromTheCallersMemory) {
  const std::string first(300, 'a'), second(5000, 'b');
  WalBatch batch(TimelineId(3));
  ASSERT_TRUE(batch.PutPageDelta({1, 1}, 8, "delta").ok());
  ASSERT_TRUE(batch.PutPageImageNoCopy({1, 2}, first).ok());
  ASSERT_TRUE(batch.PutPageImage({1, 3}, "copied image").ok());
  ASSERT_TRUE(batch.PutPageImageNoCopy({1, 4}, second).ok());
  batch.PutSpaceTruncate(1, 9);
  EXPECT_EQ(batch.PutPageImageNoCopy({1, 5}, "").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(batch.record_count(), 5u);

  // The caller's bytes are pieces of their own, between the batch's.
  std::vector<absl::string_view> pieces;
  batch.AppendPieces(&pieces);
  ASSERT_EQ(pieces.size(), 5u);
  EXPECT_EQ(pieces[1].data(), first.data());
  EXPECT_EQ(pieces[3].data(), second.data());
  size_t total = 0;
  for (absl::string_view piece : pieces) total += piece.size();
  EXPECT_EQ(total, batch.encoded_size());

  // Views of those records point at the caller's bytes too.
  std::vector<WalRecordView> views = batch.RecordViews();
  ASSERT_EQ(views.size(), 5u);
  EXPECT_EQ(views[1].data.data(), first.data());
  EXPECT_EQ(views[3].data.data(), second.data());

  // The log holds the same records as a batch that copied everything.
  WalBatch copied(TimelineId(3));
  ASSERT_TRUE(copied.PutPageDelta({1, 1}, 8, "delta").ok());
  ASSERT_TRUE(copied.PutPageImage({1, 2}, first).ok());
  ASSERT_TRUE(copied.PutPageImage({1, 3}, "copied image").ok());
  ASSERT_TRUE(copied.PutPageImage({1, 4}, second).ok());
  copied.PutSpaceTruncate(1, 9);
  EXPECT_EQ(copied.encoded_size(), batch.encoded_size());
  std::vector<absl::string_view> copied_pieces;
  copied.AppendPieces(&copied_pieces);
  EXPECT_EQ(absl::StrJoin(pieces, ""), absl::StrJoin(copied_pieces, ""));

  auto wal = OpenWal();
  AppendResult r = AppendOk(wal.get(), batch);
  std::vector<CommittedBatch> read = ReadAll(wal.get(), 0);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].commit_lsn, r.commit_lsn);
  EXPECT_TRUE(read[0].records == copied.Records(r.start_lsn));
  EXPECT_TRUE(read[0].records == batch.Records(r.start_lsn));
}

TEST_F(WalTest, AClearedBatchIsReusable) {
  auto wal = OpenWal();
  WalBatch batch = MakeBatch(TimelineId(4), 1);
  batch.SetTimestamp(77);
  batch.Clear();
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(batch.encoded_size(), 0u);
  EXPECT_FALSE(batch.timestamp_us().has_value());
  EXPECT_EQ(batch.timeline(), TimelineId(4));
  ASSERT_TRUE(batch.PutPageDelta({1, 1}, 0, "again").ok());
  AppendResult r = AppendOk(wal.get(), batch);
  std::vector<CommittedBatch> read = ReadAll(wal.get(), 0);
  ASSERT_EQ(read.size(), 1u);
  ExpectBatchEq(batch, r, read[0]);
}

TEST_F(WalTest, StampsBatchesWithTheClockWithoutGoingBackwards) {
  int64_t now = 5'000'000;
  options_.clock_us = [&now] { return now; };
  auto wal = OpenWal();
  EXPECT_EQ(AppendOk(wal.get(), MakeBatch(TimelineId(1), 1)).timestamp_us, 5'000'000);
  now = 4'000'000;  // the wall clock stepped back
  EXPECT_EQ(AppendOk(wal.get(), MakeBatch(TimelineId(1), 2)).timestamp_us, 5'000'000);
  now = 6'000'000;
  EXPECT_EQ(AppendOk(wal.get(), MakeBatch(TimelineId(1), 3)).timestamp_us, 6'000'000);
  EXPECT_EQ(wal->last_timestamp_us(), 6'000'000);
}

TEST_F(WalTest, RefusesAnEarlierTimestampAndKeepsEqualOnes) {
  auto wal = OpenWal();
  WalBatch first = MakeBatch(TimelineId(1), 1);
  first.SetTimestamp(2'000);
  AppendOk(wal.get(), first);
  const Lsn end = wal->end_lsn();

  WalBatch earlier = MakeBatch(TimelineId(1), 2);
  earlier.SetTimestamp(1'999);
  absl::StatusOr<AppendResult> r = wal->Append(earlier);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(r.status().message(), HasSubstr("must not decrease"));
  EXPECT_EQ(wal->end_lsn(), end);

  WalBatch same = MakeBatch(TimelineId(1), 3);
  same.SetTimestamp(2'000);
  EXPECT_EQ(AppendOk(wal.get(), same).timestamp_us, 2'000);
}

TEST_F(WalTest, TimestampsStayMonotonicAcrossReopen) {
  {
    auto wal = OpenWal();
    WalBatch batch = MakeBatch(TimelineId(1), 1);
    batch.SetTimestamp(9'000);
    AppendOk(wal.get(), batch);
  }
  options_.clock_us = [] { return int64_t{10}; };
  auto wal = OpenWal();
  EXPECT_EQ(wal->last_timestamp_us(), 9'000);
  WalBatch earlier = MakeBatch(TimelineId(1), 2);
  earlier.SetTimestamp(8'999);
  EXPECT_EQ(wal->Append(earlier).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(AppendOk(wal.get(), MakeBatch(TimelineId(1), 3)).timestamp_us, 9'000);
}

TEST_F(WalTest, ReaderRefusesLsnsInsideBatchesAndPastTheEnd) {
  auto wal = OpenWal();
  AppendResult a = AppendOk(wal.get(), MakeBatch(TimelineId(1), 1));
  AppendOk(wal.get(), MakeBatch(TimelineId(1), 2));

  auto inside = wal->NewReader(a.start_lsn + 1);
  EXPECT_EQ(inside.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(inside.status().message(), HasSubstr("not a batch boundary"));

  auto past = wal->NewReader(wal->end_lsn() + 1);
  EXPECT_EQ(past.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(past.status().message(), HasSubstr("past the end"));

  // The end itself is a boundary: a reader there has nothing yet.
  EXPECT_TRUE(ReadAll(wal.get(), wal->end_lsn()).empty());
  EXPECT_EQ(ReadAll(wal.get(), a.commit_lsn).size(), 1u);
}

TEST_F(WalTest, TailingReaderWaitsForNewBatches) {
  auto wal = OpenWal();
  auto reader = wal->NewReader(0);
  ASSERT_TRUE(reader.ok());
  CommittedBatch batch;
  EXPECT_FALSE(*(*reader)->Next(&batch));
  EXPECT_EQ((*reader)->WaitForMore(absl::Now() + absl::Milliseconds(20)).code(),
            absl::StatusCode::kDeadlineExceeded);

  WalBatch written = MakeBatch(TimelineId(3), 3);
  AppendResult r;
  std::thread appender([&] {
    absl::SleepFor(absl::Milliseconds(50));
    r = AppendOk(wal.get(), written);
  });
  EXPECT_TRUE((*reader)->WaitForMore(absl::InfiniteFuture()).ok());
  appender.join();
  ASSERT_TRUE(*(*reader)->Next(&batch));
  ExpectBatchEq(written, r, batch);
  EXPECT_EQ((*reader)->position(), r.commit_lsn);
  EXPECT_FALSE(*(*reader)->Next(&batch));
}

TEST_F(WalTest, CloseWakesWaitingReadersAndRefusesAppends) {
  auto wal = OpenWal();
  auto reader = wal->NewReader(0);
  ASSERT_TRUE(reader.ok());
  std::thread closer([&] {
    absl::SleepFor(absl::Milliseconds(30));
    EXPECT_TRUE(wal->Close().ok());
  });
  EXPECT_EQ((*reader)->WaitForMore(absl::InfiniteFuture()).code(),
            absl::StatusCode::kCancelled);
  closer.join();
  EXPECT_EQ(wal->Append(MakeBatch(TimelineId(1), 1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(wal->Close().ok());  // idempotent
}

TEST_F(WalTest, OnlyOneWalMayOpenADirectory) {
  auto wal = OpenWal();
  absl::StatusOr<std::unique_ptr<Wal>> second = Wal::Open(options_);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("LOCK"));
  wal.reset();
  EXPECT_TRUE(Wal::Open(options_).ok());
}

TEST_F(WalTest, RefusesBadOptions) {
  EXPECT_EQ(Wal::Open(WalOptions{}).status().code(),
            absl::StatusCode::kInvalidArgument);
  options_.segment_size = 0;
  EXPECT_EQ(Wal::Open(options_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// --- timestamps -------------------------------------------------------------

class WalTimestampTest : public WalTest {
 protected:
  // Commits at 1000, 2000, 2000, 3000 us.
  void AppendCommits(Wal* wal) {
    for (int64_t ts : {1000, 2000, 2000, 3000}) {
      WalBatch batch = MakeBatch(TimelineId(1), static_cast<uint64_t>(ts));
      batch.SetTimestamp(ts);
      commits_.push_back(AppendOk(wal, batch).commit_lsn);
    }
  }
  std::vector<Lsn> commits_;
};

TEST_F(WalTimestampTest, FindsTheLastCommitAtOrBefore) {
  auto wal = OpenWal();
  AppendCommits(wal.get());
  EXPECT_EQ(*wal->LsnAtTimestamp(1000), commits_[0]);  // at
  EXPECT_EQ(*wal->LsnAtTimestamp(1500), commits_[0]);  // between
  EXPECT_EQ(*wal->LsnAtTimestamp(2000), commits_[2]);  // the last of equals
  EXPECT_EQ(*wal->LsnAtTimestamp(2999), commits_[2]);
  EXPECT_EQ(*wal->LsnAtTimestamp(3000), commits_[3]);
  EXPECT_EQ(*wal->LsnAtTimestamp(1'000'000), commits_[3]);  // after all
  absl::StatusOr<Lsn> before = wal->LsnAtTimestamp(999);
  EXPECT_EQ(before.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(before.status().message(), HasSubstr("the first commit is at"));
}

TEST_F(WalTimestampTest, EmptyLogHasNoTimestamps) {
  auto wal = OpenWal();
  absl::StatusOr<Lsn> lsn = wal->LsnAtTimestamp(1000);
  EXPECT_EQ(lsn.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(lsn.status().message(), HasSubstr("nothing has been committed"));
}

TEST_F(WalTimestampTest, SurvivesReopenAndRebuildsALostIndex) {
  {
    auto wal = OpenWal();
    AppendCommits(wal.get());
  }
  const std::string index_path =
      options_.dir + "/" + log_format::kIndexFileName;
  for (int round = 0; round < 3; ++round) {
    if (round == 1) {  // a torn last entry
      std::string bytes = testing::ReadFileBytes(index_path);
      testing::WriteFileBytes(index_path, bytes.substr(0, bytes.size() - 5));
    }
    if (round == 2) std::remove(index_path.c_str());  // lost altogether
    auto wal = OpenWal();
    EXPECT_EQ(*wal->LsnAtTimestamp(1500), commits_[0]);
    EXPECT_EQ(*wal->LsnAtTimestamp(2000), commits_[2]);
    EXPECT_EQ(*wal->LsnAtTimestamp(5000), commits_[3]);
  }
}

TEST_F(WalTimestampTest, OutlivesTrimmedSegments) {
  options_.segment_size = 512;
  auto wal = OpenWal();
  AppendCommits(wal.get());
  for (int i = 0; i < 20; ++i) {
    WalBatch batch = MakeBatch(TimelineId(1), i);
    batch.SetTimestamp(4000 + i);
    AppendOk(wal.get(), batch);
  }
  ASSERT_TRUE(wal->Trim(wal->end_lsn()).ok());
  EXPECT_GT(wal->oldest_lsn(), commits_[3]);
  wal.reset();
  wal = OpenWal();
  EXPECT_EQ(*wal->LsnAtTimestamp(1000), commits_[0]);
  EXPECT_EQ(*wal->LsnAtTimestamp(2500), commits_[2]);
}

// --- trimming ---------------------------------------------------------------

TEST_F(WalTest, TrimRemovesWholeSegmentsBelowTheLsn) {
  options_.segment_size = 1024;
  auto wal = OpenWal();
  std::vector<AppendResult> results;
  for (int i = 0; i < 40; ++i)
    results.push_back(AppendOk(wal.get(), MakeBatch(TimelineId(1), i)));
  const size_t segments = SegmentPaths(options_.dir).size();
  ASSERT_GT(segments, 4u);

  const Lsn middle = results[20].commit_lsn;
  ASSERT_TRUE(wal->Trim(middle).ok());
  const Lsn oldest = wal->oldest_lsn();
  EXPECT_GT(oldest, 0u);
  EXPECT_LE(oldest, middle);  // the segment holding `middle` stays
  EXPECT_LT(SegmentPaths(options_.dir).size(), segments);

  auto below = wal->NewReader(0);
  EXPECT_EQ(below.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(below.status().message(), HasSubstr("trimmed"));
  // Everything from the oldest segment on still reads.
  std::vector<CommittedBatch> rest = ReadAll(wal.get(), oldest);
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.back().commit_lsn, results.back().commit_lsn);

  wal.reset();
  wal = OpenWal();
  EXPECT_EQ(wal->oldest_lsn(), oldest);
  EXPECT_EQ(ReadAll(wal.get(), oldest).size(), rest.size());
  EXPECT_EQ(wal->end_lsn(), results.back().commit_lsn);
}

TEST_F(WalTest, TrimNeverRemovesTheActiveSegment) {
  options_.segment_size = 1024;
  auto wal = OpenWal();
  for (int i = 0; i < 20; ++i) AppendOk(wal.get(), MakeBatch(TimelineId(1), i));
  ASSERT_TRUE(wal->Trim(wal->end_lsn()).ok());
  EXPECT_EQ(SegmentPaths(options_.dir).size(), 1u);
  AppendResult r = AppendOk(wal.get(), MakeBatch(TimelineId(1), 99));
  EXPECT_EQ(ReadAll(wal.get(), wal->oldest_lsn()).back().commit_lsn,
            r.commit_lsn);
}

TEST_F(WalTest, TrimPastTheEndIsRefused) {
  auto wal = OpenWal();
  AppendOk(wal.get(), MakeBatch(TimelineId(1), 1));
  absl::Status s = wal->Trim(wal->end_lsn() + 1);
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(s.message(), HasSubstr("past the end"));
}

TEST_F(WalTest, AReaderWhoseSegmentWasTrimmedGetsOutOfRange) {
  options_.segment_size = 1024;
  auto wal = OpenWal();
  for (int i = 0; i < 20; ++i) AppendOk(wal.get(), MakeBatch(TimelineId(1), i));
  auto reader = wal->NewReader(0);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(wal->Trim(wal->end_lsn()).ok());
  CommittedBatch batch;
  absl::StatusOr<bool> next = (*reader)->Next(&batch);
  EXPECT_EQ(next.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(next.status().message(), HasSubstr("trimmed while reading"));
}

TEST_F(WalTest, AReaderReportsDamageFoundAfterOpen) {
  auto wal = OpenWal();
  std::vector<AppendResult> results;
  for (int i = 0; i < 4; ++i)
    results.push_back(AppendOk(wal.get(), MakeBatch(TimelineId(1), i)));
  const std::string segment = SegmentPaths(options_.dir)[0];
  std::string bytes = testing::ReadFileBytes(segment);
  bytes[log_format::kSegmentHeaderSize + results[2].start_lsn + 30] ^= 1;
  testing::WriteFileBytes(segment, bytes);  // bit rot under a live log

  auto reader = wal->NewReader(0);
  ASSERT_TRUE(reader.ok());
  CommittedBatch batch;
  EXPECT_TRUE(*(*reader)->Next(&batch));
  EXPECT_TRUE(*(*reader)->Next(&batch));
  absl::StatusOr<bool> damaged = (*reader)->Next(&batch);
  EXPECT_EQ(damaged.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(
      damaged.status().message(),
      HasSubstr(absl::StrCat("at offset ", log_format::kSegmentHeaderSize +
                                               results[2].start_lsn)));
}

TEST_F(WalTest, LostSegmentsAreRefusedWhenTheIndexRemembersCommits) {
  {
    auto wal = OpenWal();
    AppendOk(wal.get(), MakeBatch(TimelineId(1), 1));
  }
  for (const std::string& path : SegmentPaths(options_.dir))
    std::remove(path.c_str());
  absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(options_);
  EXPECT_EQ(wal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(wal.status().message(), HasSubstr("the segments were lost"));
}

TEST_F(WalTest, AnIndexMissingTrimmedHistoryIsRefused) {
  options_.segment_size = 512;
  {
    auto wal = OpenWal();
    for (int i = 0; i < 20; ++i) AppendOk(wal.get(), MakeBatch(TimelineId(1), i));
    ASSERT_TRUE(wal->Trim(wal->end_lsn()).ok());
  }
  std::remove((options_.dir + "/" + log_format::kIndexFileName).c_str());
  absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(options_);
  EXPECT_EQ(wal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(wal.status().message(),
              HasSubstr("timestamps of trimmed history were lost"));
}

// --- forward compatibility
// ----------------------------------------------------

// Appends to the segment file a batch holding one record of `type`, as a
// later version of pitr might write it.
void AppendForeignBatch(const std::string& segment, uint8_t type) {
  testing::WriteFileBytes(segment,
                          testing::ReadFileBytes(segment) +
                              testing::RawFrame(type, "from the future") +
                              testing::RawCommit(TimelineId(1), 123456, 1));
}

TEST_F(WalTest, SkipsUnknownRecordsMarkedIgnorable) {
  { OpenWal(); }
  AppendForeignBatch(SegmentPaths(options_.dir)[0], 0x80 | 0x33);
  auto wal = OpenWal();
  std::vector<CommittedBatch> read = ReadAll(wal.get(), 0);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_TRUE(read[0].records.empty());
  EXPECT_EQ(read[0].timestamp_us, 123456);
  AppendOk(wal.get(), MakeBatch(TimelineId(1), 1));
}

TEST_F(WalTest, RefusesUnknownRecordsNotMarkedIgnorable) {
  { OpenWal(); }
  AppendForeignBatch(SegmentPaths(options_.dir)[0], 0x33);
  absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(options_);
  EXPECT_EQ(wal.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(wal.status().message(), HasSubstr("record type 51 is unknown"));
  EXPECT_THAT(wal.status().message(),
              HasSubstr("0000000000000000.wal at offset 40"));
}

}  // namespace
}  // namespace pitr
