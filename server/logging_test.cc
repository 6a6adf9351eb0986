#include "server/logging.h"

#include <string>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "spdlog/details/log_msg.h"

namespace pitr {
namespace {

// 2026-12-04T10:00:00.123456Z.
spdlog::log_clock::time_point TheTime() {
  return spdlog::log_clock::time_point(
      std::chrono::microseconds(int64_t{1796378400} * 1000000 + 123456));
}

std::string Format(LogFormat format, spdlog::string_view_t message,
                   spdlog::string_view_t logger = "",
                   spdlog::source_loc source = {}) {
  spdlog::details::log_msg msg(TheTime(), source, logger, spdlog::level::warn,
                               message);
  spdlog::memory_buf_t out;
  NewLogFormatter(format)->format(msg, out);
  return std::string(out.data(), out.size());
}

// The line parsed by protobuf's JSON parser (a real one).
google::protobuf::Struct Parse(const std::string& line) {
  google::protobuf::Struct parsed;
  auto status = google::protobuf::util::JsonStringToMessage(line, &parsed);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in " << line;
  return parsed;
}

TEST(LoggingTest, TextLinesHaveAUtcTimeWithAZone) {
  EXPECT_EQ(Format(LogFormat::kText, "pitrd: serving"),
            "2026-12-04T10:00:00.123456Z [warn] pitrd: serving\n");
}

TEST(LoggingTest, JsonLinesAreOneObjectEach) {
  const std::string line = Format(LogFormat::kJson, "pitrd: serving");
  EXPECT_EQ(line,
            "{\"time\":\"2026-12-04T10:00:00.123456Z\",\"level\":\"warn\","
            "\"message\":\"pitrd: serving\"}\n");
  google::protobuf::Struct parsed = Parse(line);
  EXPECT_EQ(parsed.fields().at("time").string_value(),
            "2026-12-04T10:00:00.123456Z");
}

TEST(LoggingTest, JsonEscapesQuotesNewlinesAndControlCharacters) {
  const std::string message = "say \"hi\"\\ \n\tnext line \x01 end";
  const std::string line = Format(LogFormat::kJson, message);
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line: " << line;
  EXPECT_EQ(Parse(line).fields().at("message").string_value(), message);
}

TEST(LoggingTest, JsonHasTheLoggerAndSourceWhenTheLineHasThem) {
  const std::string line = Format(LogFormat::kJson, "m", "rocks\"db",
                                  spdlog::source_loc("gc.cc", 12, "Run"));
  google::protobuf::Struct parsed = Parse(line);
  EXPECT_EQ(parsed.fields().at("logger").string_value(), "rocks\"db");
  EXPECT_EQ(parsed.fields().at("source").string_value(), "gc.cc:12");
  EXPECT_EQ(parsed.fields().at("level").string_value(), "warn");
}

TEST(LoggingTest, LevelsAndFormatsAndTheirErrors) {
  EXPECT_EQ(*ParseLogLevel("trace"), spdlog::level::trace);
  EXPECT_EQ(*ParseLogLevel("warn"), spdlog::level::warn);
  EXPECT_EQ(*ParseLogLevel("error"), spdlog::level::err);
  EXPECT_EQ(*ParseLogLevel("off"), spdlog::level::off);
  absl::StatusOr<spdlog::level::level_enum> bad = ParseLogLevel("loud");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "invalid log level \"loud\": expected trace, debug, info, warn, "
            "error, critical or off");
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(ParseLogFormat("xml").status().message(),
            "invalid log format \"xml\": expected text or json");
}

}  // namespace
}  // namespace pitr
