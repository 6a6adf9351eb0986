// Pins the dump format's bytes. The dump made here is the worked example of
// docs/dump-format.md (section 7), and the expected bytes below are the
// ones printed there. If this test fails, the format has changed: that
// needs a new format version (dump_format::kFormatVersion), documented in
// docs/dump-format.md, with the example and this test updated together.
// Never just paste the new bytes in.
#include <string>

#include "absl/strings/str_replace.h"
#include "base/testing/test_files.h"
#include "engine/dump_reader.h"
#include "engine/engine.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

// docs/dump-format.md, section 7.
constexpr char kBeforeImageHex[] =
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
// The page: 16 zero bytes, "abcd", 492 zero bytes.
constexpr char kAfterImageHex[] =
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

TEST(DumpFormatGoldenTest, TheWorkedExampleHasTheDocumentedBytes) {
  EngineOptions options;
  options.dir = testing::NewTestDir("dump_golden");
  options.page_size = 512;
  auto engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  // The store of docs/storage-format.md, section 7.
  WalBatch batch(kMainTimeline);
  ASSERT_TRUE(batch.PutPageImage({7, 3}, std::string(512, '\0')).ok());
  ASSERT_TRUE(batch.PutPageDelta({7, 3}, 16, "abcd").ok());
  batch.SetTimestamp(1700000000000000);
  ASSERT_EQ((*engine)->Append(batch)->commit_lsn, 0x257u);

  std::string dump;
  absl::StatusOr<ExportSummary> exported =
      (*engine)->ExportBranch(kMainBranch, {}, [&](absl::string_view bytes) {
        dump.append(bytes.data(), bytes.size());
        return absl::OkStatus();
      });
  ASSERT_TRUE(exported.ok()) << exported.status();

  std::string page(512, '\0');
  page.replace(16, 4, "abcd");
  const std::string expected =
      FromHex(kBeforeImageHex) + page + FromHex(kAfterImageHex);
  ASSERT_EQ(expected.size(), 633u);
  EXPECT_EQ(dump, expected);
  EXPECT_EQ(exported->bytes, 633u);

  // And it reads back as documented.
  const std::string path = testing::NewTestDir("dump_golden_file") + "/d";
  testing::WriteFileBytes(path, expected);
  auto reader = DumpReader::OpenFile(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->header().source_branch_name, "main");
  EXPECT_EQ((*reader)->header().lsn, 0x257u);
  DumpEntry entry;
  ASSERT_TRUE(*(*reader)->Next(&entry));
  EXPECT_EQ(entry.page_count, 4u);
  ASSERT_TRUE(*(*reader)->Next(&entry));
  EXPECT_EQ(entry.image, page);
  EXPECT_FALSE(*(*reader)->Next(&entry));
}

}  // namespace
}  // namespace pitr
