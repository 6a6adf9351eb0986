#include "remote/credentials.h"

#include <cstdlib>

#include "base/testing/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr::remote {
namespace {

using ::testing::HasSubstr;

constexpr char kFile[] = R"(# AWS credentials
[default]
aws_access_key_id = AKIDEFAULT
aws_secret_access_key=secret/default

; another profile
[ ci ]
aws_access_key_id = AKICI
aws_secret_access_key = secretci
aws_session_token = token
)";

TEST(CredentialsTest, ParsesProfiles) {
  auto def = ParseCredentialsFile(kFile, "default", "f");
  ASSERT_TRUE(def.ok()) << def.status();
  EXPECT_EQ(def->access_key_id, "AKIDEFAULT");
  EXPECT_EQ(def->secret_access_key, "secret/default");
  EXPECT_EQ(def->session_token, "");
  auto ci = ParseCredentialsFile(kFile, "ci", "f");
  ASSERT_TRUE(ci.ok()) << ci.status();
  EXPECT_EQ(ci->access_key_id, "AKICI");
  EXPECT_EQ(ci->session_token, "token");
}

TEST(CredentialsTest, ErrorsNameTheFileTheLineAndTheProfile) {
  auto missing = ParseCredentialsFile(kFile, "prod", "creds.ini");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("creds.ini has no [prod]"));
  auto garbage = ParseCredentialsFile("[default]\njunk line\n", "default", "c");
  EXPECT_EQ(garbage.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(garbage.status().message(), HasSubstr("c:2"));
  auto half = ParseCredentialsFile("[default]\naws_access_key_id = x\n",
                                   "default", "c");
  EXPECT_EQ(half.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(half.status().message(), HasSubstr("aws_secret_access_key"));
}

TEST(CredentialsTest, EnvironmentFirstThenFile) {
  unsetenv("AWS_PROFILE");
  setenv("AWS_ACCESS_KEY_ID", "envid", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  setenv("AWS_SESSION_TOKEN", "envtoken", 1);
  auto env = LoadCredentials("/nonexistent");
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->access_key_id, "envid");
  EXPECT_EQ(env->session_token, "envtoken");

  unsetenv("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(LoadCredentials("/nonexistent").status().code(),
            absl::StatusCode::kInvalidArgument);
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SESSION_TOKEN");

  std::string path = pitr::testing::NewTestDir("creds") + "/credentials";
  pitr::testing::WriteFileBytes(path, kFile);
  auto file = LoadCredentials(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->access_key_id, "AKIDEFAULT");
  setenv("AWS_PROFILE", "ci", 1);
  EXPECT_EQ(LoadCredentials(path)->access_key_id, "AKICI");
  unsetenv("AWS_PROFILE");

  auto none = LoadCredentials("/nonexistent/credentials");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(none.status().message(), HasSubstr("/nonexistent/credentials"));
}

}  // namespace
}  // namespace pitr::remote
