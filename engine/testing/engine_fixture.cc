#include "engine/testing/engine_fixture.h"

#include <utility>

#include "base/testing/test_files.h"

namespace pitr::testing {

EngineOptions TestEngineOptions(absl::string_view name, uint32_t page_size) {
  EngineOptions options;
  options.dir = NewTestDir(name);
  options.page_size = page_size;
  return options;
}

std::unique_ptr<Engine> OpenTestEngine(const EngineOptions& options) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? std::move(*engine) : nullptr;
}

void EngineFixture::Reopen() {
  engine_.reset();
  engine_ = OpenTestEngine(options_);
  ASSERT_NE(engine_, nullptr);
}

Lsn EngineFixture::AppendBatch(BranchId branch, const WalBatch& batch) {
  absl::StatusOr<AppendResult> r = engine_->Append(branch, batch);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->commit_lsn : 0;
}

}  // namespace pitr::testing
