#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "spdlog/spdlog.h"
TEST(Smoke, Works) { absl::Mutex mu; absl::MutexLock l(&mu); absl::StatusOr<int> s = 3; spdlog::info("x {}", *s); EXPECT_EQ(absl::StrCat(*s), "3"); }
