// Which archived WAL objects belong to a line of history, over a directory
// store: the names parse back (and nothing else parses), each generation
// sees its own objects and the older ones below where the next began, and
// the coverage stops at the first gap.
#include "remote/wal_lineage.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "remote/generation.h"
#include "remote/testing/test_storage.h"
#include "remote/wal_archive_keys.h"

namespace pitr::remote {
namespace {

TEST(WalPieceKeyTest, RoundTripsAndRefusesOtherNames) {
  const WalPiece piece{0x1000, 0x13A8, 0x1A20, 2};
  const std::string key = WalPieceKey(piece);
  EXPECT_EQ(key,
            "wal/0000000000001000/00000000000013A8-0000000000001A20-"
            "00000000000000000002");
  std::optional<WalPiece> parsed = ParseWalPieceKey(key);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->segment, piece.segment);
  EXPECT_EQ(parsed->from, piece.from);
  EXPECT_EQ(parsed->to, piece.to);
  EXPECT_EQ(parsed->generation, piece.generation);
  EXPECT_EQ(parsed->file_offset(), 40u + 0x3A8);
  EXPECT_EQ(parsed->file_end(), 40u + 0xA20);
  EXPECT_EQ(ParseWalPieceKey("wal/0000000000001000/0000000000001000-"
                             "0000000000001A20-00000000000000000002")
                ->file_offset(),
            0u);  // a piece from the segment's start holds its header
  for (const char* bad : {
           "generations/00000000000000000001",
           "wal/0000000000001000/00000000000013a8-0000000000001A20-"
           "00000000000000000002",  // lower-case hex
           "wal/0000000000001000/0000000000001A20-00000000000013A8-"
           "00000000000000000002",  // to before from
           "wal/0000000000002000/0000000000001000-0000000000001A20-"
           "00000000000000000002",  // from before the segment
           "wal/0000000000001000/0000000000001000-0000000000001A20-2",
       }) {
    EXPECT_FALSE(ParseWalPieceKey(bad).has_value()) << bad;
  }
}

class WalLineageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = testing::OpenTestStorage(testing::Backend::kFile, "lineage");
    ASSERT_NE(storage_, nullptr);
  }
  void Piece(Lsn segment, Lsn from, Lsn to, uint64_t generation) {
    ASSERT_TRUE(
        storage_->Put(WalPieceKey({segment, from, to, generation}), "x").ok());
  }
  void Generation(Lsn start_lsn) {
    ASSERT_TRUE(TakeOverGeneration(storage_.get(), start_lsn, "test").ok());
  }
  // The (from, to) of every piece of the history of `generation`.
  std::vector<std::pair<Lsn, Lsn>> Lineage(uint64_t generation) {
    absl::StatusOr<WalPiecesBySegment> pieces =
        PiecesOfLineage(storage_.get(), generation);
    EXPECT_TRUE(pieces.ok()) << pieces.status();
    std::vector<std::pair<Lsn, Lsn>> out;
    for (const auto& [segment, list] : *pieces) {
      for (const WalPiece& p : list) out.emplace_back(p.from, p.to);
    }
    return out;
  }

  std::unique_ptr<RemoteStorage> storage_;
};

TEST_F(WalLineageTest, ANewerGenerationHidesTheOlderOnesPastItsStart) {
  Generation(0);    // 1
  Piece(0, 0, 100, 1);
  Piece(0, 100, 200, 1);
  Piece(200, 200, 300, 1);  // past where generation 2 began
  Generation(200);  // 2: a restart at 200
  Piece(200, 200, 250, 2);
  Generation(150);  // 3: a restore to 150
  Piece(0, 150, 180, 3);

  EXPECT_EQ(Lineage(1), (std::vector<std::pair<Lsn, Lsn>>{
                            {0, 100}, {100, 200}, {200, 300}}));
  EXPECT_EQ(Lineage(2), (std::vector<std::pair<Lsn, Lsn>>{
                            {0, 100}, {100, 200}, {200, 250}}));
  // Generation 3 began at 150: of the older objects only those ending at
  // or below it (a piece that crosses it is left out whole).
  EXPECT_EQ(Lineage(3), (std::vector<std::pair<Lsn, Lsn>>{{0, 100},
                                                          {150, 180}}));
}

TEST_F(WalLineageTest, CoverageRunsToTheFirstGap) {
  Generation(0);
  Piece(0, 0, 100, 1);
  Piece(0, 100, 200, 1);
  Piece(200, 200, 260, 1);
  Piece(200, 300, 400, 1);  // after a gap
  absl::StatusOr<WalPiecesBySegment> pieces =
      PiecesOfLineage(storage_.get(), 1);
  ASSERT_TRUE(pieces.ok()) << pieces.status();
  EXPECT_EQ(CoveredFrom(*pieces, 0), 260u);
  EXPECT_EQ(CoveredFrom(*pieces, 100), 260u);
  EXPECT_EQ(CoveredFrom(*pieces, 300), 400u);
  EXPECT_EQ(CoveredFrom(*pieces, 270), 270u);  // nothing there
}

}  // namespace
}  // namespace pitr::remote
