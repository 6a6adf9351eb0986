// Opening a format 1 page store (version keys oldest first, under 'v') or a
// format 2 one (no timeline heads) upgrades it in place: every page reads
// back as before, at every LSN and on every branch, including after an
// upgrade cut short, and each branch stands where it stood.
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/rocksdb_logger.h"
#include "engine/store_keys.h"
#include "engine/testing/engine_fixture.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace pitr {
namespace {

namespace sk = store_keys;

constexpr uint32_t kPage = 512;

// Format 1's version key: the fields of format 2 under 'v', not
// complemented (docs/storage-format.md, "Format 1").
std::string VersionKeyV1(const sk::ParsedVersionKey& v) {
  std::string out(1, sk::kVersionTagV1);
  auto put = [&out](uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
      out.push_back(static_cast<char>(value >> (8 * i)));
    }
  };
  put(v.key.space, 4);
  put(v.key.page, 4);
  put(v.timeline.value(), 8);
  put(v.at.commit_lsn, 8);
  put(v.at.seq, 4);
  out.push_back(static_cast<char>(v.kind));
  return out;
}

std::unique_ptr<rocksdb::DB> OpenRaw(const std::string& engine_dir) {
  rocksdb::Options options;
  options.enable_blob_files = true;
  options.min_blob_size = 1024;
  // RocksDB's own LOG writer would race, under TSan, with RocksDB's
  // threads on its level (inline code compiled into our binary, so the
  // suppression of the uninstrumented library does not cover it).
  options.info_log = RocksDbLogger::Get();
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, engine_dir + "/pages", &db);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::unique_ptr<rocksdb::DB>(db);
}

// Turns the closed store at `dir` back into `format`: without timeline
// heads (2), and (1) with all version keys but the first `keep_new`
// rewritten oldest first (a format 1 store whose upgrade was cut short
// looks like that).
void Downgrade(const std::string& dir, uint32_t format, size_t keep_new = 0) {
  std::unique_ptr<rocksdb::DB> db = OpenRaw(dir);
  ASSERT_NE(db, nullptr);
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
  const rocksdb::Slice heads(&sk::kHeadTag, 1);
  for (it->Seek(heads); it->Valid() && it->key().starts_with(heads);
       it->Next()) {
    batch.Delete(it->key());
  }
  const rocksdb::Slice tag(&sk::kVersionTag, 1);
  size_t seen = 0;
  for (it->Seek(tag); it->Valid() && it->key().starts_with(tag) && format == 1;
       it->Next()) {
    if (seen++ < keep_new) continue;
    std::optional<sk::ParsedVersionKey> v = sk::ParseVersionKey(
        absl::string_view(it->key().data(), it->key().size()));
    ASSERT_TRUE(v.has_value());
    batch.Put(VersionKeyV1(*v), it->value());
    batch.Delete(it->key());
  }
  ASSERT_TRUE(it->status().ok());
  if (format == 1) {
    ASSERT_GT(seen, keep_new);
  }
  batch.Put(sk::MetaKey(sk::kMetaFormatVersion), sk::EncodeU32(format));
  ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
}

// The count of keys with each tag byte, and the recorded format version.
std::pair<std::map<char, size_t>, uint32_t> Census(const std::string& dir) {
  std::unique_ptr<rocksdb::DB> db = OpenRaw(dir);
  std::map<char, size_t> tags;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++tags[it->key()[0]];
  std::string format;
  EXPECT_TRUE(db->Get({}, sk::MetaKey(sk::kMetaFormatVersion), &format).ok());
  return {tags, sk::DecodeU32(format).value_or(0)};
}

class UpgradeTest : public testing::EngineFixture {
 protected:
  void SetUp() override {
    options_ = testing::TestEngineOptions("upgrade", kPage);
    options_.image_after_deltas = 3;
    Reopen();
  }

  Lsn Write(BranchId branch, PageKey key, int version) {
    absl::StatusOr<WalBatch> made = engine_->NewBatch(branch);
    EXPECT_TRUE(made.ok()) << made.status();
    if (!made.ok()) return 0;
    WalBatch& batch = *made;
    if (version % 4 == 0) {
      EXPECT_TRUE(
          batch.PutPageImage(key, std::string(kPage, 'a' + version % 26)).ok());
    } else {
      EXPECT_TRUE(
          batch.PutPageDelta(key, version, std::string(3, 'A' + version % 26))
              .ok());
    }
    return AppendBatch(branch, batch);
  }

