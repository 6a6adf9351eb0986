// Pins the dump format's bytes. The dumps made here are the worked examples
// of docs/dump-format.md (section 8), and the expected bytes below are the
// ones printed there. If this test fails, the format has changed: that
// needs a new format version (dump_format::kFormatVersion), documented in
// docs/dump-format.md, with the examples and this test updated together.
// Never just paste the new bytes in.
#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "base/testing/test_files.h"
#include "engine/dump_reader.h"
#include "engine/dump_writer.h"
#include "engine/engine.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

// docs/dump-format.md, section 8.1: a full dump of the store of
// docs/storage-format.md, section 7, whose store id is 00 01 .. 0f.
constexpr char kFullBeforeImageHex[] =
    "70 69 74 72 64 6d 70 32"  // magic "pitrdmp2"
    // Header frame, at byte 8.
    "89 bc 6d 16"              // crc
    "4c 00 00 00"              // length 76 = 72 + 4
    "01"                       // type: header
    "02 00 00 00"              // format_version 2
    "00 02 00 00"              // page_size 512
    "01 00 00 00 00 00 00 00"  // source_branch 1
    "57 02 00 00 00 00 00 00"  // lsn 0/257
    "00 40 1e 18 24 0a 06 00"  // timestamp_us 1700000000000000
    "00 00 00 00 00 00 00 00"  // base_lsn 0: a full dump
    "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"  // source_store
    "01 00 00 00 00 00 00 00"                          // timeline 1
    "00 00 00 00 00 00 00 00"  // base_timeline 0: a full dump
    "6d 61 69 6e"              // source branch name "main"
    // Block frame, at byte 93.
    "45 69 fb 25"                 // crc
    "0e 02 00 00"                 // length 526
    "02"                          // type: block
    "53 07 00 00 00 04 00 00 00"  // space entry: space 7, 4 pages
    "50 03 00 00 00";             // page entry: page 3, then its 512 bytes
constexpr char kFullAfterImageHex[] =
    // Trailer frame, at byte 628.
    "1c 32 11 16"              // crc
    "1c 00 00 00"              // length 28
    "03"                       // type: trailer
    "01 00 00 00 00 00 00 00"  // spaces 1
    "01 00 00 00 00 00 00 00"  // pages 1
    "01 00 00 00 00 00 00 00"  // blocks 1
    "2e 8e 61 03";             // stream_crc
// End of the file: 665 bytes.

// Section 8.2: the changes of one more batch, which truncated space 7 to
// no pages and wrote page 5 ("efgh" at offset 0), since lsn 0/257.
constexpr char kIncrementalBeforeImageHex[] =
    "70 69 74 72 64 6d 70 32"  // magic "pitrdmp2"
    // Header frame, at byte 8.
    "5c 4a 62 62"              // crc
    "4c 00 00 00"              // length 76
    "01"                       // type: header
    "02 00 00 00"              // format_version 2
    "00 02 00 00"              // page_size 512
    "01 00 00 00 00 00 00 00"  // source_branch 1
    "a6 04 00 00 00 00 00 00"  // lsn 0/4A6
    "00 c7 b1 1b 24 0a 06 00"  // timestamp_us 1700000060000000
    "57 02 00 00 00 00 00 00"  // base_lsn 0/257
    "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"  // source_store
    "01 00 00 00 00 00 00 00"                          // timeline 1
    "01 00 00 00 00 00 00 00"                          // base_timeline 1
    "6d 61 69 6e"  // source branch name "main"
    // Block frame, at byte 93.
    "cd c5 cb 0c"                 // crc
    "13 02 00 00"                 // length 531
    "02"                          // type: block
    "53 07 00 00 00 06 00 00 00"  // space entry: space 7, 6 pages
    "54 03 00 00 00"              // truncation entry: keep pages below 3
    "50 05 00 00 00";             // page entry: page 5, then its 512 bytes
constexpr char kIncrementalAfterImageHex[] =
    // Trailer frame, at byte 633.
    "62 06 c0 a7"              // crc
    "1c 00 00 00"              // length 28
    "03"                       // type: trailer
    "01 00 00 00 00 00 00 00"  // spaces 1
    "01 00 00 00 00 00 00 00"  // pages 1
    "01 00 00 00 00 00 00 00"  // blocks 1
    "15 21 95 ab";             // stream_crc
