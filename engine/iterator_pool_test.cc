// Pins IteratorPool: a reused iterator sees every write made before it was
// taken, across flushes and compactions, and Clear() lets go of what idle
// iterators hold.
#include "engine/iterator_pool.h"

#include <memory>
#include <string>

#include "base/testing/test_files.h"
#include "engine/rocksdb_logger.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace pitr {
namespace {

class IteratorPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTestDir("iterator_pool");
    rocksdb::Options options;
    options.create_if_missing = true;
    // RocksDB's own LOG writer would race, under TSan, with RocksDB's
    // threads on its level (inline code compiled into our binary, so the
    // suppression of the uninstrumented library does not cover it).
    options.info_log = RocksDbLogger::Get();
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir_, &db).ok());
    db_.reset(db);
    pool_ = std::make_unique<IteratorPool>(db_.get(), 2);
  }

  void TearDown() override {
    pool_.reset();
    db_.reset();
  }

  // The value under `key` as a pooled iterator sees it, or "-".
  std::string Seen(const std::string& key) {
    absl::StatusOr<IteratorPool::Lease> it = pool_->Take();
    EXPECT_TRUE(it.ok()) << it.status();
    if (!it.ok()) return "?";
    it->get()->Seek(key);
    if (!it->get()->Valid() || it->get()->key() != key) return "-";
    return it->get()->value().ToString();
  }

  void Put(const std::string& key, const std::string& value) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), key, value).ok());
  }

  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<IteratorPool> pool_;
};

TEST_F(IteratorPoolTest, AReusedIteratorSeesEveryEarlierWrite) {
  EXPECT_EQ(Seen("a"), "-");
  Put("a", "1");
  EXPECT_EQ(Seen("a"), "1");
  Put("a", "2");
  EXPECT_EQ(Seen("a"), "2");
  ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), "a").ok());
  EXPECT_EQ(Seen("a"), "-");
  Put("b", "3");
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());  // new files
  EXPECT_EQ(Seen("b"), "3");
  Put("b", "4");
  ASSERT_TRUE(db_->CompactRange({}, nullptr, nullptr).ok());
  EXPECT_EQ(Seen("b"), "4");
}

TEST_F(IteratorPoolTest, MoreReadersThanCapacityEachGetOne) {
  Put("k", "v");
  absl::StatusOr<IteratorPool::Lease> a = pool_->Take();
  absl::StatusOr<IteratorPool::Lease> b = pool_->Take();
  absl::StatusOr<IteratorPool::Lease> c = pool_->Take();
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_NE(a->get(), b->get());
  EXPECT_NE(b->get(), c->get());
  for (const auto* lease : {&*a, &*b, &*c}) {
    lease->get()->Seek("k");
    ASSERT_TRUE(lease->get()->Valid());
    EXPECT_EQ(lease->get()->value(), "v");
  }
}

TEST_F(IteratorPoolTest, ClearLetsGoOfTheVersionsIdleIteratorsHold) {
  // A RocksDB "version" is a set of files; one an iterator uses stays live,
  // with its files, until the iterator is refreshed or destroyed.
  auto live_versions = [&] {
    uint64_t n = 0;
    EXPECT_TRUE(
        db_->GetIntProperty(rocksdb::DB::Properties::kNumLiveVersions, &n));
    return n;
  };
  Put("a", "1");
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
  ASSERT_EQ(live_versions(), 1u);
  EXPECT_EQ(Seen("a"), "1");  // an idle iterator now holds that version
  Put("a", "2");
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
  EXPECT_EQ(live_versions(), 2u);
  pool_->Clear();
  EXPECT_EQ(live_versions(), 1u);
  EXPECT_EQ(Seen("a"), "2");
}

}  // namespace
}  // namespace pitr
