// DumpWriter and DumpReader: round trips, the writer's memory bound, and
// byte-level damage (every cut, every flipped byte) refused by the reader.
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/testing/test_files.h"
#include "engine/dump_format.h"
#include "engine/dump_reader.h"
#include "engine/dump_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::pitr::testing::RandomBytes;
using ::testing::HasSubstr;

namespace df = dump_format;

DumpHeader Header(uint32_t page_size) {
  DumpHeader h;
  h.page_size = page_size;
  h.source_branch = 3;
  h.source_branch_name = "dev";
  h.lsn = 0x1234;
  h.timestamp_us = 1700000000000000;
  return h;
}

// A dump of page_size-byte pages: `spaces` spaces of `pages` pages each.
std::string WriteDump(uint32_t page_size, uint32_t spaces, uint32_t pages) {
  std::string out;
  auto writer = DumpWriter::Start(Header(page_size), [&](absl::string_view b) {
    out.append(b.data(), b.size());
    return absl::OkStatus();
  });
  EXPECT_TRUE(writer.ok()) << writer.status();
  for (uint32_t s = 0; s < spaces; ++s) {
    EXPECT_TRUE((*writer)->AddSpace(s * 2, pages + 1).ok());
    for (uint32_t p = 0; p < pages; ++p) {
      EXPECT_TRUE(
          (*writer)->AddPage(p, RandomBytes(page_size, s * 100 + p)).ok());
    }
  }
  EXPECT_TRUE((*writer)->Finish().ok());
  return out;
}

DumpSource FromString(const std::string* bytes) {
  auto pos = std::make_shared<size_t>(0);
  return [bytes, pos](char* dest, size_t n) -> absl::StatusOr<size_t> {
    const size_t k = std::min(n, bytes->size() - *pos);
    bytes->copy(dest, k, *pos);
    *pos += k;
    return k;
  };
}

// Reads the whole dump; the first error, or OK.
absl::Status ReadAll(const std::string& bytes, std::vector<DumpEntry>* out) {
  auto reader = DumpReader::Open(FromString(&bytes));
  if (!reader.ok()) return reader.status();
  DumpEntry entry;
  while (true) {
    absl::StatusOr<bool> more = (*reader)->Next(&entry);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (out != nullptr) out->push_back(entry);
  }
}

TEST(DumpCodecTest, ReadsBackWhatWasWritten) {
  const std::string dump = WriteDump(512, 3, 4);
  auto reader = DumpReader::Open(FromString(&dump));
  ASSERT_TRUE(reader.ok()) << reader.status();
  const DumpHeader& h = (*reader)->header();
  EXPECT_EQ(h.page_size, 512u);
  EXPECT_EQ(h.source_branch, 3u);
  EXPECT_EQ(h.source_branch_name, "dev");
  EXPECT_EQ(h.lsn, 0x1234u);
  EXPECT_EQ(h.timestamp_us, 1700000000000000);
  DumpEntry e;
  for (uint32_t s = 0; s < 3; ++s) {
    ASSERT_TRUE(*(*reader)->Next(&e));
    EXPECT_EQ(e.kind, DumpEntry::Kind::kSpace);
    EXPECT_EQ(e.space, s * 2);
    EXPECT_EQ(e.page_count, 5u);
    for (uint32_t p = 0; p < 4; ++p) {
      ASSERT_TRUE(*(*reader)->Next(&e));
      EXPECT_EQ(e.kind, DumpEntry::Kind::kPage);
      EXPECT_EQ(e.space, s * 2);
      EXPECT_EQ(e.page, p);
      EXPECT_EQ(e.image, RandomBytes(512, s * 100 + p));
    }
  }
  absl::StatusOr<bool> more = (*reader)->Next(&e);
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_FALSE(*more);
  EXPECT_EQ((*reader)->trailer().pages, 12u);
  EXPECT_EQ((*reader)->trailer().spaces, 3u);
  EXPECT_EQ((*reader)->offset(), dump.size());
}

