// Pins the WAL's on-disk bytes. The log written here is the worked example of
// docs/wal-format.md (section 10), and the expected bytes below are the ones
// printed there. If this test fails, the on-disk format has changed: that
// needs a new format version (bump kFormatVersion in wal/log_format.h),
// documented in docs/wal-format.md, with the example and this test updated
// together. Never just paste the new bytes in.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "wal/batch.h"
#include "wal/log_format.h"
#include "wal/wal.h"

namespace pitr {
namespace {

namespace lf = log_format;

// docs/wal-format.md, section 10.1: 0000000000000000.wal.
constexpr char kSegmentHex[] =
    // Segment header.
    "70 69 74 72 77 61 6c 31"  // magic "pitrwal1"
    "01 00 00 00"              // format_version 1
    "28 00 00 00"              // header_size 40
    "00 00 00 00 00 00 00 00"  // start_lsn 0
    "00 00 00 00 00 00 00 00"  // commits_before 0
    "00 00 00 00"              // reserved
    "9e 90 ef 90"              // header_crc
    // Record 1, LSN 0/0: the page delta.
    "b4 1d 70 e9"              // crc
    "18 00 00 00"              // length 24
    "02"                       // type kPageDelta
    "01 00 00 00 00 00 00 00"  // branch 1
    "07 00 00 00"              // space 7
    "03 00 00 00"              // page 3
    "10 00 00 00"              // offset 16
    "61 62 63 64"              // bytes "abcd"
    // Record 2, LSN 0/21: the commit.
    "dd 04 12 c4"              // crc
    "14 00 00 00"              // length 20
    "04"                       // type kCommit
    "01 00 00 00 00 00 00 00"  // branch 1
    "00 40 1e 18 24 0a 06 00"  // timestamp_us 1700000000000000
    "01 00 00 00";             // record_count 1
// End of the file: LSN 0/3E, the batch's commit LSN.

// docs/wal-format.md, section 10.2: commit_timestamps.idx.
constexpr char kIndexHex[] =
    // Header.
    "70 69 74 72 74 73 69 31"  // magic "pitrtsi1"
    "01 00 00 00"              // format_version 1
    "18 00 00 00"              // entry_size 24
    "00 00 00 00 00 00 00 00"  // first_ordinal 0
    "00 00 00 00"              // reserved
    "50 16 a4 9b"              // header_crc
    // Entry of ordinal 0.
    "00 40 1e 18 24 0a 06 00"  // timestamp_us 1700000000000000
    "3e 00 00 00 00 00 00 00"  // commit_lsn 0/3E
    "c8 bd 98 c8"              // crc
    "00 00 00 00";             // reserved

constexpr int64_t kTimestampUs = 1700000000000000;

// Lower-case hex, two digits a byte, no separators.
std::string ToHex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 0xf]);
  }
  return hex;
}

std::string WithoutSpaces(const char* hex) {
  std::string out;
  for (const char* p = hex; *p != '\0'; ++p) {
    if (*p != ' ') out.push_back(*p);
  }
  return out;
}

std::string FromHex(const char* hex) {
  const std::string digits = WithoutSpaces(hex);
  std::string bytes;
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    bytes.push_back(
        static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

uint32_t Fixed32At(const std::string& bytes, size_t offset) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    const auto byte = static_cast<unsigned char>(bytes[offset + i]);
    value |= static_cast<uint32_t>(byte) << (8 * i);
  }
  return value;
}

// CRC32C and its mask exactly as docs/wal-format.md section 3 states them,
// written from the document and not from base/crc32c.cc, so that the
// document's description is checked too.
uint32_t DocCrc32c(const std::string& bytes, size_t begin, size_t end) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = begin; i < end; ++i) {
    crc ^= static_cast<unsigned char>(bytes[i]);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0);
    }
  }
  return crc ^ 0xFFFFFFFFu;
}

uint32_t DocMask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
}

