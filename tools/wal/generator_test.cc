// Generate is deterministic: the same options give byte-identical WAL
// directories, another seed another workload.
#include "tools/wal/generator.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "spdlog/spdlog.h"
#include "tools/wal/test_util.h"
#include "tools/wal/timeline_tree.h"
#include "tools/wal/wal_dir_target.h"
#include "wal/testing/wal_test_util.h"

namespace pitr::waltool {
namespace {

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> files;
  auto names = FileSystem::Default()->ListDir(dir);
  EXPECT_TRUE(names.ok()) << names.status();
  for (const std::string& name : names.value_or(std::vector<std::string>())) {
    std::ifstream in(JoinPath(dir, name), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    files.push_back(name + "\n" + bytes.str());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(GeneratorTest, SameSeedSameBytes) {
  spdlog::set_level(spdlog::level::warn);
  GenerateOptions o = testing::SmallWorkload(11);
  std::string a = testing::GenerateWalDir("gen_a", o);
  std::string b = testing::GenerateWalDir("gen_b", o);
  EXPECT_EQ(Files(a).size(), 4u);  // segment, index, LOCK, timelines.txt
  EXPECT_TRUE(Files(a) == Files(b));
  o.seed = 12;
  std::string c = testing::GenerateWalDir("gen_c", o);
  EXPECT_FALSE(Files(a) == Files(c));
}

TEST(GeneratorTest, TimelinesFileDescribesTheBranches) {
  GenerateOptions o = testing::SmallWorkload(5);
  std::string dir = testing::GenerateWalDir("gen_tree", o);
  auto tree = LoadTimelineTree(dir);
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ(tree->page_size(), o.page_size);
  ASSERT_EQ(tree->timelines().size(), 1 + o.branches);
  for (const TimelineInfo& t : tree->timelines()) {
    if (t.id == kMainTimeline) continue;
    EXPECT_NE(tree->Find(t.parent), nullptr);
    EXPECT_EQ(t.name, "gen-" + std::to_string(t.id.value() - 1));
  }
  auto parsed = TimelineTree::Parse(tree->Serialize());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Serialize(), tree->Serialize());
}

TEST(GeneratorTest, BadOptionsAreRefused) {
  GenerateOptions o = testing::SmallWorkload(1);
  o.image_ratio = 0.9;
  o.truncate_ratio = 0.2;
  std::string dir = pitr::testing::NewTestDir("gen_bad");
  auto target = WalDirTarget::Create(dir, o.page_size);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(Generate(o, target->get()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pitr::waltool
