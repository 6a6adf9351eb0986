// Pins the bytes of every catalog record kind. The expected keys and values
// below are written by hand from docs/storage-format.md (section 8), not
// produced by the encoder; each is checked both ways: encoding the value
// gives the bytes, and decoding the bytes gives the value. If this test
// fails, the on-disk format has changed: that needs a new record version,
// documented in docs/storage-format.md, with this test updated together.
// Never just paste the new bytes in.
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "branch/catalog_records.h"
#include "gtest/gtest.h"

namespace pitr::catalog_records {
namespace {

// Bytes from hex written with spaces between bytes.
std::string Bytes(absl::string_view spaced_hex) {
  return absl::HexStringToBytes(absl::StrReplaceAll(spaced_hex, {{" ", ""}}));
}

// Hex of bytes, for failure messages that show which byte differs.
std::string Hex(absl::string_view bytes) {
  return absl::BytesToHexString(bytes);
}

constexpr int64_t kCreatedUs = 1700000000000000;  // 00 40 1e 18 24 0a 06 00

// Branch 2 "dev" on timeline 3, keeping 1 hour and 16 MiB of WAL.
constexpr char kBranchKey[] =
    "63 62"                     // "cb"
    "00 00 00 00 00 00 00 02";  // id 2, big-endian
constexpr char kBranchValue[] =
    "01"                       // version 1
    "03 00 00 00 00 00 00 00"  // timeline 3
    "00 40 1e 18 24 0a 06 00"  // created_us 1700000000000000
    "03"                       // flags: window and lsn_distance set
    "00 a4 93 d6 00 00 00 00"  // window_us 3600000000 (1 hour)
    "00 00 00 01 00 00 00 00"  // lsn_distance 16777216
    "64 65 76";                // name "dev"

// Timeline 3: from timeline 1 at 0/257, collected up to 0/100.
constexpr char kTimelineKey[] =
    "63 74"                     // "ct"
    "00 00 00 00 00 00 00 03";  // id 3, big-endian
constexpr char kTimelineValue[] =
    "01"                        // version 1
    "01 00 00 00 00 00 00 00"   // parent timeline 1
    "57 02 00 00 00 00 00 00"   // branch_point 0/257
    "00 40 1e 18 24 0a 06 00"   // created_us 1700000000000000
    "00 01 00 00 00 00 00 00";  // gc_horizon 0/100

// Snapshot 5 "nightly-1", taken by schedule "nightly", expiring an hour
// after it was taken.
constexpr char kSnapshotKey[] =
    "63 73"                     // "cs"
    "00 00 00 00 00 00 00 05";  // id 5, big-endian
constexpr char kSnapshotValue[] =
    "01"                           // version 1
    "02 00 00 00 00 00 00 00"      // branch 2
    "03 00 00 00 00 00 00 00"      // timeline 3
    "57 02 00 00 00 00 00 00"      // lsn 0/257
    "00 40 1e 18 24 0a 06 00"      // created_us 1700000000000000
    "02"                           // kind 2: scheduled
    "01"                           // has_expiry
    "00 e4 b1 ee 24 0a 06 00"      // expires_us 1700003600000000
    "07 00"                        // schedule_length 7
    "6e 69 67 68 74 6c 79"         // schedule "nightly"
    "6e 69 67 68 74 6c 79 2d 31";  // name "nightly-1"

// Schedule "nightly" of branch 2: every day, keeping the last 7.
constexpr char kScheduleKey[] =
    "63 63"                  // "cc"
    "6e 69 67 68 74 6c 79";  // name "nightly"
constexpr char kScheduleValue[] =
    "01"                        // version 1
    "02 00 00 00 00 00 00 00"   // branch 2
    "00 60 d7 1d 14 00 00 00"   // every_us 86400000000 (1 day)
    "01"                        // flags: keep_last set, keep_for not
    "07 00 00 00"               // keep_last 7
    "00 00 00 00 00 00 00 00"   // keep_for_us (unset)
    "00 40 1e 18 24 0a 06 00";  // last_taken_us 1700000000000000

// The default retention: 7 days, no WAL distance.
constexpr char kDefaultRetentionKeyHex[] = "63 64";  // "cd"
constexpr char kDefaultRetentionValue[] =
    "01"                        // version 1
    "01"                        // flags: window set, lsn_distance not
    "00 a0 e3 d0 8c 00 00 00"   // window_us 604800000000 (7 days)
    "00 00 00 00 00 00 00 00";  // lsn_distance (unset)

// The next ids: branch 9, timeline 12, snapshot 3.
constexpr char kNextIdsKeyHex[] = "63 6e";  // "cn"
constexpr char kNextIdsValue[] =
    "01"                        // version 1
    "09 00 00 00 00 00 00 00"   // next branch id
    "0c 00 00 00 00 00 00 00"   // next timeline id
    "03 00 00 00 00 00 00 00";  // next snapshot id

TEST(CatalogRecordsGoldenTest, NextIdsEncodeToTheDocumentedBytes) {
  EXPECT_EQ(Hex(kNextIdsKey), Hex(Bytes(kNextIdsKeyHex)));
  EXPECT_EQ(Hex(EncodeNextIds({9, TimelineId(12), 3})),
            Hex(Bytes(kNextIdsValue)));
}

TEST(CatalogRecordsGoldenTest, NextIdsDecodeFromTheDocumentedBytes) {
  absl::StatusOr<NextIds> ids = DecodeNextIds(Bytes(kNextIdsValue));
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(*ids, (NextIds{9, TimelineId(12), 3}));
  EXPECT_EQ(DecodeNextIds("\x01").status().code(), absl::StatusCode::kDataLoss);
}

// A store id 00 01 .. 0f.
constexpr char kStoreIdKeyHex[] = "63 69";  // "ci"
constexpr char kStoreIdValue[] =
    "01"                                                // version 1
    "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f";  // id

StoreId CountingStoreId() {
  StoreId id;
  for (int i = 0; i < 16; ++i) id.bytes[i] = i;
  return id;
}

TEST(CatalogRecordsGoldenTest, StoreIdEncodesToTheDocumentedBytes) {
  EXPECT_EQ(Hex(kStoreIdKey), Hex(Bytes(kStoreIdKeyHex)));
  EXPECT_EQ(Hex(EncodeStoreId(CountingStoreId())), Hex(Bytes(kStoreIdValue)));
  EXPECT_EQ(*DecodeStoreId(Bytes(kStoreIdValue)), CountingStoreId());
  EXPECT_EQ(DecodeStoreId("\x01").status().code(), absl::StatusCode::kDataLoss);
}

// Branch 5 was imported from state 7@0x1200 of that store and now reads
// timeline 9, where it stands at 0x80.
constexpr char kProvenanceKeyHex[] = "63 70 00 00 00 00 00 00 00 05";
constexpr char kProvenanceValue[] =
    "01"                                               // version 1
    "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"  // store
    "07 00 00 00 00 00 00 00"                          // source_timeline
    "00 12 00 00 00 00 00 00"                          // source_lsn
    "09 00 00 00 00 00 00 00"                          // timeline
    "80 00 00 00 00 00 00 00";                         // lsn

TEST(CatalogRecordsGoldenTest, ProvenanceEncodesToTheDocumentedBytes) {
  const ImportProvenance provenance{CountingStoreId(), TimelineId(7), 0x1200,
                                    TimelineId(9), 0x80};
  EXPECT_EQ(Hex(ProvenanceKey(5)), Hex(Bytes(kProvenanceKeyHex)));
  EXPECT_EQ(Hex(EncodeProvenance(provenance)), Hex(Bytes(kProvenanceValue)));
  auto decoded =
      DecodeProvenance(Bytes(kProvenanceKeyHex), Bytes(kProvenanceValue));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->first, 5u);
  EXPECT_EQ(decoded->second, provenance);
  EXPECT_EQ(DecodeProvenance(Bytes(kProvenanceKeyHex), "\x01").status().code(),
            absl::StatusCode::kDataLoss);
}

// Named space "db" is space 2^31, made at 1700000000000000.
constexpr char kSpaceKeyHex[] = "63 79 64 62";  // "cy" "db"
constexpr char kSpaceValue[] =
    "01"                        // version 1
    "00 00 00 80"               // id 2147483648
    "00 40 1e 18 24 0a 06 00";  // created_us 1700000000000000

TEST(CatalogRecordsGoldenTest, NamedSpaceRecordsHaveTheDocumentedBytes) {
  const NamedSpace space{"db", 0x80000000u, 1700000000000000};
  EXPECT_EQ(Hex(SpaceKey("db")), Hex(Bytes(kSpaceKeyHex)));
  EXPECT_EQ(Hex(EncodeSpace(space)), Hex(Bytes(kSpaceValue)));
  EXPECT_EQ(*DecodeSpace(Bytes(kSpaceKeyHex), Bytes(kSpaceValue)), space);
  EXPECT_EQ(DecodeSpace(Bytes(kSpaceKeyHex), "\x01").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(CatalogRecordsGoldenTest, BranchEncodesToTheDocumentedBytes) {
  Branch branch;
  branch.id = 2;
  branch.name = "dev";
  branch.timeline = TimelineId(3);
  branch.created_us = kCreatedUs;
  branch.retention = Retention{absl::Hours(1), uint64_t{1} << 24};
  EXPECT_EQ(Hex(BranchKey(2)), Hex(Bytes(kBranchKey)));
  EXPECT_EQ(Hex(EncodeBranch(branch)), Hex(Bytes(kBranchValue)));
}

TEST(CatalogRecordsGoldenTest, BranchDecodesFromTheDocumentedBytes) {
  absl::StatusOr<Branch> branch =
      DecodeBranch(Bytes(kBranchKey), Bytes(kBranchValue));
  ASSERT_TRUE(branch.ok()) << branch.status();
  EXPECT_EQ(branch->id, 2u);
  EXPECT_EQ(branch->name, "dev");
  EXPECT_EQ(branch->timeline, TimelineId(3));
  EXPECT_EQ(branch->created_us, kCreatedUs);
  EXPECT_EQ(branch->retention, (Retention{absl::Hours(1), uint64_t{1} << 24}));
}

TEST(CatalogRecordsGoldenTest, TimelineEncodesToTheDocumentedBytes) {
  const Timeline timeline{TimelineId(3), TimelineId(1), 0x257, kCreatedUs,
                          0x100};
  EXPECT_EQ(Hex(TimelineKey(TimelineId(3))), Hex(Bytes(kTimelineKey)));
  EXPECT_EQ(Hex(EncodeTimeline(timeline)), Hex(Bytes(kTimelineValue)));
}

TEST(CatalogRecordsGoldenTest, TimelineDecodesFromTheDocumentedBytes) {
  absl::StatusOr<Timeline> timeline =
      DecodeTimeline(Bytes(kTimelineKey), Bytes(kTimelineValue));
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  EXPECT_EQ(timeline->id, TimelineId(3));
  EXPECT_EQ(timeline->parent, TimelineId(1));
  EXPECT_EQ(timeline->branch_point, 0x257u);
  EXPECT_EQ(timeline->created_us, kCreatedUs);
  EXPECT_EQ(timeline->gc_horizon, 0x100u);
}

Snapshot GoldenSnapshot() {
  Snapshot snapshot;
  snapshot.id = 5;
  snapshot.name = "nightly-1";
  snapshot.branch = 2;
  snapshot.timeline = TimelineId(3);
  snapshot.lsn = 0x257;
  snapshot.created_us = kCreatedUs;
  snapshot.kind = Snapshot::Kind::kScheduled;
  snapshot.expires_us = kCreatedUs + 3600000000;
  snapshot.schedule = "nightly";
  return snapshot;
}

TEST(CatalogRecordsGoldenTest, SnapshotEncodesToTheDocumentedBytes) {
  EXPECT_EQ(Hex(SnapshotKey(5)), Hex(Bytes(kSnapshotKey)));
  EXPECT_EQ(Hex(EncodeSnapshot(GoldenSnapshot())), Hex(Bytes(kSnapshotValue)));
}

TEST(CatalogRecordsGoldenTest, SnapshotDecodesFromTheDocumentedBytes) {
  absl::StatusOr<Snapshot> snapshot =
      DecodeSnapshot(Bytes(kSnapshotKey), Bytes(kSnapshotValue));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const Snapshot expected = GoldenSnapshot();
  EXPECT_EQ(snapshot->id, expected.id);
  EXPECT_EQ(snapshot->name, expected.name);
  EXPECT_EQ(snapshot->branch, expected.branch);
  EXPECT_EQ(snapshot->timeline, expected.timeline);
  EXPECT_EQ(snapshot->lsn, expected.lsn);
  EXPECT_EQ(snapshot->created_us, expected.created_us);
  EXPECT_EQ(snapshot->kind, expected.kind);
  EXPECT_EQ(snapshot->expires_us, expected.expires_us);
  EXPECT_EQ(snapshot->schedule, expected.schedule);
}

SnapshotSchedule GoldenSchedule() {
  SnapshotSchedule schedule;
  schedule.name = "nightly";
  schedule.branch = 2;
  schedule.every = absl::Hours(24);
  schedule.keep_last = 7;
  schedule.last_taken_us = kCreatedUs;
  return schedule;
}

TEST(CatalogRecordsGoldenTest, ScheduleEncodesToTheDocumentedBytes) {
  EXPECT_EQ(Hex(ScheduleKey("nightly")), Hex(Bytes(kScheduleKey)));
  EXPECT_EQ(Hex(EncodeSchedule(GoldenSchedule())), Hex(Bytes(kScheduleValue)));
}

TEST(CatalogRecordsGoldenTest, ScheduleDecodesFromTheDocumentedBytes) {
  absl::StatusOr<SnapshotSchedule> schedule =
      DecodeSchedule(Bytes(kScheduleKey), Bytes(kScheduleValue));
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  const SnapshotSchedule expected = GoldenSchedule();
  EXPECT_EQ(schedule->name, expected.name);
  EXPECT_EQ(schedule->branch, expected.branch);
  EXPECT_EQ(schedule->every, expected.every);
  EXPECT_EQ(schedule->keep_last, expected.keep_last);
  EXPECT_EQ(schedule->keep_for, std::nullopt);
  EXPECT_EQ(schedule->last_taken_us, expected.last_taken_us);
}

TEST(CatalogRecordsGoldenTest, DefaultRetentionEncodesToTheDocumentedBytes) {
  EXPECT_EQ(Hex(kDefaultRetentionKey), Hex(Bytes(kDefaultRetentionKeyHex)));
  EXPECT_EQ(Hex(EncodeDefaultRetention(Retention{absl::Hours(24 * 7), {}})),
            Hex(Bytes(kDefaultRetentionValue)));
}

TEST(CatalogRecordsGoldenTest, DefaultRetentionDecodesFromTheDocumentedBytes) {
  absl::StatusOr<Retention> retention =
      DecodeDefaultRetention(Bytes(kDefaultRetentionValue));
  ASSERT_TRUE(retention.ok()) << retention.status();
  EXPECT_EQ(*retention, (Retention{absl::Hours(24 * 7), std::nullopt}));
}

}  // namespace
}  // namespace pitr::catalog_records
