#include "wal/testing/wal_test_util.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "wal/coding.h"
#include "wal/crc32c.h"
#include "wal/log_format.h"
#include "wal/segment.h"  // ParseSegmentFileName

namespace pitr::testing {

namespace fs = std::filesystem;

std::string NewTestDir(absl::string_view name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  static int counter = 0;
  fs::path dir = fs::path(tmp ? tmp : "/tmp") /
                 absl::StrCat("pitr_", name, "_", ::getpid(), "_", counter++);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void WriteFileBytes(const std::string& path, absl::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  EXPECT_TRUE(out.good()) << path;
}

void CopyDir(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from)) {
    if (entry.is_regular_file()) {
      fs::copy_file(entry.path(), fs::path(to) / entry.path().filename());
    }
  }
}

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

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  return bytes;
}

WalBatch MakeBatch(BranchId branch, uint64_t seed, int records) {
  WalBatch batch(branch);
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

std::string RawCommit(BranchId branch, int64_t timestamp_us,
                      uint32_t record_count) {
  std::string payload;
  PutFixed64(&payload, branch);
  PutFixed64(&payload, static_cast<uint64_t>(timestamp_us));
  PutFixed32(&payload, record_count);
  return RawFrame(log_format::kCommit, payload);
}

void ExpectBatchEq(const WalBatch& written, const AppendResult& result,
                   const CommittedBatch& read) {
  EXPECT_EQ(read.start_lsn, result.start_lsn);
  EXPECT_EQ(read.commit_lsn, result.commit_lsn);
  EXPECT_EQ(read.timestamp_us, result.timestamp_us);
  EXPECT_EQ(read.branch, written.branch());
  EXPECT_TRUE(read.records == written.Records(result.start_lsn))
      << "records of the batch at " << FormatLsn(result.start_lsn) << " differ";
}

}  // namespace pitr::testing
