#include "wal/segment.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "wal/log_format.h"

namespace pitr {

namespace lf = log_format;

std::string SegmentFileName(Lsn start_lsn) {
  return absl::StrFormat("%016X%s", start_lsn, lf::kSegmentFileSuffix);
}

std::optional<Lsn> ParseSegmentFileName(absl::string_view name) {
  constexpr size_t kDigits = 16;
  if (name.size() != kDigits + strlen(lf::kSegmentFileSuffix) ||
      name.substr(kDigits) != lf::kSegmentFileSuffix) {
    return std::nullopt;
  }
  Lsn lsn = 0;
  for (char c : name.substr(0, kDigits)) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) ||
        absl::ascii_islower(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
    lsn = (lsn << 4) |
          static_cast<Lsn>(absl::ascii_isdigit(c) ? c - '0' : c - 'A' + 10);
  }
  return lsn;
}

std::string EncodeSegmentHeader(const SegmentHeader& header) {
  std::string out(lf::kSegmentMagic, sizeof(lf::kSegmentMagic));
  PutFixed32(&out, lf::kFormatVersion);
  PutFixed32(&out, lf::kSegmentHeaderSize);
  PutFixed64(&out, header.start_lsn);
  PutFixed64(&out, header.commits_before);
  PutFixed32(&out, 0);
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out)));
  return out;
}

absl::StatusOr<SegmentHeader> DecodeSegmentHeader(absl::string_view bytes,
                                                  absl::string_view path) {
  auto bad = [&](absl::string_view why) {
    return absl::DataLossError(
        absl::StrCat("WAL segment ", path, " has a bad header: ", why));
  };
  if (bytes.size() < lf::kSegmentHeaderSize) {
    return bad(absl::StrCat("only ", bytes.size(), " of ",
                            lf::kSegmentHeaderSize, " bytes"));
  }
  const char* p = bytes.data();
  const size_t crc_at = lf::kSegmentHeaderSize - 4;
  if (crc32c::Unmask(DecodeFixed32(p + crc_at)) !=
      crc32c::Extend(0, p, crc_at)) {
    return bad("checksum mismatch");
  }
  if (std::memcmp(p, lf::kSegmentMagic, sizeof(lf::kSegmentMagic)) != 0) {
    return bad("not a pitr WAL segment (wrong magic)");
  }
  if (uint32_t version = DecodeFixed32(p + 8); version != lf::kFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("WAL segment ", path, " has format version ", version,
                     "; this build reads version ", lf::kFormatVersion));
  }
  if (uint32_t size = DecodeFixed32(p + 12); size != lf::kSegmentHeaderSize) {
    return bad(
        absl::StrCat("header size ", size, " is not ", lf::kSegmentHeaderSize));
  }
  return SegmentHeader{DecodeFixed64(p + 16), DecodeFixed64(p + 24)};
}

uint64_t SegmentFileOffset(Lsn segment_start, Lsn lsn) {
  return lf::kSegmentHeaderSize + (lsn - segment_start);
}

absl::StatusOr<std::vector<Lsn>> ListSegmentFiles(FileSystem* fs,
                                                  const std::string& dir) {
  PITR_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::vector<Lsn> starts;
  for (const std::string& name : names) {
    if (std::optional<Lsn> start = ParseSegmentFileName(name)) {
      starts.push_back(*start);
    }
  }
  std::sort(starts.begin(), starts.end());
  return starts;
}

}  // namespace pitr
