#include "branch/space_catalog.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

constexpr int64_t kNow = 1'763'700'000'000'000;

class SpaceCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    auto catalog = SpaceCatalog::Open(&store_);
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    catalog_ = std::move(*catalog);
  }

  MemoryCatalogStore store_;
  std::unique_ptr<SpaceCatalog> catalog_;
};

TEST_F(SpaceCatalogTest, ANameGetsTheNextIdOnceAndKeepsIt) {
  EXPECT_TRUE(
      absl::IsNotFound(catalog_->Resolve("orders.db", false, kNow).status()));
  const NamedSpace orders = *catalog_->Resolve("orders.db", true, kNow);
  EXPECT_EQ(orders.id, SpaceCatalog::kFirstNamedSpace);
  EXPECT_EQ(orders.created_us, kNow);
  const NamedSpace users = *catalog_->Resolve("app/users.db", true, kNow + 1);
  EXPECT_EQ(users.id, SpaceCatalog::kFirstNamedSpace + 1);
  const int commits = store_.commits();
  EXPECT_EQ(*catalog_->Resolve("orders.db", true, kNow + 2), orders);
  EXPECT_EQ(store_.commits(), commits);  // known: nothing written
  Reopen();
  EXPECT_EQ(*catalog_->Resolve("orders.db", false, 0), orders);
  EXPECT_EQ(catalog_->Resolve("new", true, kNow)->id,
            SpaceCatalog::kFirstNamedSpace + 2);
  EXPECT_THAT(catalog_->List(),
              ElementsAre(Field(&NamedSpace::name, "app/users.db"),
                          Field(&NamedSpace::name, "new"),
                          Field(&NamedSpace::name, "orders.db")));
}

TEST_F(SpaceCatalogTest, BadNamesAreRefusedAndChangeNothing) {
  for (const char* bad : {"", "-x", ".hidden", "/abs", "a b", "caf\xc3\xa9"}) {
    EXPECT_TRUE(
        absl::IsInvalidArgument(catalog_->Resolve(bad, true, kNow).status()))
        << bad;
  }
  EXPECT_TRUE(absl::IsInvalidArgument(
      catalog_->Resolve(std::string(256, 'a'), true, kNow).status()));
  EXPECT_TRUE(catalog_->Resolve(std::string(255, 'a'), true, kNow).ok());
  EXPECT_EQ(catalog_->List().size(), 1u);
}

TEST_F(SpaceCatalogTest, AFailedCommitChangesNothing) {
  store_.FailNextCommit(absl::UnavailableError("disk"));
  EXPECT_TRUE(absl::IsUnavailable(catalog_->Resolve("a", true, kNow).status()));
  EXPECT_TRUE(catalog_->List().empty());
  EXPECT_EQ(catalog_->Resolve("a", true, kNow)->id,
            SpaceCatalog::kFirstNamedSpace);
}

TEST_F(SpaceCatalogTest, AMalformedRecordRefusesToOpen) {
  ASSERT_TRUE(store_.Commit({{"cyx", "\x01"}}, {}).ok());
  EXPECT_TRUE(absl::IsDataLoss(SpaceCatalog::Open(&store_).status()));
}

}  // namespace
}  // namespace pitr
