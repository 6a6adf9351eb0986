#include "wal/testing/wal_test_util.h"

#include <algorithm>
#include <filesystem>

#include "base/coding.h"
#include "base/crc32c.h"
#include "gtest/gtest.h"
#include "wal/log_format.h"
#include "wal/segment.h"  // ParseSegmentFileName

namespace pitr::testing {

namespace fs = std::filesystem;

std::vector<std::string> SegmentPaths(const std::string& dir) {
  std::vector<std::pair<Lsn, std::string>> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (auto start = ParseSegmentFileName(entry.path().filename().string())) {
      found.emplace_back(*start, entry.path().string());
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> paths;
  for (auto& [start, path] : found) paths.push_back(path);
  return paths;
}

WalBatch MakeBatch(TimelineId timeline, uint64_t seed, int records) {
  WalBatch batch(timeline);
  for (int i = 0; i < records; ++i) {
    PageKey key{static_cast<uint32_t>(seed % 5),
                static_cast<uint32_t>(seed + i)};
    switch (i % 3) {
      case 0:
        EXPECT_TRUE(
            batch.PutPageImage(key, RandomBytes(64, seed * 31 + i)).ok());
        break;
      case 1:
        EXPECT_TRUE(batch
                        .PutPageDelta(key, static_cast<uint32_t>(i * 8),
                                      RandomBytes(1 + i, seed * 17 + i))
                        .ok());
        break;
      default:
        batch.PutSpaceTruncate(key.space, static_cast<uint32_t>(seed % 100));
        break;
    }
  }
  return batch;
}

std::vector<CommittedBatch> ReadAll(Wal* wal, Lsn from) {
  std::vector<CommittedBatch> batches;
  auto reader = wal->NewReader(from);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return batches;
  while (true) {
    CommittedBatch batch;
    absl::StatusOr<bool> more = (*reader)->Next(&batch);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    batches.push_back(std::move(batch));
  }
  return batches;
}

std::string RawFrame(uint8_t type, absl::string_view payload) {
  std::string out;
  PutFixed32(&out, 0);
  PutFixed32(&out, static_cast<uint32_t>(payload.size()));
  out.push_back(static_cast<char>(type));
  out.append(payload.data(), payload.size());
  EncodeFixed32(
      &out[0], crc32c::Mask(crc32c::Extend(0, out.data() + 4, out.size() - 4)));
  return out;
}

std::string RawCommit(TimelineId timeline, int64_t timestamp_us,
                      uint32_t record_count) {
  std::string payload;
  PutFixed64(&payload, timeline.value());
  PutFixed64(&payload, static_cast<uint64_t>(timestamp_us));
  PutFixed32(&payload, record_count);
  return RawFrame(log_format::kCommit, payload);
}

void ExpectBatchEq(const WalBatch& written, const AppendResult& result,
                   const CommittedBatch& read) {
  EXPECT_EQ(read.start_lsn, result.start_lsn);
  EXPECT_EQ(read.commit_lsn, result.commit_lsn);
  EXPECT_EQ(read.timestamp_us, result.timestamp_us);
  EXPECT_EQ(read.timeline, written.timeline());
  EXPECT_TRUE(read.records == written.Records(result.start_lsn))
      << "records of the batch at " << FormatLsn(result.start_lsn) << " differ";
}

}  // namespace pitr::testing