// End of the file: 670 bytes.

// Section 8.3: the same full dump in format version 1, as pitr wrote it
// before version 2; still read.
constexpr char kV1BeforeImageHex[] =
    "70 69 74 72 64 6d 70 31"  // magic "pitrdmp1"
    // Header frame, at byte 8.
    "a3 c2 bb 99"              // crc
    "2c 00 00 00"              // length 44
    "01"                       // type: header
    "01 00 00 00"              // format_version 1
    "00 02 00 00"              // page_size 512
    "01 00 00 00 00 00 00 00"  // source_branch 1
    "57 02 00 00 00 00 00 00"  // lsn 0/257
    "00 40 1e 18 24 0a 06 00"  // timestamp_us 1700000000000000
    "00 00 00 00 00 00 00 00"  // base_lsn 0: a full dump
    "6d 61 69 6e"              // source branch name "main"
    // Block frame, at byte 61.
    "45 69 fb 25"                 // crc
    "0e 02 00 00"                 // length 526
    "02"                          // type: block
    "53 07 00 00 00 04 00 00 00"  // space entry: space 7, 4 pages
    "50 03 00 00 00";             // page entry: page 3, then its 512 bytes
constexpr char kV1AfterImageHex[] =
    // Trailer frame, at byte 596.
    "36 65 6d 3f"              // crc
    "1c 00 00 00"              // length 28
    "03"                       // type: trailer
    "01 00 00 00 00 00 00 00"  // spaces 1
    "01 00 00 00 00 00 00 00"  // pages 1
    "01 00 00 00 00 00 00 00"  // blocks 1
    "64 ac e9 f7";             // stream_crc
// End of the file: 633 bytes.

