#include "branch/catalog_records.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/status_macros.h"

namespace pitr::catalog_records {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kRetentionSize = 1 + 8 + 8;
constexpr size_t kBranchFixed = 1 + 8 + 8 + kRetentionSize;
constexpr size_t kDefaultRetentionSize = 1 + kRetentionSize;
constexpr size_t kTimelineSize = 1 + 8 + 8 + 8 + 8;
constexpr size_t kNextIdsSize = 1 + 8 + 8 + 8;
constexpr size_t kStoreIdSize = 1 + 16;
constexpr size_t kSpaceSize = 1 + 4 + 8;
constexpr size_t kProvenanceSize = 1 + 16 + 8 + 8 + 8 + 8;

std::string Key(absl::string_view prefix, uint64_t id) {
  std::string out(prefix);
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(id >> (8 * i)));
  return out;
}

absl::StatusOr<uint64_t> KeyId(absl::string_view prefix,
                               absl::string_view key) {
  if (key.size() != prefix.size() + 8 ||
      key.substr(0, prefix.size()) != prefix) {
    return absl::DataLossError("catalog: malformed key");
  }
  uint64_t id = 0;
  for (char c : key.substr(prefix.size()))
    id = (id << 8) | static_cast<unsigned char>(c);
  return id;
}

// A retention as stored in branch and default-retention records: flags u8
// (bit 0: window set, bit 1: lsn_distance set), window_us i64,
// lsn_distance u64.
void PutRetention(std::string* out, const Retention& r) {
  out->push_back(
      static_cast<char>((r.window ? 1 : 0) | (r.lsn_distance ? 2 : 0)));
  PutFixed64(out, static_cast<uint64_t>(
                      r.window ? absl::ToInt64Microseconds(*r.window) : 0));
  PutFixed64(out, r.lsn_distance.value_or(0));
}

// REQUIRES: kRetentionSize bytes at p.
Retention GetRetention(const char* p) {
  Retention r;
  const auto flags = static_cast<uint8_t>(p[0]);
  if (flags & 1) {
    r.window = absl::Microseconds(static_cast<int64_t>(DecodeFixed64(p + 1)));
  }
  if (flags & 2) r.lsn_distance = DecodeFixed64(p + 9);
  return r;
}

}  // namespace

std::string BranchKey(BranchId id) { return Key(kBranchPrefix, id); }
std::string TimelineKey(TimelineId id) {
  return Key(kTimelinePrefix, id.value());
}
std::string SnapshotKey(uint64_t id) { return Key(kSnapshotPrefix, id); }

namespace {
constexpr size_t kSnapshotFixed = 1 + 8 + 8 + 8 + 8 + 1 + 1 + 8 + 2;
constexpr size_t kScheduleSize = 1 + 8 + 8 + 1 + 4 + 8 + 8;
}  // namespace

std::string EncodeSnapshot(const Snapshot& s) {
  std::string out(1, static_cast<char>(kVersion));
  PutFixed64(&out, s.branch);
  PutFixed64(&out, s.timeline.value());
  PutFixed64(&out, s.lsn);
  PutFixed64(&out, static_cast<uint64_t>(s.created_us));
  out.push_back(static_cast<char>(s.kind));
  out.push_back(s.expires_us ? 1 : 0);
  PutFixed64(&out, static_cast<uint64_t>(s.expires_us.value_or(0)));
  out.push_back(static_cast<char>(s.schedule.size() & 0xff));
  out.push_back(static_cast<char>(s.schedule.size() >> 8));
  out += s.schedule;
  out += s.name;
  return out;
}

absl::StatusOr<Snapshot> DecodeSnapshot(absl::string_view key,
                                        absl::string_view value) {
  absl::StatusOr<uint64_t> id = KeyId(kSnapshotPrefix, key);
  if (!id.ok()) return id.status();
  if (value.size() <= kSnapshotFixed || value[0] != kVersion) {
    return absl::DataLossError(
        absl::StrCat("catalog: malformed snapshot ", *id));
  }
  const char* p = value.data() + 1;
  Snapshot s;
  s.id = *id;
  s.branch = DecodeFixed64(p);
  s.timeline = TimelineId(DecodeFixed64(p + 8));
  s.lsn = DecodeFixed64(p + 16);
  s.created_us = static_cast<int64_t>(DecodeFixed64(p + 24));
  s.kind = static_cast<Snapshot::Kind>(p[32]);
  if (p[33] != 0) s.expires_us = static_cast<int64_t>(DecodeFixed64(p + 34));
  const size_t schedule_length =
      static_cast<unsigned char>(p[42]) |
      static_cast<size_t>(static_cast<unsigned char>(p[43])) << 8;
  if (value.size() <= kSnapshotFixed + schedule_length) {
    return absl::DataLossError(
        absl::StrCat("catalog: malformed snapshot ", *id));
  }
  s.schedule = std::string(value.substr(kSnapshotFixed, schedule_length));
  s.name = std::string(value.substr(kSnapshotFixed + schedule_length));
  return s;
}