TEST(DumpCodecTest, TheWriterNeverHoldsMoreThanOneBlock) {
  size_t largest_write = 0, writes = 0;
  auto writer = DumpWriter::Start(Header(65536), [&](absl::string_view bytes) {
    largest_write = std::max(largest_write, bytes.size());
    ++writes;
    return absl::OkStatus();
  });
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->AddSpace(1, 1000).ok());
  const std::string page = RandomBytes(65536, 1);
  for (uint32_t p = 0; p < 1000; ++p) {  // 64 MiB of pages
    ASSERT_TRUE((*writer)->AddPage(p, page).ok());
    ASSERT_LE((*writer)->buffered_bytes(), df::kMaxPayload);
    // What is not buffered has gone to the sink.
    ASSERT_GE((*writer)->bytes_written() + (*writer)->buffered_bytes(),
              uint64_t{p + 1} * page.size());
  }
  ASSERT_TRUE((*writer)->Finish().ok());
  EXPECT_EQ((*writer)->buffered_bytes(), 0u);
  EXPECT_LE(largest_write, df::kFrameHeaderSize + df::kMaxPayload);
  EXPECT_GT(writes, 250u);
  EXPECT_EQ((*writer)->counts().pages, 1000u);
}

TEST(DumpCodecTest, ADumpCutShortAnywhereIsRefused) {
  const std::string dump = WriteDump(512, 2, 2);
  for (size_t n = 0; n < dump.size(); ++n) {
    absl::Status s = ReadAll(dump.substr(0, n), nullptr);
    ASSERT_EQ(s.code(), absl::StatusCode::kDataLoss) << n << ": " << s;
    ASSERT_THAT(s.message(), HasSubstr("cut short")) << n;
  }
  EXPECT_TRUE(ReadAll(dump, nullptr).ok());
}

TEST(DumpCodecTest, AFlippedByteAnywhereIsRefused) {
  const std::string dump = WriteDump(512, 2, 2);
  for (size_t i = 0; i < dump.size(); ++i) {
    std::string damaged = dump;
    damaged[i] ^= 0x20;
    absl::Status s = ReadAll(damaged, nullptr);
    ASSERT_FALSE(s.ok()) << "byte " << i;
    ASSERT_TRUE(absl::IsDataLoss(s) ||
                (i < df::kMagicSize && absl::IsInvalidArgument(s)))
        << i << ": " << s;
  }
}

TEST(DumpCodecTest, AMissingBlockOrExtraBytesAreRefused) {
  // Three blocks: drop the middle one, whose frame is well formed.
  const std::string dump = WriteDump(65536, 1, 9);
  const size_t first = df::kMagicSize + df::kFrameHeaderSize +
                       df::kHeaderFixedSize + 3;  // "dev"
  std::vector<size_t> frames;
  for (size_t at = first; at < dump.size();) {
    frames.push_back(at);
    at += df::kFrameHeaderSize + DecodeFixed32(&dump[at + 4]);
  }
  ASSERT_EQ(frames.size(), 4u);  // 3 blocks and the trailer
  const std::string dropped =
      dump.substr(0, frames[1]) + dump.substr(frames[2]);
  absl::Status s = ReadAll(dropped, nullptr);
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("trailer"));
  s = ReadAll(dump + "x", nullptr);
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("after its trailer"));
}

TEST(DumpCodecTest, NotADumpOrAnotherVersion) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      ReadAll(std::string("PK\x03\x04 not a dump at all", 22), nullptr)));
  std::string newer = WriteDump(512, 1, 1);
  newer[7] = '3';
  const absl::Status s = ReadAll(newer, nullptr);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("newer format"));
}

// An incremental dump: base 0x1000, store and timelines named.
DumpHeader IncrementalHeader() {
  DumpHeader h = Header(512);
  h.base_lsn = 0x1000;
  h.source_store.bytes[3] = 0x5a;
  h.timeline = TimelineId(4);
  h.base_timeline = TimelineId(2);
  return h;
}