std::string FromHex(absl::string_view spaced) {
  const std::string hex = absl::StrReplaceAll(spaced, {{" ", ""}});
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(
        static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

std::string ToHex(absl::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) absl::StrAppendFormat(&out, "%02x ", c);
  return out;
}

// The page of the first batch: zeros with "abcd" at offset 16; of the
// second: "efgh" at offset 0.
std::string PageWith(size_t offset, absl::string_view text) {
  std::string page(512, '\0');
  page.replace(offset, text.size(), text.data(), text.size());
  return page;
}

StoreId CountingStoreId() {
  StoreId id;
  for (int i = 0; i < 16; ++i) id.bytes[i] = i;
  return id;
}

DumpHeader FullHeader(const StoreId& store) {
  DumpHeader h;
  h.page_size = 512;
  h.source_branch = 1;
  h.source_branch_name = "main";
  h.lsn = 0x257;
  h.timestamp_us = 1700000000000000;
  h.source_store = store;
  h.timeline = kMainTimeline;
  return h;
}

// The section's two dumps as the format defines them, with `store`.
std::string WriteFull(const StoreId& store) {
  std::string out;
  auto writer = DumpWriter::Start(FullHeader(store), [&](absl::string_view b) {
    out.append(b.data(), b.size());
    return absl::OkStatus();
  });
  EXPECT_TRUE(writer.ok()) << writer.status();
  EXPECT_TRUE((*writer)->AddSpace(7, 4).ok());
  EXPECT_TRUE((*writer)->AddPage(3, PageWith(16, "abcd")).ok());
  EXPECT_TRUE((*writer)->Finish().ok());
  return out;
}

constexpr Lsn kSecondLsn = 0x4a6;
constexpr int64_t kSecondTimestamp = 1700000060000000;  // a minute later

std::string WriteIncremental(const StoreId& store) {
  DumpHeader h = FullHeader(store);
  h.lsn = kSecondLsn;
  h.timestamp_us = kSecondTimestamp;
  h.base_lsn = 0x257;
  h.base_timeline = kMainTimeline;
  std::string out;
  auto writer = DumpWriter::Start(h, [&](absl::string_view b) {
    out.append(b.data(), b.size());
    return absl::OkStatus();
  });
  EXPECT_TRUE(writer.ok()) << writer.status();
  EXPECT_TRUE((*writer)->AddSpace(7, 6).ok());
  EXPECT_TRUE((*writer)->AddTruncation(3).ok());
  EXPECT_TRUE((*writer)->AddPage(5, PageWith(0, "efgh")).ok());
  EXPECT_TRUE((*writer)->Finish().ok());
  return out;
}

TEST(DumpFormatGoldenTest, TheWorkedExamplesHaveTheDocumentedBytes) {
  const std::string full = WriteFull(CountingStoreId());
  EXPECT_EQ(ToHex(full),
            ToHex(FromHex(kFullBeforeImageHex) + PageWith(16, "abcd") +
                  FromHex(kFullAfterImageHex)));
  const std::string incremental = WriteIncremental(CountingStoreId());
  EXPECT_EQ(ToHex(incremental),
            ToHex(FromHex(kIncrementalBeforeImageHex) + PageWith(0, "efgh") +
                  FromHex(kIncrementalAfterImageHex)));
}

// The engine writes those dumps of that history, under its own store id.
TEST(DumpFormatGoldenTest, TheEngineWritesTheWorkedExamples) {
  EngineOptions options;
  options.dir = testing::NewTestDir("dump_golden");
  options.page_size = 512;
  auto engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  // The store of docs/storage-format.md, section 7.
  WalBatch first(kMainTimeline);
  ASSERT_TRUE(first.PutPageImage({7, 3}, std::string(512, '\0')).ok());
  ASSERT_TRUE(first.PutPageDelta({7, 3}, 16, "abcd").ok());
  first.SetTimestamp(1700000000000000);
  ASSERT_EQ((*engine)->Append(first)->commit_lsn, 0x257u);
  WalBatch second(kMainTimeline);
  second.PutSpaceTruncate(7, 0);
  ASSERT_TRUE(second.PutPageImage({7, 5}, PageWith(0, "efgh")).ok());
  second.SetTimestamp(kSecondTimestamp);
  ASSERT_EQ((*engine)->Append(second)->commit_lsn, kSecondLsn);

  auto export_at = [&](Lsn lsn, std::optional<PointInTime> since) {
    std::string dump;
    absl::StatusOr<ExportSummary> exported = (*engine)->ExportBranch(
        kMainBranch, PointInTime{lsn, std::nullopt},
        [&](absl::string_view bytes) {
          dump.append(bytes.data(), bytes.size());
          return absl::OkStatus();
        },
        nullptr, since);
    EXPECT_TRUE(exported.ok()) << exported.status();
    return dump;
  };
  const StoreId store = (*engine)->store_id();
  EXPECT_EQ(ToHex(export_at(0x257, std::nullopt)), ToHex(WriteFull(store)));
  EXPECT_EQ(ToHex(export_at(kSecondLsn, PointInTime{0x257, std::nullopt})),
            ToHex(WriteIncremental(store)));
}

// Version-1 dumps, which pitr wrote before incremental dumps, still read.
TEST(DumpFormatGoldenTest, AVersion1DumpStillReads) {
  const std::string v1 = FromHex(kV1BeforeImageHex) + PageWith(16, "abcd") +
                         FromHex(kV1AfterImageHex);
  ASSERT_EQ(v1.size(), 633u);
  const std::string path = testing::NewTestDir("dump_golden_v1") + "/d";
  testing::WriteFileBytes(path, v1);
  auto reader = DumpReader::OpenFile(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  const DumpHeader& h = (*reader)->header();
  EXPECT_EQ(h.format_version, 1u);
  EXPECT_EQ(h.source_branch_name, "main");
  EXPECT_EQ(h.lsn, 0x257u);
  EXPECT_TRUE(h.source_store.IsZero());
  EXPECT_EQ(h.timeline, kNoTimeline);
  DumpEntry entry;
  ASSERT_TRUE(*(*reader)->Next(&entry));
  EXPECT_EQ(entry.page_count, 4u);
  ASSERT_TRUE(*(*reader)->Next(&entry));
  EXPECT_EQ(entry.image, PageWith(16, "abcd"));
  EXPECT_FALSE(*(*reader)->Next(&entry));
}

}  // namespace
}  // namespace pitr
