#include "server/convert.h"

#include "gtest/gtest.h"

namespace pitr {
namespace {

TEST(ConvertTest, RetentionKeepsUnsetFieldsUnset) {
  Retention only_distance{std::nullopt, 4096};
  absl::StatusOr<Retention> back = ToRetention(RetentionProto(only_distance));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, only_distance);
  Retention only_window{absl::Hours(3), std::nullopt};
  back = ToRetention(RetentionProto(only_window));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, only_window);
}

}  // namespace
}  // namespace pitr
