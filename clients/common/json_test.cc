#include "clients/common/json.h"

#include "gtest/gtest.h"

namespace pitr::clients {
namespace {

TEST(JsonQuoteTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote("x\ny\tz\r"), "\"x\\ny\\tz\\r\"");
  EXPECT_EQ(JsonQuote(std::string("\x01\x1f\x7f", 3)),
            "\"\\u0001\\u001f\\u007f\"");
  EXPECT_EQ(JsonQuote(std::string("a\0b", 3)), "\"a\\u0000b\"");
}

TEST(JsonQuoteTest, KeepsUtf8AndEscapesInvalidBytes) {
  EXPECT_EQ(JsonQuote("caf\xC3\xA9 \xE2\x94\x94"),
            "\"caf\xC3\xA9 \xE2\x94\x94\"");
  EXPECT_EQ(JsonQuote("\xFF"), "\"\\u00ff\"");
  // A lead byte without its continuation.
  EXPECT_EQ(JsonQuote("\xC3"
                      "A"),
            "\"\\u00c3A\"");
}

TEST(JsonTest, DumpsNestedValuesInOrder) {
  Json inner = Json::Array();
  inner.Push(Json::Number(1)).Push(Json::Null()).Push(Json::Bool(false));
  Json j = Json::Object();
  j.Set("z", Json::String("0/16B3748"))
      .Set("a", inner)
      .Set("o", Json::Object());
  EXPECT_EQ(j.Dump(), "{\"z\":\"0/16B3748\",\"a\":[1,null,false],\"o\":{}}");
  ASSERT_NE(j.Find("a"), nullptr);
  EXPECT_EQ(j.Find("a")->items().size(), 3u);
  EXPECT_EQ(j.Find("missing"), nullptr);
}

TEST(JsonTest, LargeNumbersAreExact) {
  EXPECT_EQ(Json::Number(18446744073709551615ull).Dump(),
            "18446744073709551615");
}

}  // namespace
}  // namespace pitr::clients
