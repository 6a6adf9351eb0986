// Fuzz target: the dump importer's reader, DumpReader (engine/dump_reader.h),
// which Engine::ImportDump and the server's ImportDump run over uploaded
// bytes before anything is imported.
//
// Input: one flags byte, then the dump's bytes.
//   bits 0-2  the most bytes the source hands over per read: 0 means all
//             that is asked for, n means 4^(n-1) (1, 4, 16, ... 4096), so
//             short reads in every place are tried;
//   bit 7     recompute every frame's checksum and the trailer's checksum
//             of the stream first, so mutations reach the entry parsing.
//
// Checked: no crash, hang or out-of-bounds read (ASan); a refusal is
// INVALID_ARGUMENT, FAILED_PRECONDITION or DATA_LOSS. If the reader accepts
// the dump: every page image is exactly page_size bytes, spaces come in
// increasing order, pages in increasing order below their space's page
// count, the trailer's counts are what was read and the whole input was
// consumed; and DumpWriter, given the same header and entries, writes a
// dump that reads back to the same entries.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "engine/dump_format.h"
#include "engine/dump_reader.h"
#include "engine/dump_writer.h"
#include "tests/fuzz/fuzz_check.h"

namespace pitr {
namespace {

namespace df = dump_format;

constexpr uint8_t kFixChecksums = 0x80;

struct Entry {
  DumpEntry::Kind kind;
  uint32_t space;
  uint32_t page_count;
  uint32_t page;
  std::string image;
  bool operator==(const Entry& o) const {
    return kind == o.kind && space == o.space && page_count == o.page_count &&
           page == o.page && image == o.image;
  }
};

// Recomputes each frame's checksum, and the trailer's stream checksum.
void FixChecksums(std::string* dump) {
  size_t pos = df::kMagicSize;
  uint32_t stream =
      crc32c::Extend(0, dump->data(), std::min(pos, dump->size()));
  while (pos <= dump->size() && dump->size() - pos >= df::kFrameHeaderSize) {
    char* frame = &(*dump)[pos];
    const uint32_t length = DecodeFixed32(frame + 4);
    if (length > df::kMaxPayload ||
        dump->size() - pos - df::kFrameHeaderSize < length) {
      return;
    }
    const size_t size = df::kFrameHeaderSize + length;
    const bool trailer =
        static_cast<df::FrameType>(frame[8]) == df::FrameType::kTrailer;
    if (trailer && length == df::kTrailerSize) {
      EncodeFixed32(frame + df::kFrameHeaderSize + 24, crc32c::Mask(stream));
    }
    EncodeFixed32(frame, crc32c::Mask(crc32c::Extend(0, frame + 4, size - 4)));
    if (!trailer) stream = crc32c::Extend(stream, frame, size);
    pos += size;
  }
}

DumpSource SourceOver(const std::string* bytes, size_t max_read) {
  auto pos = std::make_shared<size_t>(0);
  return
      [bytes, max_read, pos](char* dest, size_t n) -> absl::StatusOr<size_t> {
        size_t k = std::min(n, bytes->size() - *pos);
        if (max_read > 0) k = std::min(k, max_read);
        if (k > 0) std::memcpy(dest, bytes->data() + *pos, k);
        *pos += k;
        return k;
      };
}

// Reads the whole dump; nullopt if the reader refuses it.
std::optional<std::vector<Entry>> ReadDump(const std::string& bytes,
                                           size_t max_read,
                                           DumpHeader* header) {
  absl::StatusOr<std::unique_ptr<DumpReader>> reader =
      DumpReader::Open(SourceOver(&bytes, max_read));
  auto check_refusal = [](const absl::Status& s) {
    FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument ||
                   s.code() == absl::StatusCode::kFailedPrecondition ||
                   s.code() == absl::StatusCode::kDataLoss,
               "DumpReader refused with %s", s.ToString().c_str());
  };
  if (!reader.ok()) {
    check_refusal(reader.status());
    return std::nullopt;
  }
  *header = (*reader)->header();
  const uint32_t page_size = header->page_size;
  FUZZ_CHECK(page_size >= 512 && page_size <= 65536 &&
                 (page_size & (page_size - 1)) == 0,
             "accepted page size %u", page_size);
  std::vector<Entry> entries;
  std::optional<uint32_t> space;
  // Pages of the current space so far, and the last one (if any).
  uint32_t pages_in_space = 0, last_page = 0;
  uint32_t page_count = 0;
  uint64_t spaces = 0, pages = 0;
  while (true) {
    DumpEntry e;
    absl::StatusOr<bool> more = (*reader)->Next(&e);
    if (!more.ok()) {
      check_refusal(more.status());
      return std::nullopt;
    }
    if (!*more) break;
    if (e.kind == DumpEntry::Kind::kSpace) {
      FUZZ_CHECK(!space || e.space > space.value_or(0),
                 "space %u after space %u", e.space, space.value_or(0));
      space = e.space;
      page_count = e.page_count;
      pages_in_space = 0;
      ++spaces;
      entries.push_back({e.kind, e.space, e.page_count, 0, ""});
    } else {
      FUZZ_CHECK(space && e.space == space.value_or(0),
                 "page outside its space");
      FUZZ_CHECK(e.image.size() == page_size, "image of %zu bytes, not %u",
                 e.image.size(), page_size);
      FUZZ_CHECK(
          (pages_in_space == 0 || e.page > last_page) && e.page < page_count,
          "page %u out of order or past %u pages", e.page, page_count);
      last_page = e.page;
      ++pages_in_space;
      ++pages;
      entries.push_back({e.kind, e.space, 0, e.page, std::string(e.image)});
    }
  }
  const DumpTrailer& t = (*reader)->trailer();
  FUZZ_CHECK(t.spaces == spaces && t.pages == pages,
             "the trailer counts %llu spaces, %llu pages; read %llu, %llu",
             static_cast<unsigned long long>(t.spaces),
             static_cast<unsigned long long>(t.pages),
             static_cast<unsigned long long>(spaces),
             static_cast<unsigned long long>(pages));
  FUZZ_CHECK((*reader)->offset() == bytes.size(),
             "accepted after reading %llu of %zu bytes",
             static_cast<unsigned long long>((*reader)->offset()),
             bytes.size());
  return entries;
}

void Run(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const uint8_t flags = data[0];
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  if (flags & kFixChecksums) FixChecksums(&bytes);
  const size_t max_read =
      (flags & 7) == 0 ? 0 : size_t{1} << (2 * ((flags & 7) - 1));

  DumpHeader header;
  std::optional<std::vector<Entry>> entries =
      ReadDump(bytes, max_read, &header);
  if (!entries) return;

  // Written again, the same header and entries read back the same.
  std::string rewritten;
  absl::StatusOr<std::unique_ptr<DumpWriter>> writer =
      DumpWriter::Start(header, [&rewritten](absl::string_view b) {
        rewritten.append(b.data(), b.size());
        return absl::OkStatus();
      });
  if (!writer.ok()) {
    // The reader takes any branch name; the writer only up to 1024 bytes.
    FUZZ_CHECK(header.source_branch_name.size() > 1024,
               "DumpWriter refuses an accepted header: %s",
               writer.status().ToString().c_str());
    return;
  }
  for (const Entry& e : *entries) {
    absl::Status s = e.kind == DumpEntry::Kind::kSpace
                         ? (*writer)->AddSpace(e.space, e.page_count)
                         : (*writer)->AddPage(e.page, e.image);
    FUZZ_CHECK(s.ok(), "DumpWriter refuses an accepted entry: %s",
               s.ToString().c_str());
  }
  FUZZ_CHECK((*writer)->Finish().ok(), "DumpWriter::Finish");
  DumpHeader again_header;
  std::optional<std::vector<Entry>> again =
      ReadDump(rewritten, 0, &again_header);
  FUZZ_CHECK(again.has_value() && *again == *entries,
             "a rewritten dump reads back differently");
  FUZZ_CHECK(again_header.page_size == header.page_size &&
                 again_header.source_branch == header.source_branch &&
                 again_header.source_branch_name == header.source_branch_name &&
                 again_header.lsn == header.lsn &&
                 again_header.timestamp_us == header.timestamp_us,
             "a rewritten dump has another header");
}

}  // namespace
}  // namespace pitr

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pitr::Run(data, size);
  return 0;
}
