#include "tools/wal/test_util.h"

#include "gtest/gtest.h"
#include "tools/wal/wal_dir_target.h"
#include "tools/wal/wal_source.h"
#include "wal/testing/wal_test_util.h"

namespace pitr::waltool::testing {

GenerateOptions SmallWorkload(uint64_t seed, uint64_t batches) {
  GenerateOptions o;
  o.seed = seed;
  o.spaces = 2;
  o.pages = 8;
  o.page_size = 512;
  o.batches = batches;
  o.batch_size = 4;
  o.image_ratio = 0.3;
  o.truncate_ratio = 0.05;
  o.branches = 3;
  return o;
}

std::string GenerateWalDir(const std::string& name,
                           const GenerateOptions& options) {
  std::string dir = pitr::testing::NewTestDir(name);
  auto target = WalDirTarget::Create(dir, options.page_size);
  EXPECT_TRUE(target.ok()) << target.status();
  auto summary = Generate(options, target->get());
  EXPECT_TRUE(summary.ok()) << summary.status();
  EXPECT_TRUE((*target)->Close().ok());
  return dir;
}

std::unique_ptr<Engine> OpenFreshEngine(const std::string& name,
                                        uint32_t page_size) {
  EngineOptions options;
  options.dir = pitr::testing::NewTestDir(name);
  options.page_size = page_size;
  options.gc_period = absl::InfiniteDuration();
  auto engine = Engine::Open(options);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

std::vector<Lsn> CommitLsns(const std::string& dir) {
  auto source = WalSource::Open({dir, false});
  EXPECT_TRUE(source.ok()) << source.status();
  std::vector<Lsn> lsns;
  for (const CommittedBatch& batch : pitr::testing::ReadAll(
           &(*source)->wal(), (*source)->wal().oldest_lsn())) {
    lsns.push_back(batch.commit_lsn);
  }
  return lsns;
}

void ExpectSameHistory(Engine& want, Engine& got,
                       const GenerateOptions& workload,
                       const std::vector<Lsn>& lsns) {
  for (const Branch& branch : want.ListBranches()) {
    auto other = got.FindBranch(branch.name);
    ASSERT_TRUE(other.ok()) << branch.name << ": " << other.status();
    EXPECT_EQ(other->branch_point, branch.branch_point) << branch.name;
    for (Lsn lsn : lsns) {
      if (lsn < branch.branch_point) continue;
      for (uint32_t space = 0; space < workload.spaces; ++space) {
        for (uint32_t page = 0; page < workload.pages; ++page) {
          auto a = want.GetPage(branch.id, {space, page}, lsn);
          if (absl::IsOutOfRange(a.status())) continue;  // below its horizon
          auto b = got.GetPage(other->id, {space, page}, lsn);
          ASSERT_EQ(a.status().code(), b.status().code())
              << branch.name << " " << space << "/" << page << " at "
              << FormatLsn(lsn) << ": " << a.status() << " vs " << b.status();
          if (a.ok()) {
            ASSERT_EQ(*a, *b) << branch.name << " " << space << "/" << page
                              << " at " << FormatLsn(lsn);
          }
        }
      }
    }
  }
}

}  // namespace pitr::waltool::testing
