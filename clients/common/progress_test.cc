#include "clients/common/progress.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace pitr::clients {
namespace {

TEST(RenderProgressTest, WithTotal) {
  EXPECT_EQ(RenderProgress(0, 1000, 0, absl::ZeroDuration()),
            "[....................]   0%  0 B / 1000 B");
  EXPECT_EQ(
      RenderProgress(13ull << 19, 27ull << 20, 1200, absl::Seconds(3)),
      "[####................]  24%  6.5 MiB / 27.0 MiB  2.2 MiB/s  1200 pages");
  EXPECT_EQ(RenderProgress(1000, 1000, 0, absl::ZeroDuration()),
            "[####################] 100%  1000 B / 1000 B");
}

TEST(RenderProgressTest, MoreThanTotalIsFull) {
  EXPECT_EQ(RenderProgress(2000, 1000, 0, absl::ZeroDuration()),
            "[####################] 100%  2.0 KiB / 1000 B");
}

TEST(RenderProgressTest, WithoutTotal) {
  EXPECT_EQ(RenderProgress(3ull << 20, 0, 384, absl::Seconds(2)),
            "3.0 MiB  1.5 MiB/s  384 pages");
}

TEST(ProgressBarTest, DisabledWritesNothingEnabledEndsTheLine) {
  char* buffer = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buffer, &size);
  {
    ProgressBar off(out, false, 100);
    off.Update(50, 1);
    off.Finish();
  }
  std::fflush(out);
  EXPECT_EQ(size, 0u);
  ProgressBar on(out, true, 100);
  on.Update(100, 0);
  on.Finish();
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  EXPECT_NE(text.find("100%"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.front(), '\r');
}

}  // namespace
}  // namespace pitr::clients