  // History on main and on a branch, flushed, with materialised images;
  // returns every (branch, page, lsn) read and what it returned.
  std::map<std::tuple<BranchId, uint32_t, Lsn>, std::string> MakeHistory() {
    std::vector<Lsn> lsns;
    for (int v = 0; v < 12; ++v) {
      for (uint32_t page = 0; page < 4; ++page) {
        lsns.push_back(Write(kMainBranch, {1, page}, v));
      }
    }
    absl::StatusOr<Branch> child =
        engine_->CreateBranch("child", kMainBranch, {lsns[20], std::nullopt});
    EXPECT_TRUE(child.ok()) << child.status();
    branch_ = child->id;
    for (int v = 0; v < 6; ++v) lsns.push_back(Write(branch_, {1, 1}, v + 1));
    EXPECT_TRUE(engine_->MaterializePendingImages().ok());
    EXPECT_TRUE(engine_->Flush().ok());
    std::map<std::tuple<BranchId, uint32_t, Lsn>, std::string> reads;
    for (BranchId b : {kMainBranch, branch_}) {
      for (uint32_t page = 0; page < 4; ++page) {
        for (Lsn lsn : lsns) {
          absl::StatusOr<std::string> read =
              engine_->GetPage(b, {1, page}, lsn);
          reads[{b, page, lsn}] =
              read.ok() ? *read : std::string(read.status().ToString());
        }
      }
    }
    return reads;
  }

  void ExpectReads(
      const std::map<std::tuple<BranchId, uint32_t, Lsn>, std::string>& reads) {
    for (const auto& [where, expected] : reads) {
      const auto& [b, page, lsn] = where;
      absl::StatusOr<std::string> read = engine_->GetPage(b, {1, page}, lsn);
      EXPECT_EQ(read.ok() ? *read : std::string(read.status().ToString()),
                expected)
          << "branch " << b << " page " << page << " lsn " << lsn;
    }
  }

  void DowngradeReopenAndCheck(uint32_t format, size_t keep_new);

  BranchId branch_ = 0;
};

// Makes history, turns the store into `format` (1: with `keep_new` keys
// already rewritten), reopens it, and checks every read, key and where
// each branch stands.
void UpgradeTest::DowngradeReopenAndCheck(uint32_t format, size_t keep_new) {
  const auto reads = MakeHistory();
  std::map<BranchId, Lsn> stands;
  for (BranchId b : {kMainBranch, branch_}) {
    stands[b] = engine_->GetHistoryBounds(b)->latest_lsn;
  }
  EXPECT_NE(stands[kMainBranch], stands[branch_]);
  engine_.reset();
  Downgrade(options_.dir, format, keep_new);
  auto [before, format_before] = Census(options_.dir);
  EXPECT_EQ(format_before, format);
  EXPECT_EQ(before.count(sk::kHeadTag), 0u);
  if (format == 1) {
    EXPECT_EQ(before[sk::kVersionTag], keep_new);
    ASSERT_GT(before[sk::kVersionTagV1], 0u);
  }

  Reopen();
  ExpectReads(reads);
  for (BranchId b : {kMainBranch, branch_}) {
    EXPECT_EQ(engine_->GetHistoryBounds(b)->latest_lsn, stands[b]);
  }
  engine_.reset();
  auto [after, format_after] = Census(options_.dir);
  EXPECT_EQ(format_after, sk::kFormatVersion);
  EXPECT_EQ(after.count(sk::kVersionTagV1), 0u);
  EXPECT_EQ(after[sk::kVersionTag],
            before[sk::kVersionTag] + before[sk::kVersionTagV1]);
}

TEST_F(UpgradeTest, AFormat1StoreReadsTheSameAfterTheUpgrade) {
  DowngradeReopenAndCheck(1, 0);
}

TEST_F(UpgradeTest, AnUpgradeCutShortIsFinishedAtTheNextOpen) {
  DowngradeReopenAndCheck(1, 25);
}

TEST_F(UpgradeTest, AFormat2StoreGetsTheHeadsOfItsTimelines) {
  DowngradeReopenAndCheck(2, 0);
}

TEST_F(UpgradeTest, AStoreOfANewerFormatIsRefusedAndLeftAlone) {
  Write(kMainBranch, {1, 0}, 0);
  engine_.reset();
  {
    std::unique_ptr<rocksdb::DB> db = OpenRaw(options_.dir);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(),
                        sk::MetaKey(sk::kMetaFormatVersion),
                        sk::EncodeU32(sk::kFormatVersion + 1))
                    .ok());
  }
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options_);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(engine.status().message().find(
                absl::StrCat("format version ", sk::kFormatVersion + 1)),
            std::string::npos)
      << engine.status();
  EXPECT_EQ(Census(options_.dir).second, sk::kFormatVersion + 1);
}

}  // namespace
}  // namespace pitr
