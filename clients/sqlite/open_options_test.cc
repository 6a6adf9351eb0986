#include "clients/sqlite/open_options.h"

#include <map>
#include <string>

#include "gtest/gtest.h"

namespace pitr::sqlite {
namespace {

using Names = std::map<std::string, std::string>;

absl::StatusOr<OpenOptions> Parse(const Names& uri, const Names& env = {}) {
  auto lookup = [](const Names& names) {
    return [&names](const char* name) -> const char* {
      auto it = names.find(name);
      return it == names.end() ? nullptr : it->second.c_str();
    };
  };
  return ParseOpenOptions(lookup(uri), lookup(env));
}

TEST(OpenOptionsTest, Defaults) {
  absl::StatusOr<OpenOptions> options = Parse({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->server, "127.0.0.1:7400");
  EXPECT_EQ(options->branch, "main");
  EXPECT_EQ(options->token_file, "");
  EXPECT_FALSE(options->at.has_value());
}

TEST(OpenOptionsTest, EnvironmentIsTheDefaultAndUriWins) {
  const Names env = {{"PITR_SERVER", "db:7400"},
                     {"PITR_TOKEN_FILE", "/etc/pitr/token"}};
  absl::StatusOr<OpenOptions> options = Parse({}, env);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->server, "db:7400");
  EXPECT_EQ(options->token_file, "/etc/pitr/token");
  options = Parse({{"server", "other:1"}, {"token_file", "t"}}, env);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->server, "other:1");
  EXPECT_EQ(options->token_file, "t");
}

TEST(OpenOptionsTest, Points) {
  absl::StatusOr<OpenOptions> options =
      Parse({{"at", "1/10"}, {"branch", "dev"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->branch, "dev");
  ASSERT_TRUE(options->at.has_value());
  EXPECT_EQ(options->at->lsn(), 0x100000010u);

  options = Parse({{"at", "2026-11-21T10:00:00Z"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->at->has_timestamp());

  for (const char* text : {"snapshot:nightly", "nightly"}) {
    options = Parse({{"at", text}});
    ASSERT_TRUE(options.ok()) << text << ": " << options.status();
    EXPECT_EQ(options->at->snapshot(), "nightly") << text;
  }
}

TEST(OpenOptionsTest, CachePages) {
  absl::StatusOr<OpenOptions> options = Parse({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->cache_pages, 4096u);
  options = Parse({{"cache_pages", "100"}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->cache_pages, 100u);
  for (const char* bad : {"0", "-5", "lots"}) {
    options = Parse({{"cache_pages", bad}});
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_NE(options.status().message().find(bad), std::string::npos)
        << options.status();
  }
}

TEST(OpenOptionsTest, BadValuesAreNamed) {
  absl::StatusOr<OpenOptions> options = Parse({{"at", "2026-13-45T99"}});
  ASSERT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(options.status().message().find("at=2026-13-45T99"),
            std::string::npos)
      << options.status();
  EXPECT_EQ(Parse({{"server", ""}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Parse({{"branch", ""}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pitr::sqlite