std::string ScheduleKey(absl::string_view name) {
  return absl::StrCat(kSchedulePrefix, name);
}

std::string EncodeSchedule(const SnapshotSchedule& s) {
  std::string out(1, static_cast<char>(kVersion));
  PutFixed64(&out, s.branch);
  PutFixed64(&out, static_cast<uint64_t>(absl::ToInt64Microseconds(s.every)));
  out.push_back(
      static_cast<char>((s.keep_last ? 1 : 0) | (s.keep_for ? 2 : 0)));
  PutFixed32(&out, s.keep_last.value_or(0));
  PutFixed64(&out,
             static_cast<uint64_t>(
                 s.keep_for ? absl::ToInt64Microseconds(*s.keep_for) : 0));
  PutFixed64(&out, static_cast<uint64_t>(s.last_taken_us));
  return out;
}

absl::StatusOr<SnapshotSchedule> DecodeSchedule(absl::string_view key,
                                                absl::string_view value) {
  if (key.size() <= 2 || value.size() != kScheduleSize ||
      value[0] != kVersion) {
    return absl::DataLossError("catalog: malformed snapshot schedule");
  }
  const char* p = value.data() + 1;
  SnapshotSchedule s;
  s.name = std::string(key.substr(2));
  s.branch = DecodeFixed64(p);
  s.every = absl::Microseconds(static_cast<int64_t>(DecodeFixed64(p + 8)));
  const auto flags = static_cast<uint8_t>(p[16]);
  if (flags & 1) s.keep_last = DecodeFixed32(p + 17);
  if (flags & 2)
    s.keep_for =
        absl::Microseconds(static_cast<int64_t>(DecodeFixed64(p + 21)));
  s.last_taken_us = static_cast<int64_t>(DecodeFixed64(p + 29));
  return s;
}

std::string EncodeDefaultRetention(const Retention& retention) {
  std::string out(1, static_cast<char>(kVersion));
  PutRetention(&out, retention);
  return out;
}

absl::StatusOr<Retention> DecodeDefaultRetention(absl::string_view value) {
  if (value.size() != kDefaultRetentionSize || value[0] != kVersion) {
    return absl::DataLossError(
        absl::StrCat("catalog: malformed default retention (", value.size(),
                     " bytes; it needs ", kDefaultRetentionSize, ", version ",
                     kVersion, ")"));
  }
  return GetRetention(value.data() + 1);
}

std::string EncodeNextIds(const NextIds& ids) {
  std::string out(1, static_cast<char>(kVersion));
  PutFixed64(&out, ids.branch);
  PutFixed64(&out, ids.timeline.value());
  PutFixed64(&out, ids.snapshot);
  return out;
}

absl::StatusOr<NextIds> DecodeNextIds(absl::string_view value) {
  if (value.size() != kNextIdsSize || value[0] != kVersion) {
    return absl::DataLossError(absl::StrCat(
        "catalog: malformed next ids (", value.size(), " bytes; it needs ",
        kNextIdsSize, ", version ", kVersion, ")"));
  }
  const char* p = value.data() + 1;
  return NextIds{DecodeFixed64(p), TimelineId(DecodeFixed64(p + 8)),
                 DecodeFixed64(p + 16)};
}

std::string EncodeStoreId(const StoreId& id) {
  std::string out(1, static_cast<char>(kVersion));
  out.append(id.bytes.begin(), id.bytes.end());
  return out;
}

absl::StatusOr<StoreId> DecodeStoreId(absl::string_view value) {
  if (value.size() != kStoreIdSize || value[0] != kVersion) {
    return absl::DataLossError(absl::StrCat(
        "catalog: malformed store id (", value.size(), " bytes; it needs ",
        kStoreIdSize, ", version ", kVersion, ")"));
  }
  StoreId id;
  std::copy(value.begin() + 1, value.end(), id.bytes.begin());
  return id;
}

std::string SpaceKey(absl::string_view name) {
  return absl::StrCat(kSpacePrefix, name);
}

