// Catalog images in the bucket: names parse back (and nothing else does),
// the encoding round trips and a damaged image is DATA_LOSS naming it, and
// FindCatalogImage picks the newest image of a lineage at or before a
// point (an older generation's images past a restore point are not in the
// restored lineage).
#include "remote/catalog_archive.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/testing/test_storage.h"

namespace pitr::remote {
namespace {

using ::testing::HasSubstr;

TEST(CatalogImageKeyTest, RoundTripsAndRefusesOtherNames) {
  const CatalogImageName name{0x2036, 3, 7};
  const std::string key = CatalogImageKey(name);
  EXPECT_EQ(key, "catalog/0000000000002036-00000000000000000003-0000000007");
  std::optional<CatalogImageName> parsed = ParseCatalogImageKey(key);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->lsn, name.lsn);
  EXPECT_EQ(parsed->generation, name.generation);
  EXPECT_EQ(parsed->seq, name.seq);
  for (const char* bad : {
           "catalog/0000000000002036-00000000000000000003",
           "catalog/000000000000203a-00000000000000000003-0000000007",
           "catalog/0000000000002036-3-0000000007",
           "wal/0000000000002036-00000000000000000003-0000000007",
       }) {
    EXPECT_FALSE(ParseCatalogImageKey(bad).has_value()) << bad;
  }
}

TEST(CatalogImageTest, EncodingRoundTripsAndDamageIsDataLoss) {
  CatalogImage image;
  image.lsn = 0x406C;
  image.records = {{"cb\x00\x01", std::string("main\0x", 6)}, {"cd", ""}};
  const std::string bytes = EncodeCatalogImage(image);
  absl::StatusOr<CatalogImage> decoded = DecodeCatalogImage(bytes, "k");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->lsn, image.lsn);
  EXPECT_EQ(decoded->records, image.records);

  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    absl::StatusOr<CatalogImage> torn =
        DecodeCatalogImage(bytes.substr(0, cut), "catalog/x");
    ASSERT_EQ(torn.status().code(), absl::StatusCode::kDataLoss) << cut;
    EXPECT_THAT(torn.status().message(), HasSubstr("catalog/x"));
  }
  EXPECT_EQ(DecodeCatalogImage(bytes + "z", "k").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(FindCatalogImageTest, PicksTheNewestOfTheLineageAtOrBeforeAPoint) {
  std::unique_ptr<RemoteStorage> storage =
      testing::OpenTestStorage(testing::Backend::kFile, "catalog_images");
  ASSERT_NE(storage, nullptr);
  auto put = [&](Lsn lsn, uint64_t generation, uint64_t seq) {
    CatalogImage image;
    image.lsn = lsn;
    image.records = {{"cb", absl::StrCat(generation, ":", seq)}};
    ASSERT_TRUE(storage
                    ->Put(CatalogImageKey({lsn, generation, seq}),
                          EncodeCatalogImage(image))
                    .ok());
  };
  put(100, 1, 1);
  put(200, 1, 2);
  put(200, 1, 3);  // two changes between the same batches
  put(300, 1, 4);
  put(250, 2, 1);  // generation 2 restored to 250: 300 is another history
  const std::vector<Generation> generations = {{1, 0, 0, "a"},
                                               {2, 250, 0, "b"}};
  const Lineage first(generations, 1), second(generations, 2);
  auto find = [&](const Lineage& lineage, Lsn at) -> std::string {
    absl::StatusOr<std::optional<CatalogImageName>> found =
        FindCatalogImage(storage.get(), lineage, at);
    EXPECT_TRUE(found.ok()) << found.status();
    if (!found.ok() || !found->has_value()) return "none";
    absl::StatusOr<CatalogImage> image = ReadCatalogImage(storage.get(), **found);
    EXPECT_TRUE(image.ok()) << image.status();
    return image.ok() ? image->records[0].second : "unreadable";
  };
  EXPECT_EQ(find(first, 99), "none");
  EXPECT_EQ(find(first, 100), "1:1");
  EXPECT_EQ(find(first, 299), "1:3");
  EXPECT_EQ(find(first, ~Lsn{0}), "1:4");
  EXPECT_EQ(find(second, 249), "1:3");
  EXPECT_EQ(find(second, ~Lsn{0}), "2:1");
}

}  // namespace
}  // namespace pitr::remote
