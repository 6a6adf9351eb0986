#include "tests/e2e/pitrd_fixture.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/testing/test_files.h"

namespace pitr::e2e {

std::string WriteTestTokens() {
  const std::string path = ::pitr::testing::TestPath("tokens");
  ::pitr::testing::WriteFileBytes(
      path,
      absl::StrCat("admin ", kTestAdminToken, "\nread ", kTestReadToken, "\n"));
  return path;
}

void PitrdFixture::StartPitrd(std::vector<std::string> flags) {
  PitrdOptions options;
  options.flags = std::move(flags);
  absl::StatusOr<std::unique_ptr<PitrdProcess>> started =
      PitrdProcess::Start(std::move(options));
  ASSERT_TRUE(started.ok()) << started.status();
  pitrd_ = std::move(*started);
  client_ = std::make_unique<PitrClient>(pitrd_->NewChannel());
}

void PitrdFixture::RestartPitrd() {
  const absl::Status restarted = pitrd_->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  client_ = std::make_unique<PitrClient>(pitrd_->NewChannel());
}

}  // namespace pitr::e2e
