// Fuzz target: the WAL decoder, through its real entry point: Wal::Open
// recovering a directory (segment header, record frames, payloads, commit
// records, torn tails, repair, the timestamp index rebuilt from the log),
// then WalReader reading every batch back. Files live in memory
// (MemFileSystem).
//
// Input: one flags byte, then the bytes of one segment file.
//   kFixChecksums  recompute the segment header's CRC and every record
//                  frame's CRC first, so mutations reach the payload
//                  decoding instead of dying at a checksum;
//   kRepair        open with WalOptions::repair;
//   kRecordsOnly   the bytes are records only: a valid header (start LSN
//                  from the next 8 bytes) is put in front of them.
// The file is named after the start LSN its header holds.
//
// Checked: no crash, hang or out-of-bounds read (ASan); a refusal is a
// status, never a crash; if the log opens, every batch reads back, each
// re-encodes (WalBatch) to exactly the bytes on disk unless the batch holds
// records this build skips (ignorable types), each commit's timestamp is
// found at its LSN, and the recovered log takes a new batch and reopens to
// the same batches plus that one.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/testing/mem_file_system.h"
#include "spdlog/spdlog.h"
#include "tests/fuzz/fuzz_check.h"
#include "wal/log_format.h"
#include "wal/wal.h"

namespace pitr {
namespace {

namespace lf = log_format;

constexpr uint8_t kFixChecksums = 1;
constexpr uint8_t kRepair = 2;
constexpr uint8_t kRecordsOnly = 4;
constexpr char kDir[] = "/wal";

std::string SegmentName(Lsn start) {
  return absl::StrFormat("%s/%016X%s", kDir, start, lf::kSegmentFileSuffix);
}

std::string SegmentHeader(Lsn start, uint64_t commits_before) {
  std::string h(lf::kSegmentMagic, sizeof(lf::kSegmentMagic));
  PutFixed32(&h, lf::kFormatVersion);
  PutFixed32(&h, lf::kSegmentHeaderSize);
  PutFixed64(&h, start);
  PutFixed64(&h, commits_before);
  PutFixed32(&h, 0);
  PutFixed32(&h, crc32c::Mask(crc32c::Value(h)));
  return h;
}

std::string Frame(uint8_t type, absl::string_view payload) {
  std::string f;
  PutFixed32(&f, 0);
  PutFixed32(&f, static_cast<uint32_t>(payload.size()));
  f.push_back(static_cast<char>(type));
  f.append(payload.data(), payload.size());
  EncodeFixed32(&f[0],
                crc32c::Mask(crc32c::Extend(0, f.data() + 4, f.size() - 4)));
  return f;
}

// Recomputes the header CRC and the CRC of every frame that fits.
void FixChecksums(std::string* segment) {
  if (segment->size() < lf::kSegmentHeaderSize) return;
  EncodeFixed32(&(*segment)[lf::kSegmentHeaderSize - 4],
                crc32c::Mask(crc32c::Value(absl::string_view(
                    segment->data(), lf::kSegmentHeaderSize - 4))));
  size_t pos = lf::kSegmentHeaderSize;
  while (segment->size() - pos >= lf::kFrameHeaderSize) {
    const uint32_t length = DecodeFixed32(segment->data() + pos + 4);
    if (length > lf::kMaxPayloadSize ||
        segment->size() - pos - lf::kFrameHeaderSize < length) {
      return;
    }
    const size_t size = lf::kFrameHeaderSize + length;
    EncodeFixed32(
        &(*segment)[pos],
        crc32c::Mask(crc32c::Extend(0, segment->data() + pos + 4, size - 4)));
    pos += size;
  }
}

std::vector<CommittedBatch> ReadAll(Wal* wal) {
  absl::StatusOr<std::unique_ptr<WalReader>> reader =
      wal->NewReader(wal->oldest_lsn());
  FUZZ_CHECK(reader.ok(), "NewReader at the oldest LSN: %s",
             reader.status().ToString().c_str());
  std::vector<CommittedBatch> batches;
  while (true) {
    CommittedBatch batch;
    absl::StatusOr<bool> more = (*reader)->Next(&batch);
    FUZZ_CHECK(more.ok(), "a recovered log fails to read back: %s",
               more.status().ToString().c_str());
    if (!*more) break;
    batches.push_back(std::move(batch));
  }
  FUZZ_CHECK((*reader)->position() == wal->end_lsn(),
             "reading stopped at %llu, the log ends at %llu",
             static_cast<unsigned long long>((*reader)->position()),
             static_cast<unsigned long long>(wal->end_lsn()));
  return batches;
}

// The batch as a writer would have built it; false if WalBatch refuses one
// of its records (a record the decoder takes but no writer can make).
bool Reencode(const CommittedBatch& read, WalBatch* batch) {
  for (const WalRecord& r : read.records) {
    absl::Status s;
    switch (r.kind) {
      case RecordKind::kPageImage:
        s = batch->PutPageImage(r.key, r.data);
        break;
      case RecordKind::kPageDelta:
        s = batch->PutPageDelta(r.key, r.offset, r.data);
        break;
      case RecordKind::kSpaceTruncate:
        batch->PutSpaceTruncate(r.key.space, r.page_count);
        break;
    }
    if (!s.ok()) return false;
  }
  batch->SetTimestamp(read.timestamp_us);
  return true;
}

void CheckBatches(Wal* wal, const testing::MemFileSystem& fs,
                  const std::vector<CommittedBatch>& batches) {
  Lsn expected_start = wal->oldest_lsn();
  for (const CommittedBatch& read : batches) {
    FUZZ_CHECK(
        read.start_lsn == expected_start && read.commit_lsn > read.start_lsn,
        "batch [%llu, %llu) does not follow %llu",
        static_cast<unsigned long long>(read.start_lsn),
        static_cast<unsigned long long>(read.commit_lsn),
        static_cast<unsigned long long>(expected_start));
    expected_start = read.commit_lsn;
    for (const WalRecord& r : read.records) {
      FUZZ_CHECK(r.timeline == read.timeline, "record of another timeline");
      FUZZ_CHECK(r.lsn >= read.start_lsn && r.lsn < read.commit_lsn,
                 "record LSN outside its batch");
    }
    absl::StatusOr<std::optional<int64_t>> ts =
        wal->TimestampAtLsn(read.commit_lsn);
    FUZZ_CHECK(ts.ok() && ts->has_value() && **ts == read.timestamp_us,
               "TimestampAtLsn(commit %llu) is not the batch's timestamp",
               static_cast<unsigned long long>(read.commit_lsn));

    WalBatch batch(read.timeline);
    if (!Reencode(read, &batch)) continue;
    std::vector<WalRecord> records = batch.Records(read.start_lsn);
    const uint64_t size = read.commit_lsn - read.start_lsn;
    const bool skipped = batch.encoded_size() + lf::kCommitRecordSize != size;
    if (skipped) {
      // Only records of ignorable types the reader skipped make the batch
      // longer on disk; they also move the LSNs of the records after them.
      FUZZ_CHECK(batch.encoded_size() + lf::kCommitRecordSize < size,
                 "the batch at %llu is shorter on disk than re-encoded",
                 static_cast<unsigned long long>(read.start_lsn));
      FUZZ_CHECK(records.size() == read.records.size(), "record count");
      for (size_t i = 0; i < records.size(); ++i) {
        records[i].lsn = read.records[i].lsn;
      }
    }
    FUZZ_CHECK(records == read.records,
               "the batch at %llu re-encodes to other records",
               static_cast<unsigned long long>(read.start_lsn));
    if (skipped) continue;
    // Single segment: the batch's bytes are at header + (lsn - start).
    const std::string file = fs.GetFile(SegmentName(wal->oldest_lsn()));
    const uint64_t offset =
        lf::kSegmentHeaderSize + (read.start_lsn - wal->oldest_lsn());
    FUZZ_CHECK(offset + size <= file.size(), "batch beyond its segment");
    std::string commit;
    PutFixed64(&commit, read.timeline.value());
    PutFixed64(&commit, static_cast<uint64_t>(read.timestamp_us));
    PutFixed32(&commit, batch.record_count());
    std::vector<absl::string_view> pieces;
    batch.AppendPieces(&pieces);
    const std::string expected =
        absl::StrJoin(pieces, "") + Frame(lf::kCommit, commit);
    FUZZ_CHECK(file.compare(offset, size, expected) == 0,
               "the batch at %llu re-encodes to other bytes",
               static_cast<unsigned long long>(read.start_lsn));
  }
}

void Run(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const uint8_t flags = data[0];
  std::string segment(reinterpret_cast<const char*>(data + 1), size - 1);
  Lsn start = 0;
  if (flags & kRecordsOnly) {
    uint64_t raw = 0;
    if (segment.size() >= 8) {
      raw = DecodeFixed64(segment.data());
      segment.erase(0, 8);
    }
    start = raw;
    segment = SegmentHeader(start, 0) + segment;
  } else if (segment.size() >= lf::kSegmentHeaderSize) {
    start = DecodeFixed64(segment.data() + 16);
  }
  if (flags & kFixChecksums) FixChecksums(&segment);

  testing::MemFileSystem fs;
  fs.SetFile(SegmentName(start), segment);
  WalOptions options;
  options.dir = kDir;
  options.fs = &fs;
  options.repair = (flags & kRepair) != 0;
  options.clock_us = [] { return int64_t{1}; };
  absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(options);
  if (!wal.ok()) {
    const absl::StatusCode code = wal.status().code();
    FUZZ_CHECK(code == absl::StatusCode::kDataLoss ||
                   code == absl::StatusCode::kFailedPrecondition ||
                   code == absl::StatusCode::kOutOfRange ||
                   code == absl::StatusCode::kInvalidArgument,
               "Wal::Open refused with %s", wal.status().ToString().c_str());
    return;
  }
  const std::vector<CommittedBatch> batches = ReadAll(wal->get());
  CheckBatches(wal->get(), fs, batches);

  // The recovered log is whole: it takes a new batch and reopens to the same
  // batches plus that one (corpus/wal_decoder_fuzz/known-lsn-wrap-on-append:
  // a segment claiming LSNs near 2^64 once took a batch past 2^64 and then
  // no longer opened; Append now refuses it).
  WalBatch extra(batches.empty() ? kNoTimeline : batches.back().timeline);
  FUZZ_CHECK(extra.PutPageImage({1, 2}, "fuzz").ok(), "PutPageImage");
  extra.SetTimestamp((*wal)->last_timestamp_us().value_or(0));
  absl::StatusOr<AppendResult> appended = (*wal)->Append(extra);
  if (!appended.ok()) {
    // Only an LSN space that is full may refuse it.
    FUZZ_CHECK(appended.status().code() != absl::StatusCode::kInternal &&
                   appended.status().code() != absl::StatusCode::kUnknown,
               "Append to a recovered log: %s",
               appended.status().ToString().c_str());
    return;
  }
  FUZZ_CHECK((*wal)->Close().ok(), "Close");
  wal->reset();
  options.repair = false;
  absl::StatusOr<std::unique_ptr<Wal>> again = Wal::Open(options);
  FUZZ_CHECK(again.ok(),
             "a recovered log with one more batch does not reopen: %s",
             again.status().ToString().c_str());
  std::vector<CommittedBatch> after = ReadAll(again->get());
  FUZZ_CHECK(after.size() == batches.size() + 1,
             "reopened with %zu batches, expected %zu", after.size(),
             batches.size() + 1);
  for (size_t i = 0; i < batches.size(); ++i) {
    FUZZ_CHECK(after[i].records == batches[i].records &&
                   after[i].commit_lsn == batches[i].commit_lsn &&
                   after[i].timestamp_us == batches[i].timestamp_us,
               "batch %zu changed across a reopen", i);
  }
  FUZZ_CHECK(after.back().commit_lsn == appended->commit_lsn &&
                 after.back().records == extra.Records(appended->start_lsn),
             "the appended batch reads back wrong");
}

}  // namespace
}  // namespace pitr

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)quiet;
  pitr::Run(data, size);
  return 0;
}
