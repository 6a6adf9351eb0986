#include "engine/store_keys.h"

namespace pitr::store_keys {
namespace {

void PutBig32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutBig64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint32_t GetBig32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint64_t GetBig64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint8_t Complement(uint8_t byte) { return static_cast<uint8_t>(~byte); }

constexpr size_t kVersionKeySize = 1 + 8 + 4 + 4 + 8 + 4 + 1;
constexpr size_t kSpaceEventKeySize = 1 + 8 + 4 + 8 + 4;

}  // namespace

std::string PagePrefix(PageKey key) {
  std::string out;
  out.reserve(kVersionKeySize);
  out.push_back(kVersionTag);
  PutBig32(&out, key.space);
  PutBig32(&out, key.page);
  return out;
}

std::string SpaceVersionsPrefix(uint32_t space) {
  return PagePrefix({space, 0}).substr(0, 5);
}

std::string VersionKey(TimelineId timeline, PageKey key, Position at,
                       VersionKeyKind kind) {
  std::string out = PagePrefix(key);
  PutBig64(&out, ~timeline.value());
  PutBig64(&out, ~at.commit_lsn);
  PutBig32(&out, ~at.seq);
  out.push_back(static_cast<char>(Complement(static_cast<uint8_t>(kind))));
  return out;
}

std::optional<ParsedVersionKey> ParseVersionKey(absl::string_view key) {
  if (key.size() != kVersionKeySize || key[0] != kVersionTag) {
    return std::nullopt;
  }
  const char* p = key.data() + 1;
  ParsedVersionKey parsed;
  parsed.key = PageKey{GetBig32(p), GetBig32(p + 4)};
  parsed.timeline = TimelineId(~GetBig64(p + 8));
  parsed.at = Position{~GetBig64(p + 16), ~GetBig32(p + 24)};
  parsed.kind =
      static_cast<VersionKeyKind>(Complement(static_cast<uint8_t>(p[28])));
  return parsed;
}

std::optional<ParsedVersionKey> ParseVersionKeyV1(absl::string_view key) {
  if (key.size() != kVersionKeySize || key[0] != kVersionTagV1) {
    return std::nullopt;
  }
  const char* p = key.data() + 1;
  ParsedVersionKey parsed;
  parsed.key = PageKey{GetBig32(p), GetBig32(p + 4)};
  parsed.timeline = TimelineId(GetBig64(p + 8));
  parsed.at = Position{GetBig64(p + 16), GetBig32(p + 24)};
  parsed.kind = static_cast<VersionKeyKind>(p[28]);
  return parsed;
}

std::string ImageValue(absl::string_view image) {
  std::string out;
  out.reserve(1 + image.size());
  out.push_back(static_cast<char>(VersionKind::kImage));
  out.append(image.data(), image.size());
  return out;
}

std::string DeltaValue(uint32_t offset, absl::string_view bytes) {
  std::string out;
  out.reserve(5 + bytes.size());
  out.push_back(static_cast<char>(VersionKind::kDelta));
  PutBig32(&out, offset);
  out.append(bytes.data(), bytes.size());
  return out;
}

std::optional<ParsedVersionValue> ParseVersionValue(absl::string_view value) {
  if (value.empty()) return std::nullopt;
  switch (static_cast<VersionKind>(value[0])) {
    case VersionKind::kImage:
      return ParsedVersionValue{VersionKind::kImage, 0, value.substr(1)};
    case VersionKind::kDelta:
      if (value.size() < 5) return std::nullopt;
      return ParsedVersionValue{VersionKind::kDelta, GetBig32(value.data() + 1),
                                value.substr(5)};
  }
  return std::nullopt;
}

std::string SpacePrefix(char kind, TimelineId timeline, uint32_t space) {
  std::string out;
  out.reserve(kSpaceEventKeySize);
  out.push_back(kind);
  PutBig64(&out, timeline.value());
  PutBig32(&out, space);
  return out;
}

namespace {
std::string SpaceEventKey(char kind, TimelineId timeline, uint32_t space,
                          Position at) {
  std::string out = SpacePrefix(kind, timeline, space);
  PutBig64(&out, at.commit_lsn);
  PutBig32(&out, at.seq);
  return out;
}
}  // namespace

std::string SizeKey(TimelineId timeline, uint32_t space, Position at) {
  return SpaceEventKey('s', timeline, space, at);
}

std::string TruncationKey(TimelineId timeline, uint32_t space, Position at) {
  return SpaceEventKey('t', timeline, space, at);
}

Position SpaceEventPosition(absl::string_view key) {
  return Position{GetBig64(key.data() + 13), GetBig32(key.data() + 21)};
}

std::string EncodeU32(uint32_t value) {
  std::string out;
  PutBig32(&out, value);
  return out;
}

std::optional<uint32_t> DecodeU32(absl::string_view value) {
  if (value.size() != 4) return std::nullopt;
  return GetBig32(value.data());
}

std::string EncodeU64(uint64_t value) {
  std::string out;
  PutBig64(&out, value);
  return out;
}

std::optional<uint64_t> DecodeU64(absl::string_view value) {
  if (value.size() != 8) return std::nullopt;
  return GetBig64(value.data());
}

std::string EncodeLocalHorizons(const std::map<TimelineId, Lsn>& horizons) {
  std::string out;
  PutBig32(&out, static_cast<uint32_t>(horizons.size()));
  for (const auto& [timeline, lsn] : horizons) {
    PutBig64(&out, timeline.value());
    PutBig64(&out, lsn);
  }
  return out;
}

std::optional<std::map<TimelineId, Lsn>> DecodeLocalHorizons(
    absl::string_view value) {
  if (value.size() < 4) return std::nullopt;
  const uint32_t count = GetBig32(value.data());
  if (value.size() != 4 + uint64_t{count} * 16) return std::nullopt;
  std::map<TimelineId, Lsn> horizons;
  for (uint32_t i = 0; i < count; ++i) {
    const char* entry = value.data() + 4 + i * 16;
    horizons[TimelineId(GetBig64(entry))] = GetBig64(entry + 8);
  }
  return horizons;
}

std::string HeadKey(TimelineId timeline) {
  std::string out(1, kHeadTag);
  PutBig64(&out, timeline.value());
  return out;
}

std::optional<TimelineId> HeadKeyTimeline(absl::string_view key) {
  if (key.size() != 9 || key[0] != kHeadTag) return std::nullopt;
  return TimelineId(GetBig64(key.data() + 1));
}

std::string ChangeKey(TimelineId timeline, Position at) {
  std::string out(1, kChangeTag);
  PutBig64(&out, timeline.value());
  PutBig64(&out, at.commit_lsn);
  PutBig32(&out, at.seq);
  return out;
}

std::string EncodePageKey(PageKey key) {
  std::string out;
  PutBig32(&out, key.space);
  PutBig32(&out, key.page);
  return out;
}

std::optional<PageKey> DecodePageKey(absl::string_view value) {
  if (value.size() != 8) return std::nullopt;
  return PageKey{GetBig32(value.data()), GetBig32(value.data() + 4)};
}

std::string MetaKey(absl::string_view name) {
  std::string out = "m";
  out.append(name.data(), name.size());
  return out;
}

}  // namespace pitr::store_keys