TEST(DumpCodecTest, AnIncrementalDumpCarriesItsBaseAndTruncations) {
  std::string dump;
  auto writer =
      DumpWriter::Start(IncrementalHeader(), [&](absl::string_view b) {
        dump.append(b.data(), b.size());
        return absl::OkStatus();
      });
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE((*writer)->AddSpace(1, 0).ok());  // emptied
  ASSERT_TRUE((*writer)->AddSpace(2, 9).ok());
  ASSERT_TRUE((*writer)->AddTruncation(5).ok());
  ASSERT_TRUE((*writer)->AddPage(8, std::string(512, 'n')).ok());
  ASSERT_TRUE((*writer)->Finish().ok());

  auto reader = DumpReader::Open(FromString(&dump));
  ASSERT_TRUE(reader.ok()) << reader.status();
  const DumpHeader& h = (*reader)->header();
  EXPECT_EQ(h.format_version, 2u);
  EXPECT_EQ(h.base_lsn, 0x1000u);
  EXPECT_EQ(h.source_store, IncrementalHeader().source_store);
  EXPECT_EQ(h.timeline, TimelineId(4));
  EXPECT_EQ(h.base_timeline, TimelineId(2));
  EXPECT_EQ(h.source_branch_name, "dev");
  std::vector<DumpEntry> entries;
  ASSERT_TRUE(ReadAll(dump, &entries).ok());
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].page_count, 0u);
  EXPECT_EQ(entries[2].kind, DumpEntry::Kind::kTruncate);
  EXPECT_EQ(entries[2].space, 2u);
  EXPECT_EQ(entries[2].keep, 5u);
  EXPECT_EQ(entries[3].page, 8u);
}

TEST(DumpCodecTest, TruncationsAreRefusedOutOfPlace) {
  auto sink = [](absl::string_view) { return absl::OkStatus(); };
  auto full = DumpWriter::Start(Header(512), sink);
  ASSERT_TRUE((*full)->AddSpace(2, 9).ok());
  EXPECT_TRUE(absl::IsInvalidArgument((*full)->AddTruncation(5)));

  auto twice = DumpWriter::Start(IncrementalHeader(), sink);
  ASSERT_TRUE((*twice)->AddSpace(2, 9).ok());
  ASSERT_TRUE((*twice)->AddTruncation(5).ok());
  EXPECT_TRUE(absl::IsInvalidArgument((*twice)->AddTruncation(6)));

  auto past = DumpWriter::Start(IncrementalHeader(), sink);
  ASSERT_TRUE((*past)->AddSpace(2, 9).ok());
  EXPECT_TRUE(absl::IsInvalidArgument((*past)->AddTruncation(9)));

  auto after_page = DumpWriter::Start(IncrementalHeader(), sink);
  ASSERT_TRUE((*after_page)->AddSpace(2, 9).ok());
  ASSERT_TRUE((*after_page)->AddPage(1, std::string(512, 'a')).ok());
  EXPECT_TRUE(absl::IsInvalidArgument((*after_page)->AddTruncation(5)));

  DumpHeader backwards = IncrementalHeader();
  backwards.lsn = backwards.base_lsn - 1;
  EXPECT_TRUE(
      absl::IsInvalidArgument(DumpWriter::Start(backwards, sink).status()));
}

TEST(DumpCodecTest, TheWriterRefusesEntriesOutOfOrder) {
  auto writer = DumpWriter::Start(
      Header(512), [](absl::string_view) { return absl::OkStatus(); });
  ASSERT_TRUE(writer.ok());
  EXPECT_TRUE(
      absl::IsInvalidArgument((*writer)->AddPage(0, std::string(512, 'a'))));
  auto ok = DumpWriter::Start(
      Header(512), [](absl::string_view) { return absl::OkStatus(); });
  ASSERT_TRUE((*ok)->AddSpace(5, 2).ok());
  EXPECT_TRUE(absl::IsInvalidArgument((*ok)->AddPage(0, "short")));
  auto later = DumpWriter::Start(
      Header(512), [](absl::string_view) { return absl::OkStatus(); });
  ASSERT_TRUE((*later)->AddSpace(5, 2).ok());
  EXPECT_TRUE(
      absl::IsInvalidArgument((*later)->AddPage(2, std::string(512, 'a'))));
  EXPECT_TRUE(absl::IsInvalidArgument(
      DumpWriter::Start(Header(1000), nullptr).status()));
}

TEST(DumpCodecTest, ASinkErrorStopsTheWriter) {
  int calls = 0;
  auto writer = DumpWriter::Start(Header(65536), [&](absl::string_view) {
    return ++calls > 2 ? absl::UnavailableError("client went away")
                       : absl::OkStatus();
  });
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->AddSpace(1, 100).ok());
  absl::Status s;
  for (uint32_t p = 0; p < 100 && s.ok(); ++p) {
    s = (*writer)->AddPage(p, std::string(65536, 'x'));
  }
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_TRUE(absl::IsUnavailable((*writer)->Finish()));
}

}  // namespace
}  // namespace pitr