TEST(FormatGoldenTest, WorkedExampleOfTheFormatDocument) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir =
      std::string(tmp != nullptr ? tmp : "/tmp") + "/format_golden_test_wal";
  std::filesystem::remove_all(dir);

  WalOptions options;
  options.dir = dir;
  absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(options);
  ASSERT_TRUE(wal.ok()) << wal.status();

  WalBatch batch(TimelineId(1));
  ASSERT_TRUE(batch.PutPageDelta({7, 3}, 16, "abcd").ok());
  batch.SetTimestamp(kTimestampUs);
  absl::StatusOr<AppendResult> result = (*wal)->Append(batch);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE((*wal)->Close().ok());
  wal->reset();

  // The LSNs of section 10: the batch starts at 0/0, its commit record at
  // 0/21, and its commit LSN (just past the commit record) is 0/3E.
  EXPECT_EQ(result->start_lsn, 0u);
  EXPECT_EQ(result->commit_lsn, 0x3Eu);
  EXPECT_EQ(FormatLsn(result->commit_lsn), "0/3E");
  EXPECT_EQ(result->commit_lsn - lf::kCommitRecordSize, 0x21u);
  EXPECT_EQ(result->timestamp_us, kTimestampUs);

  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  EXPECT_EQ(names, (std::set<std::string>{"0000000000000000.wal", "LOCK",
                                          lf::kIndexFileName}));
  EXPECT_EQ(ReadFileBytes(dir + "/LOCK"), "");

  EXPECT_EQ(ToHex(ReadFileBytes(dir + "/0000000000000000.wal")),
            WithoutSpaces(kSegmentHex))
      << "the segment bytes differ from docs/wal-format.md section 10.1: "
         "this is a format change";
  EXPECT_EQ(ToHex(ReadFileBytes(dir + "/" + lf::kIndexFileName)),
            WithoutSpaces(kIndexHex))
      << "the index bytes differ from docs/wal-format.md section 10.2: "
         "this is a format change";
}

// The sizes section 10 states, which the hex above must agree with.
TEST(FormatGoldenTest, ExampleSizes) {
  const std::string segment = FromHex(kSegmentHex);
  const std::string index = FromHex(kIndexHex);
  EXPECT_EQ(segment.size(), 102u);
  EXPECT_EQ(segment.size(), lf::kSegmentHeaderSize + 0x3E);
  EXPECT_EQ(index.size(), 56u);
  EXPECT_EQ(index.size(), lf::kIndexHeaderSize + lf::kIndexEntrySize);
}

// Every checksum in the example is the documented masked CRC32C of the
// documented byte range.
TEST(FormatGoldenTest, ExampleChecksumsFollowTheDocument) {
  EXPECT_EQ(DocCrc32c("123456789", 0, 9), 0xE3069283u);

  const std::string segment = FromHex(kSegmentHex);
  // Segment header: bytes [0, 36), stored at 36.
  EXPECT_EQ(DocCrc32c(segment, 0, 36), 0x52E37736u);
  EXPECT_EQ(Fixed32At(segment, 36), DocMask(0x52E37736u));
  // Records: length, type and payload, i.e. [lsn + 4, lsn + 9 + length), at
  // file offset 40 + lsn.
  const size_t delta = 40, commit = 40 + 0x21;
  EXPECT_EQ(DocCrc32c(segment, delta + 4, commit), 0x996E2376u);
  EXPECT_EQ(Fixed32At(segment, delta), DocMask(0x996E2376u));
  EXPECT_EQ(DocCrc32c(segment, commit + 4, segment.size()), 0x8D0290C7u);
  EXPECT_EQ(Fixed32At(segment, commit), DocMask(0x8D0290C7u));

  const std::string index = FromHex(kIndexHex);
  // Index header: bytes [0, 28), stored at 28.
  EXPECT_EQ(DocCrc32c(index, 0, 28), 0x95BC7C90u);
  EXPECT_EQ(Fixed32At(index, 28), DocMask(0x95BC7C90u));
  // Entry 0 at 32: bytes [0, 16) of the entry, stored at 16.
  EXPECT_EQ(DocCrc32c(index, 32, 48), 0xE978130Au);
  EXPECT_EQ(Fixed32At(index, 48), DocMask(0xE978130Au));
}

}  // namespace
}  // namespace pitr