std::string EncodeSpace(const NamedSpace& space) {
  std::string out(1, static_cast<char>(kVersion));
  PutFixed32(&out, space.id);
  PutFixed64(&out, static_cast<uint64_t>(space.created_us));
  return out;
}

absl::StatusOr<NamedSpace> DecodeSpace(absl::string_view key,
                                       absl::string_view value) {
  const absl::string_view prefix(kSpacePrefix);
  if (key.size() <= prefix.size() || key.substr(0, prefix.size()) != prefix ||
      value.size() != kSpaceSize || value[0] != kVersion) {
    return absl::DataLossError(
        absl::StrCat("catalog: malformed named space record \"",
                     absl::CHexEscape(key), "\""));
  }
  return NamedSpace{std::string(key.substr(prefix.size())),
                    DecodeFixed32(value.data() + 1),
                    static_cast<int64_t>(DecodeFixed64(value.data() + 5))};
}

std::string ProvenanceKey(BranchId branch) {
  return Key(kProvenancePrefix, branch);
}

std::string EncodeProvenance(const ImportProvenance& provenance) {
  std::string out = EncodeStoreId(provenance.store);
  PutFixed64(&out, provenance.source_timeline.value());
  PutFixed64(&out, provenance.source_lsn);
  PutFixed64(&out, provenance.timeline.value());
  PutFixed64(&out, provenance.lsn);
  return out;
}

absl::StatusOr<std::pair<BranchId, ImportProvenance>> DecodeProvenance(
    absl::string_view key, absl::string_view value) {
  absl::StatusOr<uint64_t> branch = KeyId(kProvenancePrefix, key);
  if (!branch.ok()) return branch.status();
  if (value.size() != kProvenanceSize || value[0] != kVersion) {
    return absl::DataLossError(absl::StrCat(
        "catalog: malformed import provenance of branch ", *branch));
  }
  ImportProvenance provenance;
  PITR_ASSIGN_OR_RETURN(provenance.store,
                        DecodeStoreId(value.substr(0, kStoreIdSize)));
  const char* p = value.data() + kStoreIdSize;
  provenance.source_timeline = TimelineId(DecodeFixed64(p));
  provenance.source_lsn = DecodeFixed64(p + 8);
  provenance.timeline = TimelineId(DecodeFixed64(p + 16));
  provenance.lsn = DecodeFixed64(p + 24);
  return std::make_pair(BranchId{*branch}, provenance);
}

std::string EncodeBranch(const Branch& branch) {
  std::string out(1, static_cast<char>(kVersion));
  PutFixed64(&out, branch.timeline.value());
  PutFixed64(&out, static_cast<uint64_t>(branch.created_us));
  PutRetention(&out, branch.retention);
  out += branch.name;
  return out;
}

std::string EncodeTimeline(const Timeline& timeline) {
  std::string out(1, static_cast<char>(kVersion));
  PutFixed64(&out, timeline.parent.value());
  PutFixed64(&out, timeline.branch_point);
  PutFixed64(&out, static_cast<uint64_t>(timeline.created_us));
  PutFixed64(&out, timeline.gc_horizon);
  return out;
}

absl::StatusOr<Branch> DecodeBranch(absl::string_view key,
                                    absl::string_view value) {
  absl::StatusOr<uint64_t> id = KeyId(kBranchPrefix, key);
  if (!id.ok()) return id.status();
  if (value.size() <= kBranchFixed || value[0] != kVersion) {
    return absl::DataLossError(absl::StrCat("catalog: malformed branch ", *id));
  }
  const char* p = value.data() + 1;
  Branch branch;
  branch.id = *id;
  branch.timeline = TimelineId(DecodeFixed64(p));
  branch.created_us = static_cast<int64_t>(DecodeFixed64(p + 8));
  branch.retention = GetRetention(p + 16);
  branch.name = std::string(value.substr(kBranchFixed));
  return branch;
}

absl::StatusOr<Timeline> DecodeTimeline(absl::string_view key,
                                        absl::string_view value) {
  absl::StatusOr<uint64_t> id = KeyId(kTimelinePrefix, key);
  if (!id.ok()) return id.status();
  if (value.size() != kTimelineSize || value[0] != kVersion) {
    return absl::DataLossError(
        absl::StrCat("catalog: malformed timeline ", *id));
  }
  const char* p = value.data() + 1;
  return Timeline{
      TimelineId(*id), TimelineId(DecodeFixed64(p)), DecodeFixed64(p + 8),
      static_cast<int64_t>(DecodeFixed64(p + 16)), DecodeFixed64(p + 24)};
}

}  // namespace pitr::catalog_records
