// Pins the page store's key and value bytes: the worked example of
// docs/storage-format.md, section 7. A change here is a format change.
#include "engine/store_keys.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "base/testing/test_files.h"
#include "engine/engine.h"
#include "gtest/gtest.h"

namespace pitr::store_keys {
namespace {

std::string Hex(absl::string_view bytes) {
  return absl::BytesToHexString(bytes);
}

TEST(StoreKeysTest, WorkedExampleOfTheFormatDocument) {
  const Position image{0x257, 0}, delta{0x257, 1};
  EXPECT_EQ(
      Hex(VersionKey(TimelineId(1), {7, 3}, image, VersionKeyKind::kImage)),
      "56"
      "00000007"
      "00000003"
      "fffffffffffffffe"
      "fffffffffffffda8"
      "ffffffff"
      "b6");
  EXPECT_EQ(Hex(VersionKey(TimelineId(1), {7, 3}, delta,
                           VersionKeyKind::kMaterialized)),
            "56"
            "00000007"
            "00000003"
            "fffffffffffffffe"
            "fffffffffffffda8"
            "fffffffe"
            "b2");
  EXPECT_EQ(Hex(DeltaValue(16, "abcd")),
            "44"
            "00000010"
            "61626364");
  EXPECT_EQ(Hex(ImageValue("xy")),
            "49"
            "7879");
  EXPECT_EQ(Hex(SizeKey(TimelineId(1), 7, image)),
            "73"
            "0000000000000001"
            "00000007"
            "0000000000000257"
            "00000000");
  EXPECT_EQ(Hex(TruncationKey(TimelineId(1), 7, image)),
            "74"
            "0000000000000001"
            "00000007"
            "0000000000000257"
            "00000000");
  EXPECT_EQ(MetaKey(kMetaAppliedLsn), "mapplied_lsn");
  EXPECT_EQ(Hex(EncodeU64(0x257)), "0000000000000257");
}

TEST(StoreKeysTest, TheExampleBatchCommitsAtLsn599) {
  EngineOptions options;
  options.dir = testing::NewTestDir("storage_example");
  options.page_size = 512;
  auto engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok());
  WalBatch batch(kMainTimeline);
  ASSERT_TRUE(batch.PutPageImage({7, 3}, std::string(512, 'x')).ok());
  ASSERT_TRUE(batch.PutPageDelta({7, 3}, 16, "abcd").ok());
  absl::StatusOr<AppendResult> r = (*engine)->Append(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->commit_lsn, 0x257u);
  EXPECT_EQ(*(*engine)->GetSpaceSize(kMainBranch, 7), 4u);
}

TEST(StoreKeysTest, KeysRoundTripAndSortByPosition) {
  const std::string a =
      VersionKey(TimelineId(2), {1, 9}, {100, 3}, VersionKeyKind::kDelta);
  const std::string b = VersionKey(TimelineId(2), {1, 9}, {100, 3},
                                   VersionKeyKind::kMaterialized);
  const std::string c =
      VersionKey(TimelineId(2), {1, 9}, {100, 4}, VersionKeyKind::kDelta);
  const std::string d = VersionKey(TimelineId(2), {1, 9}, {0x100000000ull, 0},
                                   VersionKeyKind::kDelta);
  // Newest first: a materialised image before the change it summarises,
  // later positions before earlier ones.
  EXPECT_GT(a, b);
  EXPECT_GT(b, c);
  EXPECT_GT(c, d);
  // Within a page, the newest timeline first; pages in order, every
  // timeline of a page together.
  EXPECT_LT(VersionKey(TimelineId(3), {1, 9}, {0, 0}, VersionKeyKind::kDelta),
            d);
  EXPECT_LT(VersionKey(TimelineId(1), {1, 9}, {0, 0}, VersionKeyKind::kDelta),
            VersionKey(TimelineId(9), {1, 10}, {0, 0}, VersionKeyKind::kDelta));
  EXPECT_TRUE(absl::StartsWith(a, PagePrefix({1, 9})));
  EXPECT_TRUE(absl::StartsWith(a, SpaceVersionsPrefix(1)));
  std::optional<ParsedVersionKey> parsed = ParseVersionKey(b);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->timeline, TimelineId(2));
  EXPECT_EQ(parsed->key, (PageKey{1, 9}));
  EXPECT_EQ(parsed->at, (Position{100, 3}));
  EXPECT_EQ(parsed->kind, VersionKeyKind::kMaterialized);
  EXPECT_TRUE(parsed->is_image());
  EXPECT_FALSE(ParseVersionKey("V123").has_value());
  EXPECT_FALSE(ParseVersionKeyV1(b).has_value());
  const std::string encoded = DeltaValue(7, "zz");  // the view points into it
  std::optional<ParsedVersionValue> value = ParseVersionValue(encoded);
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(value->offset, 7u);
  EXPECT_EQ(value->bytes, "zz");
  EXPECT_FALSE(ParseVersionValue("D12").has_value());
  EXPECT_FALSE(ParseVersionValue("").has_value());
}

}  // namespace
}  // namespace pitr::store_keys
